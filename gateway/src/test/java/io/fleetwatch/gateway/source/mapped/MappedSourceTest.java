package io.fleetwatch.gateway.source.mapped;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.DeadLetterReason;
import io.fleetwatch.avro.DeviceEvent;
import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.gateway.mapping.ParseResult;
import io.fleetwatch.gateway.mapping.PayloadParser;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Applying mappings to messages: value sources, conversions, time formats, and every dead-letter reason. */
class MappedSourceTest {
  private static final long RECEIVED_AT = Instant.parse("2026-12-02T08:00:00Z").toEpochMilli();

  private final MappedSource source = new MappedSource(MappingFile.read("test.yaml", new StringReader("""
      apiVersion: fleetwatch.io/v1
      kind: PayloadMappings
      mappings:
        - id: temp
          topic: v/{site}/{device}/t
          when: {/kind: temp, /sensor: 2}
          ts: {pointer: /at, format: epoch-s}
          seq: {pointer: /n}
          telemetry:
            t_c: {pointer: /v, from: degF, to: Cel}
            bar: {pointer: /p, from: kPa, to: bar}
            raw: {pointer: /r, scale: 0.5, offset: -3}
            fixed: {value: 7}
            on: {pointer: /on}
        - id: temp-ms
          topic: v/{site}/{device}/t
          when: {/kind: temp-ms}
          ts: {pointer: /at, format: epoch-ms}
          telemetry:
            t_c: {pointer: /v}
        - id: iso-local
          topic: v/{site}/{device}/t
          when: {/kind: local}
          ts: {pointer: /at, format: iso-8601, zone: Asia/Tokyo}
          telemetry:
            t_c: {pointer: /v}
        - id: door
          topic: v/{site}/+/{device}/e
          ts: {pointer: /at, format: iso-8601}
          event:
            type: {pointer: /evt}
            attributes:
              user: {pointer: /who}
              count: {pointer: /n}
              optional: {pointer: /absent}
              via: {value: door-gw}
        - id: ports
          topic: v/{site}/{device}/s
          state:
            open_ports: {pointer: /ports}
            mode: {value: running}
      """)), PayloadParser.withDefaults());

  private List<ParseResult> decode(String topic, String json) {
    return source.decode(topic, json.getBytes(StandardCharsets.UTF_8), RECEIVED_AT);
  }

  private <T> T accepted(String topic, String json, Class<T> type) {
    List<ParseResult> results = decode(topic, json);
    assertEquals(1, results.size());
    ParseResult.Accepted a = assertInstanceOf(ParseResult.Accepted.class, results.get(0), results::toString);
    return assertInstanceOf(type, a.value());
  }

  private String rejected(String topic, String json, DeadLetterReason reason) {
    List<ParseResult> results = decode(topic, json);
    assertEquals(1, results.size());
    ParseResult.Rejected r = assertInstanceOf(ParseResult.Rejected.class, results.get(0), results::toString);
    assertEquals(reason, r.reason(), r::detail);
    return r.detail();
  }

  @Test
  void subscribesToEachDistinctTopicPattern() {
    assertEquals(List.of("v/+/+/t", "v/+/+/+/e", "v/+/+/s"), source.subscriptions());
    assertTrue(source.matches("v/hq/gw-1/door-3/e"));
    assertFalse(source.matches("v/hq/door-3/e"));
    assertEquals("mapped", source.name());
  }

  @Test
  void mapsPointersConstantsConversionsScaleAndBooleans() {
    Telemetry t = accepted("v/hq/ahu-1/t", "{\"kind\":\"temp\",\"sensor\":2.0,\"at\":1796198400.5,\"n\":9,"
        + "\"v\":212,\"p\":250,\"r\":10,\"on\":false}", Telemetry.class);

    assertEquals("ahu-1", t.getDeviceId());
    assertEquals("hq", t.getSite());
    assertEquals(Instant.ofEpochMilli(1_796_198_400_500L), t.getTs());
    assertEquals(9L, t.getSeq());
    assertEquals(Map.of("t_c", 100.0, "bar", 2.5, "raw", 2.0, "fixed", 7.0, "on", 0.0), t.getMetrics());
  }

  @Test
  void readsEpochMillisAndLocalIsoTimesInTheirZone() {
    assertEquals(Instant.ofEpochMilli(1_796_198_400_123L), accepted("v/hq/d/t",
        "{\"kind\":\"temp-ms\",\"at\":1796198400123,\"v\":1}", Telemetry.class).getTs());
    assertEquals(Instant.parse("2026-12-02T07:59:00Z"), accepted("v/hq/d/t",
        "{\"kind\":\"local\",\"at\":\"2026-12-02T16:59:00\",\"v\":1}", Telemetry.class).getTs());
    assertEquals(Instant.parse("2026-12-02T07:59:00Z"), accepted("v/hq/d/t",
        "{\"kind\":\"local\",\"at\":\"2026-12-02T08:59:00+01:00\",\"v\":1}", Telemetry.class).getTs());
  }

  @Test
  void mapsEventsWithScalarAttributesAndSkipsAbsentOnes() {
    DeviceEvent e = accepted("v/hq/gw-1/door-3/e", "{\"at\":\"2026-12-02T07:59:59Z\",\"evt\":\"auth_failure\","
        + "\"who\":\"admin\",\"n\":3}", DeviceEvent.class);

    assertEquals("door-3", e.getDeviceId());
    assertEquals("auth_failure", e.getType());
    assertEquals(Map.of("user", "admin", "count", "3", "via", "door-gw"), e.getAttributes());
  }

  @Test
  void noMappingMatchingThePayloadNamesEachCandidateAndItsFailedCondition() {
    assertEquals("no mapping for topic 'v/hq/d/t' matches the payload: temp: /kind is 'humidity', not 'temp'; "
        + "temp-ms: /kind is 'humidity', not 'temp-ms'; iso-local: /kind is 'humidity', not 'local'",
        rejected("v/hq/d/t", "{\"kind\":\"humidity\",\"v\":1}", DeadLetterReason.MAPPING_NO_MATCH));
    assertTrue(rejected("v/hq/d/t", "{\"kind\":\"temp\",\"sensor\":3}", DeadLetterReason.MAPPING_NO_MATCH)
        .startsWith("no mapping for topic 'v/hq/d/t' matches the payload: temp: /sensor is 3, not '2'; "));
    assertTrue(rejected("v/hq/d/t", "[1,2]", DeadLetterReason.MAPPING_NO_MATCH)
        .contains("temp: /kind is missing, expected 'temp'"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "pointer finds nothing|{\"kind\":\"temp-ms\",\"at\":1796198400123}|mapping 'temp-ms': telemetry.t_c: /v is missing",
      "metric not a number|{\"kind\":\"temp-ms\",\"at\":1796198400123,\"v\":\"hot\"}|mapping 'temp-ms': telemetry.t_c: /v must be a number, got \"hot\"",
      "time missing|{\"kind\":\"temp-ms\",\"v\":1}|mapping 'temp-ms': ts: /at is missing",
      "epoch time not a number|{\"kind\":\"temp-ms\",\"at\":\"now\",\"v\":1}|mapping 'temp-ms': ts: /at must be epoch milliseconds (a number), got \"now\"",
      "iso time unparsable|{\"kind\":\"local\",\"at\":\"yesterday\",\"v\":1}|mapping 'iso-local': ts: 'yesterday' does not parse as an ISO-8601 instant or local date-time in Asia/Tokyo",
      "negative sequence|{\"kind\":\"temp\",\"sensor\":2,\"at\":1796198400,\"n\":-1,\"v\":1,\"p\":1,\"r\":1,\"on\":true}|mapping 'temp': seq: /n must be a non-negative 64-bit integer, got -1",
  })
  void aMappingThatCannotMakeItsRecordFailsWithItsIdAndTheReason(String title, String json, String detail) {
    assertEquals(detail, rejected("v/hq/d/t", json, DeadLetterReason.MAPPING_FAILED), title);
  }

  @Test
  void stateAndEventFieldsOfTheWrongShapeFail() {
    assertEquals("mapping 'ports': state.open_ports[1] must be a port number 0-65535, got 70000",
        rejected("v/hq/d/s", "{\"ports\":[22,70000]}", DeadLetterReason.MAPPING_FAILED));
    assertEquals("mapping 'door': event.attributes.user: /who must be a string, number or boolean, got object",
        rejected("v/hq/g/d/e", "{\"at\":\"2026-12-02T07:59:59Z\",\"evt\":\"boot\",\"who\":{}}",
            DeadLetterReason.MAPPING_FAILED));
  }

  @Test
  void theContractsOwnChecksKeepTheirReasonsWithTheMappingId() {
    assertTrue(rejected("v/hq/g/d/e", "{\"at\":\"2026-12-02T07:59:59Z\",\"evt\":\"party\"}",
        DeadLetterReason.UNKNOWN_EVENT_TYPE).startsWith("mapping 'door': type 'party' is not a known event type"));
    assertTrue(rejected("v/hq/d/t", "{\"kind\":\"temp-ms\",\"at\":1896198400123,\"v\":1}",
        DeadLetterReason.FUTURE_TIMESTAMP).startsWith("mapping 'temp-ms': ts 2030-"));
    assertEquals("deviceId 'd d' must match [A-Za-z0-9._-]{1,64}",
        rejected("v/hq/d d/s", "{\"ports\":[]}", DeadLetterReason.BAD_IDENTIFIER));
    rejected("v/hq/d/s", "{\"ports\":", DeadLetterReason.MALFORMED_JSON);
    rejected("v/hq/d/s", "{\"ports\":[],\"ports\":[]}", DeadLetterReason.MALFORMED_JSON);
  }
}
