package io.fleetwatch.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.schemas.DeviceChannel;
import io.fleetwatch.gateway.mapping.ParseResult;
import io.fleetwatch.gateway.sparkplug.SparkplugDecoder;
import io.fleetwatch.gateway.sparkplug.SparkplugIdentity;
import io.fleetwatch.gateway.sparkplug.proto.SparkplugB;
import io.fleetwatch.schemas.AvroSerde;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bench's Sparkplug B edge node, decoded by the gateway's own {@link SparkplugDecoder}: its DDATA become telemetry
 * whose {@code bench_seq} the {@link SequenceLedger} counts, and nothing is dead-lettered.
 */
class SparkplugPayloadsTest {
  private static final long TS = 1_764_100_000_000L;
  private final SparkplugDecoder decoder = new SparkplugDecoder(SparkplugIdentity.defaults(), 65_536,
      Duration.ofMinutes(5));
  private final AvroSerde<Telemetry> serde = AvroSerde.of(Telemetry.class);

  private List<ParseResult> decode(String type, int device, byte[] payload) {
    return decoder.decode(SparkplugPayloads.topic("site-a", type, 1, device), payload, TS).records();
  }

  private static List<Telemetry> telemetry(List<ParseResult> results) {
    results.forEach(r -> assertTrue(r instanceof ParseResult.Accepted, "dead-lettered: " + r));
    return results.stream().map(ParseResult.Accepted.class::cast).filter(a -> a.channel() == DeviceChannel.TELEMETRY)
        .map(a -> (Telemetry) a.value()).toList();
  }

  @Test
  void ddataAfterTheBirthsBecomesTelemetryOfTenMetricsThatTheLedgerCountsByBenchSeq() {
    // Given the edge node of connection 1 and its two devices are born (Sparkplug seq 0, 1, 2)
    assertEquals(List.of(), telemetry(decode("NBIRTH", -1, SparkplugPayloads.nodeBirth(TS, 0))));
    for (int d = 0; d < 2; d++) {
      List<Telemetry> birth = telemetry(decode("DBIRTH", d, SparkplugPayloads.deviceBirth(TS, d + 1)));
      // a birth's telemetry carries no sequence number: not one of the publisher's messages
      assertEquals(1, birth.size());
      assertNull(SequenceLedger.TELEMETRY.decode(null, serde.serialize("t", birth.get(0))));
    }

    // When device 1 reports its message 4_294_967_301 by alias, with the next Sparkplug seq
    byte[] ddata = SparkplugPayloads.deviceData(TS, 3, 4_294_967_301L);
    List<Telemetry> data = telemetry(decode("DDATA", 1, ddata));

    // Then one telemetry record of the 10 declared metrics under the device's contract id, no sequence gap reported
    assertEquals(1, data.size());
    Telemetry t = data.get(0);
    assertEquals("edge1.d1-1", t.getDeviceId());
    assertEquals(SparkplugPayloads.deviceId(1, 1), t.getDeviceId());
    assertEquals("site-a", t.getSite());
    assertEquals(SparkplugPayloads.METRICS, t.getMetrics().size());
    assertEquals(4_294_967_301.0, t.getMetrics().get(SparkplugPayloads.SEQ_METRIC));
    assertNull(t.getSeq());
    // And the ledger reads (site, device, bench_seq) from it
    assertEquals(new SequenceLedger.Entry("site-a", "edge1.d1-1", 4_294_967_301L),
        SequenceLedger.TELEMETRY.decode(null, serde.serialize("t", t)));
  }

  @Test
  void ddataNamesItsMetricsByAliasOnlyAndCarriesTheTimestampAndSparkplugSeq() throws Exception {
    SparkplugB.Payload p = SparkplugB.Payload.parseFrom(SparkplugPayloads.deviceData(TS, 255, 7));

    assertEquals(TS, p.getTimestamp());
    assertEquals(255, p.getSeq());
    assertEquals(SparkplugPayloads.METRICS, p.getMetricsCount());
    for (int i = 0; i < p.getMetricsCount(); i++) {
      assertEquals(i + 1, p.getMetrics(i).getAlias());
      assertTrue(p.getMetrics(i).getName().isEmpty(), "DDATA by alias only");
    }
    assertEquals(7, p.getMetrics(0).getLongValue());
  }

  @Test
  void theEdgeNodesSparkplugSeqRunsOnFromItsBirthsAndWrapsFrom255To0WithoutAGap() {
    // Given an edge node with two devices born with Sparkplug seq 0, 1, 2
    telemetry(decode("NBIRTH", -1, SparkplugPayloads.nodeBirth(TS, 0)));
    for (int d = 0; d < 2; d++) {
      telemetry(decode("DBIRTH", d, SparkplugPayloads.deviceBirth(TS, d + 1)));
    }
    // When 600 DDATA follow with the publisher's Sparkplug seq, round-robin over the devices
    for (int i = 0; i < 600; i++) {
      // Then each is one telemetry record and no gap is reported (telemetry() fails on a dead letter)
      assertEquals(1, telemetry(decode("DDATA", i % 2,
          SparkplugPayloads.deviceData(TS, SparkplugPayloads.dataSeq(2, i), i / 2))).size(), "message " + i);
    }
  }
}
