package io.fleetwatch.gateway.sparkplug;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.fleetwatch.gateway.mapping.ParseResult;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Random and mutated bytes on every message type: the decoder never throws and every rejection has a reason. */
class SparkplugDecoderFuzzTest {
  private static final List<String> TOPICS = List.of("spBv1.0/g/NBIRTH/e", "spBv1.0/g/DBIRTH/e/d",
      "spBv1.0/g/NDATA/e", "spBv1.0/g/DDATA/e/d", "spBv1.0/g/NDEATH/e", "spBv1.0/g/DDEATH/e/d", "spBv1.0/g/NCMD/e",
      "spBv1.0/g/DCMD/e/d", "spBv1.0/g/XDATA/e", "spBv1.0/STATE/h");

  @Property(tries = 2000)
  void randomBytesNeverThrowAndAlwaysYieldARecordOrAReason(@ForAll("topics") String topic,
      @ForAll("bytes") byte[] payload) {
    SparkplugDecoder decoder = bornDecoder();

    check(decoder.decode(topic, payload, Payloads.T0));
  }

  @Property(tries = 2000)
  void mutatedValidPayloadsNeverThrow(@ForAll("topics") String topic, @ForAll("mutations") int[] mutations) {
    SparkplugDecoder decoder = bornDecoder();
    byte[] payload = Payloads.dbirth(2).clone();
    for (int i = 0; i + 1 < mutations.length; i += 2) {
      payload[Math.floorMod(mutations[i], payload.length)] = (byte) mutations[i + 1];
    }

    check(decoder.decode(topic, payload, Payloads.T0));
    check(decoder.decode("spBv1.0/g/DDATA/e/d", payload, Payloads.T0));
  }

  private static SparkplugDecoder bornDecoder() {
    SparkplugDecoder decoder = new SparkplugDecoder(SparkplugIdentity.defaults(), 4096, Duration.ofMinutes(5));
    decoder.decode("spBv1.0/g/NBIRTH/e", Payloads.nbirth(1), Payloads.T0);
    decoder.decode("spBv1.0/g/DBIRTH/e/d", Payloads.dbirth(1), Payloads.T0);
    return decoder;
  }

  private static void check(SparkplugDecoder.Decoded decoded) {
    assertNotNull(decoded);
    assertFalse(decoded.records().isEmpty(), "a message yields a record or a rejection");
    for (ParseResult r : decoded.records()) {
      if (r instanceof ParseResult.Rejected rejected) {
        assertNotNull(rejected.reason());
        assertFalse(rejected.detail().isBlank());
      }
    }
  }

  @Provide
  Arbitrary<String> topics() {
    return Arbitraries.of(TOPICS);
  }

  @Provide
  Arbitrary<byte[]> bytes() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
  }

  @Provide
  Arbitrary<int[]> mutations() {
    return Arbitraries.integers().between(-1000, 1000).array(int[].class).ofMinSize(2).ofMaxSize(12);
  }
}
