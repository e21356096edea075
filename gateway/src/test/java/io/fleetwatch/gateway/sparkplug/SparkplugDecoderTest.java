package io.fleetwatch.gateway.sparkplug;

import static io.fleetwatch.gateway.sparkplug.Payloads.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.DeadLetterReason;
import io.fleetwatch.avro.DeviceEvent;
import io.fleetwatch.avro.DeviceState;
import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.schemas.DeviceChannel;
import io.fleetwatch.gateway.mapping.ParseResult;
import io.fleetwatch.gateway.sparkplug.proto.SparkplugB.DataType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SparkplugDecoderTest {
  private static final String NBIRTH = "spBv1.0/plant-1/NBIRTH/edge-7";
  private static final String DBIRTH = "spBv1.0/plant-1/DBIRTH/edge-7/chiller-2";
  private static final String DDATA = "spBv1.0/plant-1/DDATA/edge-7/chiller-2";
  private static final long RECEIVED = T0 + 100;

  private final SparkplugDecoder decoder = new SparkplugDecoder(SparkplugIdentity.defaults(), 64 * 1024,
      Duration.ofMinutes(5));

  private List<ParseResult> decode(String topic, byte[] payload) {
    return decoder.decode(topic, payload, RECEIVED).records();
  }

  private void born() {
    decode(NBIRTH, Payloads.nbirth(3));
    decode(DBIRTH, Payloads.dbirth(1));
  }

  private static ParseResult.Rejected rejected(ParseResult result) {
    return assertInstanceOf(ParseResult.Rejected.class, result);
  }

  private static ParseResult.Accepted accepted(ParseResult result, DeviceChannel channel) {
    ParseResult.Accepted accepted = assertInstanceOf(ParseResult.Accepted.class, result);
    assertEquals(channel, accepted.channel());
    return accepted;
  }

  @Test
  void resolvesAliasesOfDeviceDataAgainstItsBirthIntoTelemetryOfTheMappedDevice() {
    born();

    List<ParseResult> records = decode(DDATA, Payloads.ddata(2, 13.5, false));

    assertEquals(1, records.size());
    ParseResult.Accepted accepted = accepted(records.get(0), DeviceChannel.TELEMETRY);
    assertEquals("edge-7.chiller-2", accepted.deviceId());
    assertEquals("plant-1", accepted.site());
    Telemetry t = (Telemetry) accepted.value();
    assertEquals(Map.of("supply_temp_c", 13.5, "running", 0.0), t.getMetrics());
    assertEquals(T0, t.getTs().toEpochMilli());
    assertEquals(RECEIVED, t.getReceivedAt().toEpochMilli());
    assertNull(t.getSeq(), "Sparkplug's wrapping seq is not the contract's per-device seq");
  }

  @Test
  void birthYieldsStateAndTelemetryOfItsNumericValuesAndDeadLettersItsStrings() {
    decode(NBIRTH, Payloads.nbirth(3));

    SparkplugDecoder.Decoded decoded = decoder.decode(DBIRTH, Payloads.dbirth(1), RECEIVED);

    List<ParseResult> records = decoded.records();
    assertEquals(3, records.size());
    DeviceState state = (DeviceState) accepted(records.get(0), DeviceChannel.STATE).value();
    assertEquals("edge-7.chiller-2", state.getDeviceId());
    Telemetry t = (Telemetry) accepted(records.get(1), DeviceChannel.TELEMETRY).value();
    assertEquals(Map.of("supply_temp_c", 6.5, "running", 1.0, "count", 7.0), t.getMetrics());
    ParseResult.Rejected strings = rejected(records.get(2));
    assertEquals(DeadLetterReason.SPARKPLUG_UNSUPPORTED_TYPE, strings.reason());
    assertTrue(strings.detail().contains("mode (String)"), strings.detail());
    assertEquals(List.of("plant-1/edge-7/chiller-2"), decoded.births().stream().map(b -> b.scopeKey()).toList());
  }

  @Test
  void nodeBirthTakesVendorFromPropertiesAndKeepsProtocolMetricsOutOfTelemetry() {
    List<ParseResult> records = decode(NBIRTH, Payloads.nbirth(3));

    assertEquals(1, records.size(), "bdSeq, Node Control/ and Properties/ are no telemetry: " + records);
    DeviceState state = (DeviceState) accepted(records.get(0), DeviceChannel.STATE).value();
    assertEquals("edge-7", state.getDeviceId());
    assertEquals("acme", state.getVendor());
  }

  @Test
  void deadLettersDataBeforeBirth() {
    List<ParseResult> records = decode(DDATA, Payloads.ddata(2, 13.5, false));

    assertEquals(DeadLetterReason.SPARKPLUG_NO_BIRTH, rejected(records.get(0)).reason());
    assertEquals(DeadLetterReason.SPARKPLUG_NO_BIRTH,
        rejected(decode(DBIRTH, Payloads.dbirth(1)).get(0)).reason(), "a DBIRTH needs its node's NBIRTH");
  }

  @Test
  void deadLettersTheWholeMessageWhenAnAliasWasNotDeclared() {
    born();
    byte[] payload = Payloads.payload(2).addMetrics(Payloads.aliased(10).setDoubleValue(1))
        .addMetrics(Payloads.aliased(99).setDoubleValue(2)).build().toByteArray();

    List<ParseResult> records = decode(DDATA, payload);

    assertEquals(1, records.size());
    ParseResult.Rejected r = rejected(records.get(0));
    assertEquals(DeadLetterReason.SPARKPLUG_UNKNOWN_ALIAS, r.reason());
    assertTrue(r.detail().contains("alias 99"), r.detail());
  }

  @Test
  void deadLettersMalformedProtobuf() {
    born();

    List<ParseResult> records = decode(DDATA, "{\"not\":\"protobuf\"}".getBytes(StandardCharsets.UTF_8));

    assertEquals(DeadLetterReason.SPARKPLUG_MALFORMED, rejected(records.get(0)).reason());
  }

  @Test
  void reportsASeqGapAndStillForwardsTheData() {
    born();

    List<ParseResult> records = decode(DDATA, Payloads.ddata(5, 7.0, true));

    assertEquals(2, records.size());
    ParseResult.Rejected gap = rejected(records.get(0));
    assertEquals(DeadLetterReason.SPARKPLUG_SEQUENCE_GAP, gap.reason());
    assertTrue(gap.detail().contains("seq 5, expected 2"), gap.detail());
    accepted(records.get(1), DeviceChannel.TELEMETRY);
  }

  @Test
  void seqWrapsFrom255To0WithoutAGap() {
    decode(NBIRTH, Payloads.nbirth(3));
    decode(DBIRTH, Payloads.dbirth(255));

    List<ParseResult> records = decode(DDATA, Payloads.ddata(0, 7.0, true));

    assertEquals(1, records.size(), records.toString());
  }

  @Test
  void nodeDeathTakesItsDevicesOfflineAndEndsTheirBirths() {
    born();
    byte[] death = Payloads.payload(0).clearSeq().addMetrics(Payloads.bdSeq(3)).build().toByteArray();

    List<ParseResult> records = decode("spBv1.0/plant-1/NDEATH/edge-7", death);

    assertEquals(2, records.size());
    DeviceEvent node = (DeviceEvent) accepted(records.get(0), DeviceChannel.EVENT).value();
    DeviceEvent device = (DeviceEvent) accepted(records.get(1), DeviceChannel.EVENT).value();
    assertEquals("edge-7", node.getDeviceId());
    assertEquals("edge-7.chiller-2", device.getDeviceId());
    assertEquals(SparkplugDecoder.OFFLINE_EVENT, device.getType());
    assertEquals("NDEATH", device.getAttributes().get(SparkplugDecoder.TYPE_ATTRIBUTE));
    assertEquals(DeadLetterReason.SPARKPLUG_NO_BIRTH, rejected(decode(DDATA, Payloads.ddata(2, 1, true)).get(0))
        .reason());
  }

  @Test
  void deadLettersTheWillOfAnEarlierSessionAndKeepsTheNodeOnline() {
    born();
    byte[] staleDeath = Payloads.payload(0).clearSeq().addMetrics(Payloads.bdSeq(2)).build().toByteArray();

    List<ParseResult> records = decode("spBv1.0/plant-1/NDEATH/edge-7", staleDeath);

    assertEquals(DeadLetterReason.SPARKPLUG_SEQUENCE_GAP, rejected(records.get(0)).reason());
    accepted(decode(DDATA, Payloads.ddata(2, 1, true)).get(0), DeviceChannel.TELEMETRY);
  }

  @Test
  void deviceDeathIsAnOfflineEventOfTheDevice() {
    born();

    List<ParseResult> records = decode("spBv1.0/plant-1/DDEATH/edge-7/chiller-2",
        Payloads.payload(2).build().toByteArray());

    DeviceEvent e = (DeviceEvent) accepted(records.get(0), DeviceChannel.EVENT).value();
    assertEquals("edge-7.chiller-2", e.getDeviceId());
    assertEquals("DDEATH", e.getAttributes().get(SparkplugDecoder.TYPE_ATTRIBUTE));
  }

  @Test
  void commandSeenOnTheBrokerIsACommandEventWithTheMetricNamesResolved() {
    born();
    byte[] command = Payloads.payload(0).clearSeq().addMetrics(Payloads.aliased(11).setBooleanValue(true))
        .addMetrics(Payloads.named("action", 0, DataType.String).clearAlias().setStringValue("start"))
        .build().toByteArray();

    List<ParseResult> records = decode("spBv1.0/plant-1/DCMD/edge-7/chiller-2", command);

    DeviceEvent e = (DeviceEvent) accepted(records.get(0), DeviceChannel.EVENT).value();
    assertEquals(SparkplugDecoder.COMMAND_EVENT, e.getType());
    assertEquals(Map.of("running", "true", "action", "start"), e.getAttributes());
  }

  @Test
  void restoredBirthsResolveDataWithoutARebirth() {
    SparkplugDecoder first = new SparkplugDecoder(SparkplugIdentity.defaults(), 64 * 1024, Duration.ofMinutes(5));
    List<SparkplugDecoder.Birth> births = new java.util.ArrayList<>();
    births.addAll(first.decode(NBIRTH, Payloads.nbirth(3), RECEIVED).births());
    births.addAll(first.decode(DBIRTH, Payloads.dbirth(1), RECEIVED).births());

    // a second gateway (or this one after a restart) reads the births back
    for (SparkplugDecoder.Birth b : births) {
      decoder.restore(b.scopeKey(), b.payload());
    }
    List<ParseResult> records = decode(DDATA, Payloads.ddata(9, 13.5, true));

    assertEquals(1, records.size(), "no gap is reported for the first message after a restore: " + records);
    assertEquals(13.5, ((Telemetry) accepted(records.get(0), DeviceChannel.TELEMETRY).value()).getMetrics()
        .get("supply_temp_c"));
  }

  @Test
  void anOlderRestoredBirthDoesNotReplaceTheTableInUse() {
    born();
    byte[] older = Payloads.payload(1).setTimestamp(T0 - 1000)
        .addMetrics(Payloads.named("other", 10, DataType.Double).setDoubleValue(1)).build().toByteArray();

    decoder.restore("plant-1/edge-7/chiller-2", older);

    Telemetry t = (Telemetry) accepted(decode(DDATA, Payloads.ddata(2, 13.5, true)).get(0), DeviceChannel.TELEMETRY)
        .value();
    assertTrue(t.getMetrics().containsKey("supply_temp_c"));
  }

  @Test
  void rejectsBadTopicsAndIdsOutsideTheIdentifierSet() {
    assertEquals(DeadLetterReason.BAD_TOPIC, rejected(decode("spBv1.0/plant-1/NDATA", new byte[0]).get(0)).reason());
    assertEquals(DeadLetterReason.BAD_TOPIC,
        rejected(decode("spBv1.0/plant-1/DDATA/edge-7", new byte[0]).get(0)).reason());
    assertEquals(DeadLetterReason.BAD_TOPIC, rejected(decode("spBv1.0/STATE/host-1", new byte[0]).get(0)).reason());
    assertEquals(DeadLetterReason.BAD_IDENTIFIER,
        rejected(decode("spBv1.0/Plant 1/NBIRTH/edge-7", Payloads.nbirth(1)).get(0)).reason());
  }

  @Test
  void identityOverridesMapGroupsNodesAndDevices() {
    SparkplugIdentity identity = SparkplugIdentity.parse("ids", List.of(
        "# overrides", "Plant 1 = plant-1", "Plant 1/Edge 7/Chiller 2 = plant-1/ch-2  # the chiller"));
    SparkplugDecoder mapped = new SparkplugDecoder(identity, 64 * 1024, Duration.ofMinutes(5));
    List<ParseResult> node = mapped.decode("spBv1.0/Plant 1/NBIRTH/Edge 7", Payloads.nbirth(1), RECEIVED).records();
    assertEquals(DeadLetterReason.BAD_IDENTIFIER, rejected(node.get(0)).reason(), "'Edge 7' is no device id");

    List<ParseResult> records = mapped.decode("spBv1.0/Plant 1/DBIRTH/Edge 7/Chiller 2", Payloads.dbirth(1),
        RECEIVED).records();

    ParseResult.Accepted state = accepted(records.get(0), DeviceChannel.STATE);
    assertEquals("ch-2", state.deviceId());
    assertEquals("plant-1", state.site());
  }

  @Test
  void identityFileErrorsNameFileAndLine() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> SparkplugIdentity.parse("ids.txt", List.of("g = site", "g/e = not an id/x")));
    assertTrue(e.getMessage().startsWith("ids.txt:2: "), e.getMessage());
  }

  @Test
  void deadLettersOversizePayloads() {
    SparkplugDecoder small = new SparkplugDecoder(SparkplugIdentity.defaults(), 10, Duration.ofMinutes(5));

    assertEquals(DeadLetterReason.OVERSIZE,
        rejected(small.decode(NBIRTH, Payloads.nbirth(1), RECEIVED).records().get(0)).reason());
  }

  @Test
  void signedAndUnsignedIntegersKeepTheirSign() {
    byte[] birth = Payloads.payload(1)
        .addMetrics(Payloads.named("i8", 1, DataType.Int8).setIntValue(-5 & 0xFFFFFFFF))
        .addMetrics(Payloads.named("u32", 2, DataType.UInt32).setIntValue(0xFFFFFFFF))
        .addMetrics(Payloads.named("i64", 3, DataType.Int64).setLongValue(-2))
        .build().toByteArray();
    decode(NBIRTH, Payloads.nbirth(1));

    List<ParseResult> records = decode(DBIRTH, birth);

    Telemetry t = (Telemetry) accepted(records.get(1), DeviceChannel.TELEMETRY).value();
    assertEquals(Map.of("i8", -5.0, "u32", 4294967295.0, "i64", -2.0), t.getMetrics());
  }
}
