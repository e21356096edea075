package io.fleetwatch.gateway.source;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.gateway.mapping.ParseResult;
import io.fleetwatch.gateway.mapping.PayloadParser;
import io.fleetwatch.gateway.source.mapped.MappedSource;
import io.fleetwatch.gateway.source.mapped.MappingFile;
import io.fleetwatch.gateway.source.senml.SenmlSource;
import io.fleetwatch.gateway.source.senml.UnitMap;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/**
 * The decoders of the SenML and mapped sources are total: whatever arrives, they never throw and always answer with
 * at least one record or a rejection with a reason and a detail.
 */
class PayloadSourcePropertiesTest {
  private static final long RECEIVED_AT = java.time.Instant.parse("2026-12-02T08:16:00Z").toEpochMilli();
  private static final List<String> SEEDS = List.of(
      "[{\"bn\":\"urn:dev:ow:10e2073a0108006:\",\"bt\":1.796198e+09,\"bu\":\"A\",\"bver\":5,\"n\":\"voltage\","
          + "\"u\":\"V\",\"v\":120.1},{\"n\":\"current\",\"t\":-5,\"v\":1.2},{\"n\":\"open\",\"vb\":true},"
          + "{\"n\":\"label\",\"vs\":\"x\"},{\"bs\":3,\"n\":\"e\",\"s\":1}]",
      "{\"objectName\":\"CH1-CHWS-T\",\"presentValue\":46.4,\"units\":\"degrees-fahrenheit\","
          + "\"timestamp\":\"2026-12-02T08:15:30.250Z\"}",
      "{\"d\":{\"temp\":[612,598],\"pres\":[1013],\"run\":[true]},\"ts\":\"2026-12-02 17:15:30.250\"}",
      "{\"code\":\"ESTOP\",\"active\":true,\"ts\":\"2026-12-02 17:15:31.000\",\"line\":\"press-2\"}",
      "{\"fw\":\"3.1.4\",\"model\":\"FX-500\",\"vendor\":\"acme\",\"ports\":[502]}");

  private final List<PayloadSource> sources = List.of(
      new SenmlSource(List.of(TopicPattern.parse("senml/{site}/{device}"), TopicPattern.parse("senml/{site}")),
          UnitMap.of(Map.of("voltage", "V")), PayloadParser.withDefaults()),
      new MappedSource(MappingFile.read(Path.of("../examples/mappings/bacnet-building.yaml")),
          PayloadParser.withDefaults()),
      new MappedSource(MappingFile.read(Path.of("../examples/mappings/modbus-edge.yaml")),
          PayloadParser.withDefaults()));
  private final List<String> topics = List.of("senml/hq/chiller-01", "senml/hq", "bacnet/hq/chiller-01/present-value",
      "edge/plant-a/modbus/plc-01/data", "edge/plant-a/modbus/plc-01/alarm", "edge/plant-a/modbus/plc-01/status");

  private void assertTotal(byte[] payload) {
    for (PayloadSource source : sources) {
      for (String topic : topics) {
        if (!source.matches(topic)) {
          continue;
        }
        List<ParseResult> results = source.decode(topic, payload, RECEIVED_AT);
        assertNotNull(results);
        assertFalse(results.isEmpty(), () -> source.name() + " yielded nothing on " + topic);
        for (ParseResult r : results) {
          assertNotNull(r);
          if (r instanceof ParseResult.Rejected rejected) {
            assertFalse(rejected.detail().isBlank());
          }
        }
      }
    }
  }

  @Property(tries = 1000)
  void arbitraryBytesNeverThrow(@ForAll @Size(max = 300) byte[] payload) {
    assertTotal(payload);
  }

  @Property(tries = 2000)
  void mutatedSeedPayloadsNeverThrow(@ForAll("mutated") String payload) {
    assertTotal(payload.getBytes(StandardCharsets.UTF_8));
  }

  @Property(tries = 1000)
  void arbitraryTopicsNeverThrow(@ForAll @StringLength(max = 60) String suffix, @ForAll("mutated") String payload) {
    for (PayloadSource source : sources) {
      List<ParseResult> results = source.decode("senml/" + suffix, payload.getBytes(StandardCharsets.UTF_8),
          RECEIVED_AT);
      assertFalse(results.isEmpty());
    }
  }

  @Property(tries = 300)
  void unmodifiedSeedsAreAccepted(@ForAll("seeds") String seed) {
    boolean accepted = false;
    for (PayloadSource source : sources) {
      for (String topic : topics) {
        if (source.matches(topic)) {
          accepted |= source.decode(topic, seed.getBytes(StandardCharsets.UTF_8), RECEIVED_AT).stream()
              .anyMatch(r -> r instanceof ParseResult.Accepted);
        }
      }
    }
    assertTrue(accepted, seed);
  }

  @Provide
  Arbitrary<String> seeds() {
    return Arbitraries.of(SEEDS);
  }

  /** A seed with up to six edits: a character deleted, duplicated, replaced by a JSON-significant one, or a cut. */
  @Provide
  Arbitrary<String> mutated() {
    Arbitrary<Character> significant = Arbitraries.of('{', '}', '[', ']', ',', ':', '"', '-', '.', 'e', '0', '9',
        ' ', '\\', '_', 'n', 't', '/', '~');
    Arbitrary<int[]> edit = Combinators.combine(Arbitraries.integers().between(0, 3),
        Arbitraries.integers().between(0, 10_000), significant.map(c -> (int) c)).as((k, at, c) -> new int[] {k, at, c});
    return Combinators.combine(Arbitraries.of(SEEDS), edit.list().ofMaxSize(6)).as((seed, edits) -> {
      StringBuilder s = new StringBuilder(seed);
      for (int[] e : new ArrayList<>(edits)) {
        if (s.length() == 0) {
          break;
        }
        int at = e[1] % s.length();
        switch (e[0]) {
          case 0 -> s.deleteCharAt(at);
          case 1 -> s.insert(at, s.charAt(at));
          case 2 -> s.setCharAt(at, (char) e[2]);
          default -> s.setLength(at);
        }
      }
      return s.toString();
    });
  }
}
