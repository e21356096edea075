package io.fleetwatch.gateway.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.Telemetry;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/** The parser's totality: whatever arrives, it answers Accepted or Rejected and never throws. */
class ParserPropertiesTest {
  private static final long RECEIVED_AT = 1_764_100_000_000L;
  private static final List<String> TOPICS = List.of("fleet/s/d/telemetry", "fleet/s/d/event", "fleet/s/d/state");

  private final MqttTopicParser topics = MqttTopicParser.withDefaultRoot();
  private final PayloadParser payloads = PayloadParser.withDefaults();

  private void assertTotal(String topic, byte[] payload) {
    ParseResult result = payloads.parse(topics.parse(topic), payload, RECEIVED_AT);
    assertNotNull(result);
    assertTrue(result instanceof ParseResult.Accepted || result instanceof ParseResult.Rejected);
    if (result instanceof ParseResult.Rejected) {
      assertNotNull(((ParseResult.Rejected) result).detail());
    }
  }

  @Property(tries = 2000)
  void arbitraryBytesNeverThrow(@ForAll @Size(max = 300) byte[] payload) {
    for (String topic : TOPICS) {
      assertTotal(topic, payload);
    }
  }

  @Property(tries = 3000)
  void arbitraryJsonLikeTextNeverThrows(@ForAll("jsonish") String payload) {
    for (String topic : TOPICS) {
      assertTotal(topic, payload.getBytes(StandardCharsets.UTF_8));
    }
  }

  @Property(tries = 500)
  void arbitraryTopicsNeverThrow(@ForAll @StringLength(max = 80) String topic, @ForAll("jsonish") String payload) {
    assertTotal(topic, payload.getBytes(StandardCharsets.UTF_8));
  }

  @Property(tries = 2000)
  void utf8CheckAgreesWithTheJdkStrictDecoder(@ForAll @Size(max = 40) byte[] bytes) {
    boolean jdkAccepts;
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      jdkAccepts = true;
    } catch (CharacterCodingException e) {
      jdkAccepts = false;
    }

    assertEquals(jdkAccepts, Utf8Validator.firstInvalidOffset(bytes) < 0);
  }

  @Property(tries = 500)
  void validTelemetryKeepsEveryMetric(@ForAll("metrics") Map<String, Double> metrics) {
    StringBuilder json = new StringBuilder("{\"ts\":1764100000000,\"metrics\":{");
    metrics.forEach((name, value) -> json.append('"').append(name).append("\":").append(value).append(','));
    if (!metrics.isEmpty()) {
      json.setLength(json.length() - 1);
    }
    json.append("}}");

    ParseResult result = payloads.parse(topics.parse("fleet/s/d/telemetry"),
        json.toString().getBytes(StandardCharsets.UTF_8), RECEIVED_AT);

    Telemetry t = assertInstanceOf(Telemetry.class,
        assertInstanceOf(ParseResult.Accepted.class, result, result::toString).value());
    assertEquals(metrics, t.getMetrics());
  }

  @Provide
  Arbitrary<String> jsonish() {
    Arbitrary<String> token = Arbitraries.of("{", "}", "[", "]", ",", ":", " ", "\"ts\"", "\"seq\"", "\"metrics\"",
        "\"type\"", "\"attributes\"", "\"open_ports\"", "\"components\"", "\"purl\"", "\"model\"", "\"boot\"",
        "\"tamper\"", "1764100000000", "-1", "0", "1.5", "1e400", "NaN", "-Infinity", "null", "true", "false",
        "\"x\"", "\"2025-11-25T19:46:40Z\"", "\"2999-01-01T00:00:00Z\"", "99999999999999999999999", "\"\\u0000\"",
        "\"\\ud800\"", "\\", "'", "/*", "\t", "\u00e9", "\ud83d\ude00");
    Arbitrary<String> noise = Arbitraries.strings().ofMaxLength(4);
    return Arbitraries.oneOf(token, token, token, noise).list().ofMaxSize(40).map(parts -> String.join("", parts));
  }

  @Provide
  Arbitrary<Map<String, Double>> metrics() {
    Arbitrary<String> names = Arbitraries.strings().withChars("abcxyz_.-0123").ofMinLength(1).ofMaxLength(20);
    Arbitrary<Double> values = Arbitraries.doubles().between(-1e12, 1e12);
    return Arbitraries.maps(names, values).ofMaxSize(20);
  }
}
