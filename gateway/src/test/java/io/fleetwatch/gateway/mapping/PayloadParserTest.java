package io.fleetwatch.gateway.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fleetwatch.avro.Component;
import io.fleetwatch.avro.DeadLetterReason;
import io.fleetwatch.avro.DeviceEvent;
import io.fleetwatch.avro.DeviceState;
import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.schemas.DeviceChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PayloadParserTest {
  private static final long RECEIVED_AT = 1_764_100_000_500L;
  private static final MqttTopic TELEMETRY = new MqttTopic("plant-1", "chiller-7", DeviceChannel.TELEMETRY);
  private static final MqttTopic EVENT = new MqttTopic("plant-1", "chiller-7", DeviceChannel.EVENT);
  private static final MqttTopic STATE = new MqttTopic("plant-1", "chiller-7", DeviceChannel.STATE);

  private final PayloadParser parser = PayloadParser.withDefaults();

  private ParseResult parse(MqttTopic topic, String json) {
    return parser.parse(topic, json.getBytes(StandardCharsets.UTF_8), RECEIVED_AT);
  }

  private static <T> T accepted(ParseResult result, Class<T> type) {
    ParseResult.Accepted accepted = assertInstanceOf(ParseResult.Accepted.class, result, result::toString);
    return assertInstanceOf(type, accepted.value());
  }

  @Test
  void parsesTelemetryWithEpochMillisTimestamp() {
    ParseResult result = parse(TELEMETRY,
        "{\"ts\": 1764100000123, \"seq\": 42, \"metrics\": {\"temperature_c\": 71.5, \"pressure_kpa\": 101}}");

    ParseResult.Accepted accepted = assertInstanceOf(ParseResult.Accepted.class, result);
    assertEquals(DeviceChannel.TELEMETRY, accepted.channel());
    assertEquals("chiller-7", accepted.deviceId());
    assertEquals("plant-1", accepted.site());
    Telemetry t = (Telemetry) accepted.value();
    assertEquals("chiller-7", t.getDeviceId());
    assertEquals("plant-1", t.getSite());
    assertEquals(Instant.ofEpochMilli(1_764_100_000_123L), t.getTs());
    assertEquals(Instant.ofEpochMilli(RECEIVED_AT), t.getReceivedAt());
    assertEquals(42L, t.getSeq());
    assertEquals(Map.of("temperature_c", 71.5, "pressure_kpa", 101.0), t.getMetrics());
  }

  @Test
  void parsesTelemetryWithIsoInstantTimestamp() {
    Telemetry t = accepted(parse(TELEMETRY, "{\"ts\":\"2025-11-25T19:46:40.123Z\",\"metrics\":{\"t\":-3.25e1}}"),
        Telemetry.class);

    assertEquals(Instant.parse("2025-11-25T19:46:40.123Z"), t.getTs());
    assertNull(t.getSeq());
    assertEquals(Map.of("t", -32.5), t.getMetrics());
  }

  @Test
  void parsesIsoInstantWithOffset() {
    Telemetry t = accepted(parse(TELEMETRY, "{\"ts\":\"2025-11-25T20:46:40+01:00\",\"metrics\":{}}"), Telemetry.class);

    assertEquals(Instant.parse("2025-11-25T19:46:40Z"), t.getTs());
  }

  @Test
  void keepsTelemetryWithoutMetricsAsHeartbeat() {
    Telemetry t = accepted(parse(TELEMETRY, "{\"ts\":1764100000000,\"seq\":null,\"metrics\":{}}"), Telemetry.class);

    assertEquals(Map.of(), t.getMetrics());
    assertNull(t.getSeq());
  }

  @Test
  void ignoresUnknownFieldsWithNestedValues() {
    Telemetry t = accepted(parse(TELEMETRY,
        "{\"fw\":{\"a\":[1,{\"b\":null}],\"c\":\"d\"},\"ts\":1764100000000,\"extra\":[[]],\"metrics\":{\"x\":1}}"),
        Telemetry.class);

    assertEquals(Map.of("x", 1.0), t.getMetrics());
  }

  @Test
  void acceptsTimestampExactlyAtTheSkewLimitAndRejectsOneMillisecondBeyond() {
    long limit = RECEIVED_AT + PayloadParser.DEFAULT_MAX_FUTURE_SKEW.toMillis();

    accepted(parse(TELEMETRY, "{\"ts\":" + limit + ",\"metrics\":{}}"), Telemetry.class);
    ParseResult beyond = parse(TELEMETRY, "{\"ts\":" + (limit + 1) + ",\"metrics\":{}}");

    assertEquals(DeadLetterReason.FUTURE_TIMESTAMP, assertInstanceOf(ParseResult.Rejected.class, beyond).reason());
  }

  @Test
  void parsesEventKeepingScalarAttributesAsText() {
    DeviceEvent e = accepted(parse(EVENT, "{\"ts\":1764100000123,\"seq\":43,\"type\":\"auth_failure\","
        + "\"attributes\":{\"source\":\"10.1.2.3\",\"user\":\"admin\",\"attempts\":3,\"ratio\":0.50,"
        + "\"locked\":true,\"note\":null}}"), DeviceEvent.class);

    assertEquals("auth_failure", e.getType());
    assertEquals(43L, e.getSeq());
    assertEquals(Instant.ofEpochMilli(1_764_100_000_123L), e.getTs());
    assertEquals(Map.of("source", "10.1.2.3", "user", "admin", "attempts", "3", "ratio", "0.50", "locked", "true"),
        e.getAttributes());
  }

  @Test
  void parsesEventWithoutAttributes() {
    DeviceEvent e = accepted(parse(EVENT, "{\"type\":\"boot\",\"ts\":\"2025-11-25T19:46:40Z\"}"), DeviceEvent.class);

    assertEquals("boot", e.getType());
    assertEquals(Map.of(), e.getAttributes());
  }

  @Test
  void acceptsEventTypeAddedByConfiguration() {
    PayloadParser custom = new PayloadParser(1024, Duration.ofMinutes(1), Set.of("door_opened"));

    ParseResult ok = custom.parse(EVENT, "{\"ts\":1,\"type\":\"door_opened\"}".getBytes(StandardCharsets.UTF_8),
        RECEIVED_AT);
    ParseResult boot = custom.parse(EVENT, "{\"ts\":1,\"type\":\"boot\"}".getBytes(StandardCharsets.UTF_8),
        RECEIVED_AT);

    assertEquals("door_opened", accepted(ok, DeviceEvent.class).getType());
    assertEquals(DeadLetterReason.UNKNOWN_EVENT_TYPE, assertInstanceOf(ParseResult.Rejected.class, boot).reason());
  }

  @Test
  void parsesFullStateReport() {
    DeviceState s = accepted(parse(STATE, "{\"ts\":1764100000123,\"model\":\"CH-200\",\"vendor\":\"acme\","
        + "\"firmware\":\"2.4.1\",\"config_hash\":\"sha256:ab\",\"open_ports\":[443,22],\"tls\":\"1.3\","
        + "\"security_state\":\"normal\",\"mode\":\"running\",\"components\":[{\"purl\":\"pkg:generic/openssl@1.1.1k\"},"
        + "{\"cpe\":\"cpe:2.3:a:busybox:busybox:1.36:*:*:*:*:*:*:*\",\"version\":\"1.36\",\"license\":\"GPL\"}]}"),
        DeviceState.class);

    assertEquals(Instant.ofEpochMilli(1_764_100_000_123L), s.getTs());
    assertEquals("CH-200", s.getModel());
    assertEquals("acme", s.getVendor());
    assertEquals("2.4.1", s.getFirmware());
    assertEquals("sha256:ab", s.getConfigHash());
    assertEquals(List.of(443, 22), s.getOpenPorts());
    assertEquals("1.3", s.getTls());
    assertEquals("normal", s.getSecurityState());
    assertEquals("running", s.getMode());
    assertEquals(List.of(new Component("pkg:generic/openssl@1.1.1k", null, null),
        new Component(null, "cpe:2.3:a:busybox:busybox:1.36:*:*:*:*:*:*:*", "1.36")), s.getComponents());
  }

  @Test
  void parsesMinimalStateReportWithNulls() {
    DeviceState s = accepted(parse(STATE, "{\"ts\":\"2025-11-25T19:46:40Z\",\"model\":null,\"open_ports\":null}"),
        DeviceState.class);

    assertNull(s.getModel());
    assertNull(s.getOpenPorts());
    assertEquals(List.of(), s.getComponents());
  }

  @Test
  void acceptsPayloadExactlyAtTheSizeLimit() {
    String json = RejectionCorpusTest.padded(PayloadParser.DEFAULT_MAX_PAYLOAD_BYTES);

    accepted(parse(TELEMETRY, json), Telemetry.class);
  }

  @Test
  void rejectsNullPayloadAsMalformed() {
    ParseResult result = parser.parse(TELEMETRY, null, RECEIVED_AT);

    assertEquals(DeadLetterReason.MALFORMED_JSON, assertInstanceOf(ParseResult.Rejected.class, result).reason());
  }

  @Test
  void acceptsUtf8BomAndNonAsciiText() {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    byte[] json = "{\"ts\":1,\"type\":\"boot\",\"attributes\":{\"ort\":\"Köln ✓ 😀\"}}".getBytes(StandardCharsets.UTF_8);
    byte[] payload = new byte[bom.length + json.length];
    System.arraycopy(bom, 0, payload, 0, bom.length);
    System.arraycopy(json, 0, payload, bom.length, json.length);

    DeviceEvent e = accepted(parser.parse(EVENT, payload, RECEIVED_AT), DeviceEvent.class);

    assertEquals("Köln ✓ 😀", e.getAttributes().get("ort"));
  }
}
