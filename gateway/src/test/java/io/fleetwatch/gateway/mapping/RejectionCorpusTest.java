package io.fleetwatch.gateway.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Malformed messages, each with the reason and the detail that must name the problem. */
class RejectionCorpusTest {
  static final long RECEIVED_AT = 1_764_100_000_000L;
  private static final String TELEMETRY = "fleet/plant-1/chiller-7/telemetry";
  private static final String EVENT = "fleet/plant-1/chiller-7/event";
  private static final String STATE = "fleet/plant-1/chiller-7/state";

  record Case(String name, String topic, byte[] payload, DeadLetterReason reason, String detailFragment) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Case text(String name, String topic, String payload, DeadLetterReason reason, String fragment) {
    return new Case(name, topic, payload.getBytes(StandardCharsets.UTF_8), reason, fragment);
  }

  private static Case bytes(String name, String topic, byte[] payload, DeadLetterReason reason, String fragment) {
    return new Case(name, topic, payload, reason, fragment);
  }

  private static byte[] concat(String before, int[] raw, String after) {
    byte[] a = before.getBytes(StandardCharsets.UTF_8);
    byte[] c = after.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[a.length + raw.length + c.length];
    System.arraycopy(a, 0, out, 0, a.length);
    for (int i = 0; i < raw.length; i++) {
      out[a.length + i] = (byte) raw[i];
    }
    System.arraycopy(c, 0, out, a.length + raw.length, c.length);
    return out;
  }

  /** A valid telemetry object padded with spaces to exactly {@code size} bytes. */
  static String padded(int size) {
    String json = "{\"ts\":1764100000000,\"metrics\":{}}";
    return json + " ".repeat(size - json.length());
  }

  static List<Case> corpus() {
    String ok = "{\"ts\":1764100000000,\"metrics\":{\"t\":1.5}}";
    String deep = "{\"ts\":1764100000000,\"metrics\":{},\"x\":" + "[".repeat(40) + "]".repeat(40) + "}";
    List<Case> cases = new ArrayList<>();
    // topic
    cases.add(text("topic with three segments", "fleet/plant-1/chiller-7", ok, DeadLetterReason.BAD_TOPIC, "4 segments"));
    cases.add(text("topic with five segments", "fleet/plant-1/chiller-7/telemetry/x", ok, DeadLetterReason.BAD_TOPIC,
        "4 segments"));
    cases.add(text("topic under another root", "other/plant-1/chiller-7/telemetry", ok, DeadLetterReason.BAD_TOPIC,
        "must start with 'fleet/'"));
    cases.add(text("site with a space", "fleet/plant 1/chiller-7/telemetry", ok, DeadLetterReason.BAD_IDENTIFIER,
        "site"));
    cases.add(text("empty site", "fleet//chiller-7/telemetry", ok, DeadLetterReason.BAD_IDENTIFIER, "site"));
    cases.add(text("device id of 65 characters", "fleet/plant-1/" + "d".repeat(65) + "/telemetry", ok,
        DeadLetterReason.BAD_IDENTIFIER, "deviceId"));
    cases.add(text("device id with a plus sign", "fleet/plant-1/chiller+7/telemetry", ok,
        DeadLetterReason.BAD_IDENTIFIER, "deviceId"));
    cases.add(text("unknown channel", "fleet/plant-1/chiller-7/command", ok, DeadLetterReason.UNKNOWN_CHANNEL,
        "channel 'command'"));
    // size and encoding
    cases.add(text("payload one byte over 64 KiB", TELEMETRY,
        padded(64 * 1024 + 1), DeadLetterReason.OVERSIZE, "65537 bytes"));
    cases.add(bytes("lone continuation byte", TELEMETRY, concat("{\"ts\":1,\"metrics\":{\"a", new int[] {0xFF}, "\":1}}"),
        DeadLetterReason.INVALID_UTF8, "byte offset 21"));
    cases.add(bytes("overlong encoding of slash", TELEMETRY, concat("{\"x\":\"", new int[] {0xC0, 0xAF}, "\"}"),
        DeadLetterReason.INVALID_UTF8, "UTF-8"));
    cases.add(bytes("encoded UTF-16 surrogate", TELEMETRY, concat("{\"x\":\"", new int[] {0xED, 0xA0, 0x80}, "\"}"),
        DeadLetterReason.INVALID_UTF8, "UTF-8"));
    cases.add(bytes("truncated multi-byte sequence at the end", TELEMETRY, concat("{}", new int[] {0xE2, 0x82}, ""),
        DeadLetterReason.INVALID_UTF8, "byte offset 2"));
    cases.add(bytes("latin-1 text", TELEMETRY, concat("{\"site\":\"K", new int[] {0xF6}, "ln\"}"),
        DeadLetterReason.INVALID_UTF8, "UTF-8"));
    // JSON syntax
    cases.add(text("empty payload", TELEMETRY, "", DeadLetterReason.MALFORMED_JSON, "empty"));
    cases.add(text("whitespace only", TELEMETRY, "  \n\t ", DeadLetterReason.MALFORMED_JSON, "empty"));
    cases.add(text("truncated object", TELEMETRY, "{\"ts\":1764100000000,", DeadLetterReason.MALFORMED_JSON,
        "not valid JSON"));
    cases.add(text("unquoted field names", TELEMETRY, "{ts:1764100000000}", DeadLetterReason.MALFORMED_JSON,
        "not valid JSON"));
    cases.add(text("single-quoted strings", EVENT, "{'ts':1}", DeadLetterReason.MALFORMED_JSON, "not valid JSON"));
    cases.add(text("trailing comma", TELEMETRY, "{\"ts\":1764100000000,\"metrics\":{},}",
        DeadLetterReason.MALFORMED_JSON, "not valid JSON"));
    cases.add(text("garbage after the object", TELEMETRY, ok + " x", DeadLetterReason.MALFORMED_JSON,
        "not valid JSON"));
    cases.add(text("second object after the first", TELEMETRY, ok + " {}", DeadLetterReason.MALFORMED_JSON,
        "after the JSON object"));
    cases.add(bytes("raw NUL byte", TELEMETRY, concat("{\"ts\":1", new int[] {0}, "}"),
        DeadLetterReason.MALFORMED_JSON, "NUL"));
    cases.add(text("bare word", TELEMETRY, "hello", DeadLetterReason.MALFORMED_JSON, "not valid JSON"));
    // shape
    cases.add(text("array at the root", TELEMETRY, "[1,2]", DeadLetterReason.NOT_AN_OBJECT, "an array"));
    cases.add(text("number at the root", TELEMETRY, "42", DeadLetterReason.NOT_AN_OBJECT, "an integer"));
    cases.add(text("string at the root", EVENT, "\"boot\"", DeadLetterReason.NOT_AN_OBJECT, "a string"));
    cases.add(text("null at the root", STATE, "null", DeadLetterReason.NOT_AN_OBJECT, "null"));
    // missing fields
    cases.add(text("telemetry without ts", TELEMETRY, "{\"metrics\":{\"t\":1}}", DeadLetterReason.MISSING_FIELD,
        "ts is required"));
    cases.add(text("telemetry without metrics", TELEMETRY, "{\"ts\":1764100000000}", DeadLetterReason.MISSING_FIELD,
        "metrics is required"));
    cases.add(text("event without type", EVENT, "{\"ts\":1764100000000}", DeadLetterReason.MISSING_FIELD,
        "type is required"));
    cases.add(text("state without ts", STATE, "{\"model\":\"CH-200\"}", DeadLetterReason.MISSING_FIELD,
        "ts is required"));
    cases.add(text("component without purl or cpe", STATE,
        "{\"ts\":1764100000000,\"components\":[{\"version\":\"1.0\"}]}", DeadLetterReason.MISSING_FIELD,
        "components[0]"));
    // invalid fields
    cases.add(text("metric given as a string", TELEMETRY, "{\"ts\":1764100000000,\"metrics\":{\"t\":\"hot\"}}",
        DeadLetterReason.INVALID_FIELD, "metrics.t must be a number"));
    cases.add(text("metric NaN", TELEMETRY, "{\"ts\":1764100000000,\"metrics\":{\"t\":NaN}}",
        DeadLetterReason.INVALID_FIELD, "metrics.t must be a finite number"));
    cases.add(text("metric -Infinity", TELEMETRY, "{\"ts\":1764100000000,\"metrics\":{\"p\":-Infinity}}",
        DeadLetterReason.INVALID_FIELD, "metrics.p must be a finite number"));
    cases.add(text("metric overflowing a double", TELEMETRY, "{\"ts\":1764100000000,\"metrics\":{\"t\":1e400}}",
        DeadLetterReason.INVALID_FIELD, "metrics.t must be a finite number"));
    cases.add(text("metric null", TELEMETRY, "{\"ts\":1764100000000,\"metrics\":{\"t\":null}}",
        DeadLetterReason.INVALID_FIELD, "metrics.t must be a number"));
    cases.add(text("metrics as an array", TELEMETRY, "{\"ts\":1764100000000,\"metrics\":[1,2]}",
        DeadLetterReason.INVALID_FIELD, "metrics must be an object"));
    cases.add(text("metric named twice", TELEMETRY, "{\"ts\":1764100000000,\"metrics\":{\"t\":1,\"t\":2}}",
        DeadLetterReason.INVALID_FIELD, "metrics.t appears more than once"));
    cases.add(text("ts given twice", TELEMETRY, "{\"ts\":1764100000000,\"ts\":1764100000001,\"metrics\":{}}",
        DeadLetterReason.INVALID_FIELD, "ts appears more than once"));
    cases.add(text("negative seq", TELEMETRY, "{\"ts\":1764100000000,\"seq\":-1,\"metrics\":{}}",
        DeadLetterReason.INVALID_FIELD, "seq must be a non-negative"));
    cases.add(text("decimal seq", EVENT, "{\"ts\":1764100000000,\"seq\":1.5,\"type\":\"boot\"}",
        DeadLetterReason.INVALID_FIELD, "seq must be a non-negative"));
    cases.add(text("seq as a string", STATE, "{\"ts\":1764100000000,\"seq\":\"7\"}", DeadLetterReason.INVALID_FIELD,
        "seq must be a non-negative"));
    cases.add(text("nesting 40 levels deep in an unknown field", TELEMETRY, deep, DeadLetterReason.INVALID_FIELD,
        "nesting deeper than 32"));
    cases.add(text("attribute holding an object", EVENT,
        "{\"ts\":1764100000000,\"type\":\"boot\",\"attributes\":{\"a\":{\"b\":1}}}", DeadLetterReason.INVALID_FIELD,
        "attributes.a must be a scalar"));
    cases.add(text("attributes as a string", EVENT, "{\"ts\":1764100000000,\"type\":\"boot\",\"attributes\":\"x\"}",
        DeadLetterReason.INVALID_FIELD, "attributes must be an object"));
    cases.add(text("event type as a number", EVENT, "{\"ts\":1764100000000,\"type\":7}", DeadLetterReason.INVALID_FIELD,
        "type must be a string"));
    cases.add(text("port above 65535", STATE, "{\"ts\":1764100000000,\"open_ports\":[443,70000]}",
        DeadLetterReason.INVALID_FIELD, "open_ports[1]"));
    cases.add(text("model as a number", STATE, "{\"ts\":1764100000000,\"model\":200}", DeadLetterReason.INVALID_FIELD,
        "model must be a string or null"));
    cases.add(text("components as an object", STATE, "{\"ts\":1764100000000,\"components\":{\"purl\":\"p\"}}",
        DeadLetterReason.INVALID_FIELD, "components must be an array"));
    // timestamps
    cases.add(text("ts as a word", TELEMETRY, "{\"ts\":\"yesterday\",\"metrics\":{}}",
        DeadLetterReason.INVALID_TIMESTAMP, "ts 'yesterday' is not an ISO-8601 instant"));
    cases.add(text("ts as a boolean", TELEMETRY, "{\"ts\":true,\"metrics\":{}}", DeadLetterReason.INVALID_TIMESTAMP,
        "ts must be epoch milliseconds"));
    cases.add(text("ts before 1970", EVENT, "{\"ts\":-5,\"type\":\"boot\"}", DeadLetterReason.INVALID_TIMESTAMP,
        "before 1970"));
    cases.add(text("ts with a fraction", TELEMETRY, "{\"ts\":1764100000000.5,\"metrics\":{}}",
        DeadLetterReason.INVALID_TIMESTAMP, "got a decimal number"));
    cases.add(text("ts beyond 64 bits", STATE, "{\"ts\":123456789012345678901234567890}",
        DeadLetterReason.INVALID_TIMESTAMP, "out of range"));
    cases.add(text("ISO date without time", TELEMETRY, "{\"ts\":\"2025-11-25\",\"metrics\":{}}",
        DeadLetterReason.INVALID_TIMESTAMP, "not an ISO-8601 instant"));
    cases.add(text("ts ten minutes ahead", TELEMETRY, "{\"ts\":" + (RECEIVED_AT + 600_000) + ",\"metrics\":{}}",
        DeadLetterReason.FUTURE_TIMESTAMP, "600000 ms ahead"));
    cases.add(text("ISO ts in 2099", EVENT, "{\"ts\":\"2099-01-01T00:00:00Z\",\"type\":\"boot\"}",
        DeadLetterReason.FUTURE_TIMESTAMP, "ahead of the gateway clock"));
    // event types
    cases.add(text("unknown event type", EVENT, "{\"ts\":1764100000000,\"type\":\"reboot_now\"}",
        DeadLetterReason.UNKNOWN_EVENT_TYPE, "type 'reboot_now' is not a known event type"));
    cases.add(text("empty event type", EVENT, "{\"ts\":1764100000000,\"type\":\"\"}",
        DeadLetterReason.UNKNOWN_EVENT_TYPE, "auth_failure"));
    return cases;
  }

  private final MqttTopicParser topics = MqttTopicParser.withDefaultRoot();
  private final PayloadParser payloads = PayloadParser.withDefaults();

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void rejectsMalformedMessageWithReasonAndDetailNamingTheProblem(Case c) {
    ParseResult result = payloads.parse(topics.parse(c.topic()), c.payload(), RECEIVED_AT);

    ParseResult.Rejected rejected = assertInstanceOf(ParseResult.Rejected.class, result, c.name());
    assertEquals(c.reason(), rejected.reason(), () -> c.name() + ": " + rejected.detail());
    assertTrue(rejected.detail().contains(c.detailFragment()),
        () -> c.name() + ": detail '" + rejected.detail() + "' should contain '" + c.detailFragment() + "'");
  }

  @Test
  void corpusHasAtLeastThirtyCasesAndHitsEveryGatewayReason() {
    Set<DeadLetterReason> hit = EnumSet.noneOf(DeadLetterReason.class);
    corpus().forEach(c -> hit.add(c.reason()));
    Set<DeadLetterReason> expected = EnumSet.allOf(DeadLetterReason.class);
    expected.remove(DeadLetterReason.UNKNOWN);
    expected.remove(DeadLetterReason.UNDECODABLE_RECORD);
    // reasons of the other payload sources (Sparkplug B, SenML, mappings) are covered by their own tests
    expected.removeIf(r -> r.name().startsWith("SPARKPLUG_") || r.name().startsWith("SENML_")
        || r.name().startsWith("MAPPING_"));

    assertTrue(corpus().size() >= 30, "corpus size " + corpus().size());
    assertEquals(expected, hit);
  }
}
