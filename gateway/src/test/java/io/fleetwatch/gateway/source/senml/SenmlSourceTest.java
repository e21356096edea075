package io.fleetwatch.gateway.source.senml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.DeadLetterReason;
import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.gateway.mapping.MqttTopicParser;
import io.fleetwatch.schemas.DeviceChannel;
import io.fleetwatch.gateway.mapping.ParseResult;
import io.fleetwatch.gateway.mapping.PayloadParser;
import io.fleetwatch.gateway.source.TopicPattern;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** RFC 8428 resolution rules (examples modelled on the RFC's section 5) and every SenML dead-letter reason. */
class SenmlSourceTest {
  private static final long RECEIVED_AT = 1_764_100_000_500L;
  private static final String TOPIC = "senml/hq/chiller-01";
  private static final String SITE_TOPIC = "senml-site/hq";

  private final SenmlSource source = new SenmlSource(
      List.of(TopicPattern.parse("senml/{site}/{device}"), TopicPattern.parse("senml-site/{site}")),
      UnitMap.of(Map.of("supply_temp_c", "Cel", "voltage", "V")), PayloadParser.withDefaults());

  private List<ParseResult> decode(String topic, String json) {
    return source.decode(topic, json.getBytes(StandardCharsets.UTF_8), RECEIVED_AT);
  }

  private static Telemetry telemetry(ParseResult result) {
    ParseResult.Accepted accepted = assertInstanceOf(ParseResult.Accepted.class, result, result::toString);
    assertEquals(DeviceChannel.TELEMETRY, accepted.channel());
    return assertInstanceOf(Telemetry.class, accepted.value());
  }

  private static Telemetry only(List<ParseResult> results) {
    assertEquals(1, results.size(), results::toString);
    return telemetry(results.get(0));
  }

  private ParseResult.Rejected rejected(String topic, String json, DeadLetterReason reason) {
    List<ParseResult> results = decode(topic, json);
    assertEquals(1, results.size(), results::toString);
    ParseResult.Rejected rejected = assertInstanceOf(ParseResult.Rejected.class, results.get(0));
    assertEquals(reason, rejected.reason(), rejected::detail);
    return rejected;
  }

  @Test
  void subscribesToEachPatternWithNamedSegmentsAsWildcards() {
    assertEquals(List.of("senml/+/+", "senml-site/+"), source.subscriptions());
    assertTrue(source.matches(TOPIC));
    assertTrue(source.matches(SITE_TOPIC));
    assertFalse(source.matches("senml/hq"));
    assertFalse(source.matches("fleet/hq/chiller-01/telemetry"));
  }

  @Test
  void singleDatapointWithoutBaseNameIsNamedByItsFullName() {
    // RFC 8428 5.1.1; no base name, so the whole name is the metric and time is "now"
    Telemetry t = only(decode(TOPIC, "[{\"n\":\"urn:dev:ow:10e2073a01080063\",\"u\":\"Cel\",\"v\":23.1}]"));

    assertEquals("chiller-01", t.getDeviceId());
    assertEquals("hq", t.getSite());
    assertEquals(Map.of("urn:dev:ow:10e2073a01080063", 23.1), t.getMetrics());
    assertEquals(Instant.ofEpochMilli(RECEIVED_AT), t.getTs());
    assertEquals(Instant.ofEpochMilli(RECEIVED_AT), t.getReceivedAt());
    assertNull(t.getSeq());
  }

  @Test
  void baseNameIsTheDevicePrefixAndTheRestNamesTheMetric() {
    // RFC 8428 5.1.2: multiple datapoints of one device at one time become one record
    Telemetry t = only(decode(TOPIC, "[{\"bn\":\"urn:dev:ow:10e2073a01080063:\",\"n\":\"voltage\",\"u\":\"V\","
        + "\"v\":120.1},{\"n\":\"current\",\"u\":\"A\",\"v\":1.2}]"));

    assertEquals(Map.of("voltage", 120.1, "current", 1.2), t.getMetrics());
  }

  @Test
  void recordsAtDifferentTimesBecomeSeparateTelemetryInTimeOrder() {
    // RFC 8428 5.1.3: base time, base unit, relative t per record; bver 5 is an older version this gateway reads
    List<ParseResult> results = decode(TOPIC, "[{\"bn\":\"urn:dev:ow:10e2073a0108006:\",\"bt\":1.276020076001e+09,"
        + "\"bu\":\"A\",\"bver\":5,\"n\":\"voltage\",\"u\":\"V\",\"v\":120.1},"
        + "{\"n\":\"current\",\"t\":-5,\"v\":1.2},{\"n\":\"current\",\"t\":-4,\"v\":1.3},"
        + "{\"n\":\"current\",\"t\":-3,\"v\":1.4},{\"n\":\"current\",\"t\":-2,\"v\":1.5},"
        + "{\"n\":\"current\",\"t\":-1,\"v\":1.6},{\"n\":\"current\",\"v\":1.7}]");

    assertEquals(6, results.size(), results::toString);
    long bt = 1_276_020_076_001L;
    for (int i = 0; i < 5; i++) {
      Telemetry t = telemetry(results.get(i));
      assertEquals(Instant.ofEpochMilli(bt - (5 - i) * 1000L), t.getTs());
      assertEquals(Map.of("current", 1.2 + i * 0.1), t.getMetrics(), "record at t=" + (i - 5));
    }
    Telemetry last = telemetry(results.get(5));
    assertEquals(Instant.ofEpochMilli(bt), last.getTs());
    assertEquals(Map.of("voltage", 120.1, "current", 1.7), last.getMetrics());
  }

  @Test
  void timesBelowTwoToThe28AreRelativeToTheReceiveTime() {
    // RFC 8428 4.5.3: t = -10 means ten seconds before now; bt + t is resolved first
    List<ParseResult> results = decode(TOPIC, "[{\"bn\":\"d/\",\"bt\":-20,\"n\":\"a\",\"t\":5,\"v\":1},"
        + "{\"n\":\"b\",\"t\":-0.25,\"v\":2}]");

    // b at -20 - 0.25 s comes before a at -20 + 5 s
    assertEquals(Instant.ofEpochMilli(RECEIVED_AT - 20_250), telemetry(results.get(0)).getTs());
    assertEquals(Map.of("b", 2.0), telemetry(results.get(0)).getMetrics());
    assertEquals(Instant.ofEpochMilli(RECEIVED_AT - 15_000), telemetry(results.get(1)).getTs());
    assertEquals(Map.of("a", 1.0), telemetry(results.get(1)).getMetrics());
  }

  @Test
  void twoToThe28SecondsIsTheFirstAbsoluteTime() {
    Telemetry absolute = only(decode(TOPIC, "[{\"n\":\"a\",\"t\":268435456,\"v\":1}]"));
    assertEquals(Instant.ofEpochSecond(268_435_456L), absolute.getTs());

    ParseResult.Rejected relative = rejected(TOPIC, "[{\"n\":\"a\",\"t\":268435455,\"v\":1}]",
        DeadLetterReason.FUTURE_TIMESTAMP);
    assertTrue(relative.detail().startsWith("record 0: time"), relative.detail());
  }

  @Test
  void baseValueAndBaseSumAreAddedAndApplyToLaterRecords() {
    // RFC 8428 4.1: bv is added to v, bs to s, until a record sets them again; a sum is the metric <name>_sum
    Telemetry t = only(decode(TOPIC, "[{\"bn\":\"d/\",\"bv\":20,\"n\":\"temp\",\"v\":1.5},{\"n\":\"temp2\",\"v\":-0.5},"
        + "{\"bs\":100,\"n\":\"energy\",\"u\":\"Wh\",\"s\":5},{\"n\":\"flow\",\"v\":3,\"s\":7},{\"n\":\"meter\"}]"));

    assertEquals(Map.of("temp", 21.5, "temp2", 19.5, "energy_sum", 105.0, "flow", 23.0, "flow_sum", 107.0,
        "meter_sum", 100.0), t.getMetrics());
  }

  @Test
  void booleanValuesAreOneOrZero() {
    Telemetry t = only(decode(TOPIC, "[{\"bn\":\"d/\",\"n\":\"open\",\"vb\":true},{\"n\":\"alarm\",\"vb\":false}]"));

    assertEquals(Map.of("open", 1.0, "alarm", 0.0), t.getMetrics());
  }

  @Test
  void stringAndDataValuesAreNotForwardedAndSaySoInADeadLetter() {
    // RFC 8428 5.1.5: multiple data types
    List<ParseResult> results = decode(TOPIC, "[{\"bn\":\"urn:dev:ow:10e2073a01080063:\",\"n\":\"temp\",\"u\":\"Cel\","
        + "\"v\":23.1},{\"n\":\"label\",\"vs\":\"Machine Room\"},{\"n\":\"open\",\"vb\":false},"
        + "{\"n\":\"nfc-reader\",\"vd\":\"aGkgCg\"}]");

    assertEquals(2, results.size(), results::toString);
    assertEquals(Map.of("temp", 23.1, "open", 0.0), telemetry(results.get(0)).getMetrics());
    ParseResult.Rejected notForwarded = assertInstanceOf(ParseResult.Rejected.class, results.get(1));
    assertEquals(DeadLetterReason.SENML_INVALID, notForwarded.reason());
    assertTrue(notForwarded.detail().startsWith("records 1, 3 carry a string (vs) or data (vd) value"),
        notForwarded.detail());
  }

  @Test
  void aPackOfOnlyStringValuesIsOneDeadLetter() {
    ParseResult.Rejected r = rejected(TOPIC, "[{\"n\":\"label\",\"vs\":\"Machine Room\"}]",
        DeadLetterReason.SENML_INVALID);
    assertTrue(r.detail().endsWith("so nothing was forwarded"), r.detail());
  }

  @Test
  void unitsAreCheckedAgainstTheUnitMap() {
    ParseResult.Rejected r = rejected(TOPIC, "[{\"bn\":\"d/\",\"bu\":\"degF\",\"n\":\"supply_temp_c\",\"v\":71.6}]",
        DeadLetterReason.SENML_UNIT_MISMATCH);
    assertEquals("record 0: supply_temp_c is in 'degF'; the unit map expects 'Cel'", r.detail());

    // the right unit, no unit, and a metric the map does not list all pass
    assertEquals(Map.of("supply_temp_c", 22.0, "voltage", 230.0, "other", 1.0), only(decode(TOPIC,
        "[{\"bn\":\"d/\",\"n\":\"supply_temp_c\",\"u\":\"Cel\",\"v\":22},{\"n\":\"voltage\",\"v\":230},"
            + "{\"n\":\"other\",\"u\":\"degF\",\"v\":1}]")).getMetrics());
  }

  @Test
  void aPackWithoutDeviceInTheTopicNamesDevicesByTheirBaseName() {
    List<ParseResult> results = decode(SITE_TOPIC, "[{\"bn\":\"urn:dev:ow:chiller-01:\",\"n\":\"supply_temp_c\","
        + "\"v\":8.5},{\"bn\":\"boiler-02/\",\"n\":\"pressure_kpa\",\"v\":101.3}]");

    assertEquals(2, results.size(), results::toString);
    assertEquals("chiller-01", telemetry(results.get(0)).getDeviceId());
    assertEquals(Map.of("supply_temp_c", 8.5), telemetry(results.get(0)).getMetrics());
    assertEquals("boiler-02", telemetry(results.get(1)).getDeviceId());
    assertEquals("hq", telemetry(results.get(1)).getSite());
  }

  @Test
  void aSecondBaseNameThatLeavesTheTopicsDeviceIsInvalid() {
    ParseResult.Rejected r = rejected(TOPIC, "[{\"bn\":\"urn:dev:ow:chiller-01:\",\"n\":\"a\",\"v\":1},"
        + "{\"bn\":\"urn:dev:ow:chiller-02:\",\"n\":\"a\",\"v\":2}]", DeadLetterReason.SENML_INVALID);
    assertEquals("record 1: bn 'urn:dev:ow:chiller-02:' leaves the device prefix 'urn:dev:ow:chiller-01:' of the "
        + "pack; the topic names one device, chiller-01", r.detail());

    // a later base name that extends the prefix stays on the device
    assertEquals(Map.of("a", 1.0, "battery/level", 0.9), only(decode(TOPIC,
        "[{\"bn\":\"dev:\",\"n\":\"a\",\"v\":1},{\"bn\":\"dev:battery/\",\"n\":\"level\",\"v\":0.9}]")).getMetrics());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "not an array|{\"n\":\"a\",\"v\":1}|a SenML pack is a JSON array of records, got an object",
      "empty pack|[]|the pack has no records",
      "record not an object|[1]|record 0 must be an object, got 1",
      "unsupported version|[{\"bver\":11,\"n\":\"a\",\"v\":1}]|record 0: bver 11 is not supported; this gateway reads SenML up to version 10 (RFC 8428)",
      "version not an integer|[{\"bver\":1.5,\"n\":\"a\",\"v\":1}]|record 0: bver must be a positive integer, got 1.5",
      "contradicting versions|[{\"bver\":10,\"n\":\"a\",\"v\":1},{\"bver\":5,\"n\":\"b\",\"v\":1}]|record 1: bver 5 contradicts bver 10 of record 0; a pack has one version",
      "two value fields|[{\"n\":\"a\",\"v\":1,\"vb\":true}]|record 0 has two value fields (v and vb); a record carries one",
      "no value and no sum|[{\"n\":\"a\",\"u\":\"Cel\"}]|record 0 has no value (v, vb, vs or vd) and no sum (s or bs)",
      "empty name|[{\"v\":1}]|record 0 has an empty name (bn + n); a record must be named",
      "bad first character|[{\"n\":\"_a\",\"v\":1}]|record 0: name '_a' has '_' at position 0; names use A-Z a-z 0-9 - : . / _ and start with a letter or digit (RFC 8428 section 4.5.1)",
      "bad character|[{\"n\":\"a b\",\"v\":1}]|record 0: name 'a b' has ' ' at position 1; names use A-Z a-z 0-9 - : . / _ and start with a letter or digit (RFC 8428 section 4.5.1)",
      "must-understand field|[{\"n\":\"a\",\"v\":1,\"ct_\":\"60\"}]|record 0: field 'ct_' must be understood (RFC 8428 section 4.4) and this gateway does not know it",
      "value of the wrong type|[{\"n\":\"a\",\"v\":\"1\"}]|record 0: v must be a number, got a string",
      "boolean of the wrong type|[{\"n\":\"a\",\"vb\":1}]|record 0: vb must be true or false, got 1",
      "name of the wrong type|[{\"bn\":5,\"v\":1}]|record 0: bn must be a string, got 5",
      "same metric twice at one time|[{\"bn\":\"d/\",\"n\":\"a\",\"v\":1},{\"n\":\"a\",\"v\":2}]|record 1 repeats a of record 0 for the same device and time",
      "no metric after the prefix|[{\"bn\":\"d/\",\"n\":\"a\",\"v\":1},{\"n\":\"\",\"v\":2}]|record 1: metric name '' (name 'd/' after the device prefix) must be 1-128 characters",
  })
  void invalidPacksAreDeadLetteredWithTheExactReason(String title, String pack, String detail) {
    assertEquals(detail, rejected(TOPIC, pack, DeadLetterReason.SENML_INVALID).detail(), title);
  }

  @Test
  void aDeviceOnlyInTheBaseNameMustBeAnIdentifier() {
    assertEquals("record 0 has no base name (bn), and the topic pattern names no device",
        rejected(SITE_TOPIC, "[{\"n\":\"a\",\"v\":1}]", DeadLetterReason.SENML_INVALID).detail());
    String tooLong = "d".repeat(65);
    assertEquals("record 0: deviceId '" + tooLong + "' (last segment of bn 'urn:" + tooLong + ":') must match "
        + "[A-Za-z0-9._-]{1,64}", rejected(SITE_TOPIC, "[{\"bn\":\"urn:" + tooLong + ":\",\"n\":\"x\",\"v\":1}]",
        DeadLetterReason.BAD_IDENTIFIER).detail());
  }

  @Test
  void topicSegmentsMustBeIdentifiers() {
    assertEquals("site 'h q' must match [A-Za-z0-9._-]{1,64}",
        rejected("senml/h q/d", "[{\"n\":\"a\",\"v\":1}]", DeadLetterReason.BAD_IDENTIFIER).detail());
  }

  @Test
  void timesBeyondTheContractAreRejectedAsOnTheNativeTopics() {
    rejected(TOPIC, "[{\"n\":\"a\",\"t\":4e9,\"v\":1}]", DeadLetterReason.FUTURE_TIMESTAMP);
    rejected(TOPIC, "[{\"n\":\"a\",\"t\":-2e9,\"v\":1}]", DeadLetterReason.INVALID_TIMESTAMP);
    rejected(TOPIC, "[{\"n\":\"a\",\"t\":1e300,\"v\":1}]", DeadLetterReason.INVALID_TIMESTAMP);
  }

  @Test
  void payloadsThatAreNoJsonAreRejectedAsOnTheNativeTopics() {
    rejected(TOPIC, "[{\"n\":\"a\",\"v\":1}", DeadLetterReason.MALFORMED_JSON);
    rejected(TOPIC, "[{\"n\":\"a\",\"v\":1,\"v\":2}]", DeadLetterReason.MALFORMED_JSON);
    rejected(TOPIC, "[{\"n\":\"a\",\"v\":NaN}]", DeadLetterReason.MALFORMED_JSON);
    rejected(TOPIC, "[" + "[".repeat(40) + "]".repeat(40) + "]", DeadLetterReason.INVALID_FIELD);
    List<ParseResult> oversize = source.decode(TOPIC, new byte[PayloadParser.DEFAULT_MAX_PAYLOAD_BYTES + 1],
        RECEIVED_AT);
    assertEquals(DeadLetterReason.OVERSIZE, ((ParseResult.Rejected) oversize.get(0)).reason());
  }

  @Test
  void anOverheatPackIsTheRecordTheNativeContractMakes() {
    // Given the README's overheat of hq/chiller-01 as a SenML pack with an absolute time
    List<ParseResult> senml = decode(TOPIC, "[{\"bn\":\"urn:dev:ow:chiller-01:\",\"bt\":1764100000.123,"
        + "\"n\":\"supply_temp_c\",\"u\":\"Cel\",\"v\":15.0}]");

    // Then it is the record of the same reading on the native topic
    ParseResult nativeResult = PayloadParser.withDefaults().parse(
        MqttTopicParser.withDefaultRoot().parse("fleet/hq/chiller-01/telemetry"),
        "{\"ts\":1764100000123,\"metrics\":{\"supply_temp_c\":15.0}}".getBytes(StandardCharsets.UTF_8), RECEIVED_AT);
    assertInstanceOf(ParseResult.Accepted.class, nativeResult);
    assertEquals(List.of(nativeResult), senml);
  }

  @Test
  void unknownFieldsAndUpdateTimeAreIgnored() {
    assertEquals(Map.of("a", 1.0), only(decode(TOPIC, "[{\"n\":\"a\",\"v\":1,\"ut\":60,\"l\":\"x\"}]")).getMetrics());
  }
}
