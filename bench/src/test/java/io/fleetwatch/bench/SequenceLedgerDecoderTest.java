package io.fleetwatch.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.schemas.AvroSerde;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SequenceLedgerDecoderTest {
  private final AvroSerde<Telemetry> serde = AvroSerde.of(Telemetry.class);

  private byte[] encode(Long seq) {
    return encode("chiller-7", seq, Map.of("t", 21.5, "p", 3.0));
  }

  private byte[] encode(String deviceId, Long seq, Map<String, Double> metrics) {
    Telemetry telemetry = Telemetry.newBuilder()
        .setDeviceId(deviceId)
        .setSite("plant-1")
        .setTs(Instant.ofEpochMilli(1_764_100_000_000L))
        .setReceivedAt(Instant.ofEpochMilli(1_764_100_000_500L))
        .setSeq(seq)
        .setMetrics(metrics)
        .build();
    return serde.serialize("fleet.telemetry", telemetry);
  }

  @Test
  void telemetryDecoderReadsSiteDeviceAndSeqOfTheGatewaysRecords() {
    assertEquals(new SequenceLedger.Entry("plant-1", "chiller-7", 4_294_967_301L),
        SequenceLedger.TELEMETRY.decode(null, encode(4_294_967_301L)));
    assertEquals(new SequenceLedger.Entry("plant-1", "chiller-7", 0L),
        SequenceLedger.TELEMETRY.decode(null, encode(0L)));
  }

  @Test
  void telemetryWithoutSeqIsNotAPublishersMessage() {
    assertNull(SequenceLedger.TELEMETRY.decode(null, encode(null)));
  }

  @Test
  void telemetryWithoutSeqIsCountedByItsBenchSeqMetric() {
    byte[] sparkplug = encode("edge0.d0-3", null, Map.of("supply_temp_c", 7.5, "running", 1.0,
        SparkplugPayloads.SEQ_METRIC, 123_456.0, "power_kw", 12.0));

    assertEquals(new SequenceLedger.Entry("plant-1", "edge0.d0-3", 123_456L),
        SequenceLedger.TELEMETRY.decode(null, sparkplug));
  }

  @Test
  void shellBridgeDecoderReadsTheSameFromTopicAndPayload() {
    assertEquals(new SequenceLedger.Entry("plant-1", "chiller-7", 42L),
        SequenceLedger.SHELL_BRIDGE.decode("fleet/plant-1/chiller-7/telemetry".getBytes(StandardCharsets.UTF_8),
            "{\"ts\":1764100000000,\"seq\":42,\"metrics\":{\"t\":1}}".getBytes(StandardCharsets.UTF_8)));
  }
}
