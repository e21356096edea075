package io.fleetwatch.app.bench;

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
    Telemetry telemetry = Telemetry.newBuilder()
        .setDeviceId("chiller-7")
        .setSite("plant-1")
        .setTs(Instant.ofEpochMilli(1_764_100_000_000L))
        .setReceivedAt(Instant.ofEpochMilli(1_764_100_000_500L))
        .setSeq(seq)
        .setMetrics(Map.of("t", 21.5, "p", 3.0))
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
  void shellBridgeDecoderReadsTheSameFromTopicAndPayload() {
    assertEquals(new SequenceLedger.Entry("plant-1", "chiller-7", 42L),
        SequenceLedger.SHELL_BRIDGE.decode("fleet/plant-1/chiller-7/telemetry".getBytes(StandardCharsets.UTF_8),
            "{\"ts\":1764100000000,\"seq\":42,\"metrics\":{\"t\":1}}".getBytes(StandardCharsets.UTF_8)));
  }
}
