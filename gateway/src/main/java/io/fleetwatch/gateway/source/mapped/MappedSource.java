package io.fleetwatch.gateway.source.mapped;

import static io.fleetwatch.gateway.source.JsonPayloadReader.bounded;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetwatch.avro.DeadLetterReason;
import io.fleetwatch.avro.DeviceState;
import io.fleetwatch.gateway.mapping.ContractRecords;
import io.fleetwatch.gateway.mapping.ParseResult;
import io.fleetwatch.gateway.mapping.PayloadParser;
import io.fleetwatch.gateway.source.JsonPayloadReader;
import io.fleetwatch.gateway.source.TopicPatternSource;
import io.fleetwatch.gateway.source.Rejection;
import io.fleetwatch.gateway.source.TopicPattern;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Vendor JSON on the topics of a mapping file ({@code mappings.file}) becomes contract records through declarative
 * {@link PayloadMapping}s.
 *
 * <p>Per message: the mappings whose topic pattern matches are tried in file order; the first whose {@code when}
 * conditions all hold makes one record of its channel. None → {@code MAPPING_NO_MATCH}, the detail naming each
 * candidate and the condition it failed. A mapping that cannot make its record (a pointer finds nothing, a metric is
 * not a number, a time does not parse) → {@code MAPPING_FAILED}, the detail naming the mapping id, the field and why.
 * The contract's own checks keep their reasons: payload size, UTF-8 and JSON ({@code OVERSIZE}, {@code INVALID_UTF8},
 * {@code MALFORMED_JSON}), identifiers in the topic ({@code BAD_IDENTIFIER}), device time ({@code INVALID_TIMESTAMP},
 * {@code FUTURE_TIMESTAMP}) and event types ({@code UNKNOWN_EVENT_TYPE}), with the mapping id in the detail.
 * Metric values are rounded to 12 significant digits after conversion, scale and offset. Thread-safe, never throws.
 */
public final class MappedSource extends TopicPatternSource {
  /** The {@code source} metric tag. */
  public static final String NAME = "mapped";
  private static final MathContext PRECISION = new MathContext(12);

  private final List<PayloadMapping> mappings;
  private final JsonPayloadReader reader;

  /**
   * @param mappings the mappings of a file, in file order
   * @param contract the payload rules of the native topics (size, skew, event types)
   */
  public MappedSource(List<PayloadMapping> mappings, PayloadParser contract) {
    super(NAME, mappings.stream().map(PayloadMapping::topic).toList());
    this.mappings = List.copyOf(mappings);
    this.reader = new JsonPayloadReader(contract);
  }

  @Override
  public List<ParseResult> decode(String topic, byte[] payload, long receivedAt) {
    try {
      return List.of(decodeOne(topic, payload, receivedAt));
    } catch (RuntimeException | StackOverflowError e) {
      return List.of(new ParseResult.Rejected(DeadLetterReason.MAPPING_FAILED,
          "payload could not be mapped: " + e.getClass().getSimpleName() + ": " + bounded(e.getMessage())));
    }
  }

  private ParseResult decodeOne(String topic, byte[] payload, long receivedAt) {
    List<PayloadMapping> candidates = new ArrayList<>();
    for (PayloadMapping mapping : mappings) {
      if (mapping.topic().match(topic) != null) {
        candidates.add(mapping);
      }
    }
    if (candidates.isEmpty()) {
      return new ParseResult.Rejected(DeadLetterReason.BAD_TOPIC,
          "topic '" + bounded(topic) + "' matches no mapping's topic pattern");
    }
    JsonPayloadReader.Read read = reader.read(payload);
    if (read.rejected() != null) {
      return read.rejected();
    }
    JsonNode tree = read.tree();
    List<String> misses = new ArrayList<>();
    for (PayloadMapping mapping : candidates) {
      String miss = firstFailedCondition(mapping, tree);
      if (miss != null) {
        misses.add(mapping.id() + ": " + miss);
        continue;
      }
      TopicPattern.Match match = mapping.topic().match(topic);
      ParseResult.Rejected badTopic = match.checkIdentifiers();
      if (badTopic != null) {
        return badTopic;
      }
      try {
        return apply(mapping, match, tree, receivedAt);
      } catch (Rejection r) {
        return r.rejected();
      }
    }
    return new ParseResult.Rejected(DeadLetterReason.MAPPING_NO_MATCH, "no mapping for topic '" + bounded(topic)
        + "' matches the payload: " + String.join("; ", misses));
  }

  private static String firstFailedCondition(PayloadMapping mapping, JsonNode tree) {
    for (PayloadMapping.Condition condition : mapping.when()) {
      JsonNode node = tree.at(condition.pointer());
      if (node.isMissingNode()) {
        return condition.pointer() + " is missing, expected '" + condition.expected() + "'";
      }
      if (!matches(node, condition.expected())) {
        return condition.pointer() + " is " + (node.isTextual() ? "'" + bounded(node.textValue()) + "'"
            : bounded(node.toString())) + ", not '" + condition.expected() + "'";
      }
    }
    return null;
  }

  private static boolean matches(JsonNode node, String expected) {
    if (node.isNumber()) {
      try {
        return node.doubleValue() == Double.parseDouble(expected);
      } catch (NumberFormatException e) {
        return false;
      }
    }
    return node.isValueNode() && node.asText().equals(expected);
  }

  private ParseResult apply(PayloadMapping m, TopicPattern.Match match, JsonNode tree, long receivedAt) {
    long ts = m.ts() == null ? receivedAt : time(m, tree, receivedAt);
    Long seq = m.seq() == null ? null : seq(m, tree);
    switch (m.channel()) {
      case TELEMETRY -> {
        Map<String, Double> metrics = new HashMap<>();
        m.metrics().forEach((name, metric) -> metrics.put(name, metric(m, name, metric, tree)));
        return ContractRecords.telemetry(match.site(), match.device(), ts, receivedAt, seq, metrics);
      }
      case EVENT -> {
        String type = text(m, "event.type", m.eventType(), tree);
        ParseResult.Rejected unknown = reader.contract().checkEventType(type);
        if (unknown != null) {
          throw failed(m, unknown.reason(), unknown.detail());
        }
        Map<String, String> attributes = new HashMap<>();
        m.attributes().forEach((name, value) -> {
          JsonNode node = value.in(tree);
          if (node != null) {
            attributes.put(name, scalarText(m, "event.attributes." + name, value, node));
          }
        });
        return ContractRecords.event(match.site(), match.device(), ts, receivedAt, seq, type, attributes);
      }
      default -> {
        DeviceState.Builder state = ContractRecords.stateBuilder(match.site(), match.device(), receivedAt).setSeq(seq);
        m.state().forEach((field, value) -> setState(m, state, field, value, tree));
        return ContractRecords.state(state, ts);
      }
    }
  }

  private static void setState(PayloadMapping m, DeviceState.Builder state, String field, PayloadMapping.Value value,
      JsonNode tree) {
    String at = "state." + field;
    if (field.equals("open_ports")) {
      JsonNode node = value.in(tree);
      if (node == null) {
        throw failed(m, at + ": " + value.describe() + " is missing");
      }
      if (!node.isArray()) {
        throw failed(m, at + ": " + value.describe() + " must be an array of port numbers, got " + node.getNodeType());
      }
      List<Integer> ports = new ArrayList<>();
      for (JsonNode port : node) {
        if (!port.isIntegralNumber() || !port.canConvertToInt() || port.intValue() < 0 || port.intValue() > 65535) {
          throw failed(m, at + "[" + ports.size() + "] must be a port number 0-65535, got " + bounded(port.toString()));
        }
        ports.add(port.intValue());
      }
      state.setOpenPorts(ports);
      return;
    }
    String text = text(m, at, value, tree);
    switch (field) {
      case "model" -> state.setModel(text);
      case "vendor" -> state.setVendor(text);
      case "firmware" -> state.setFirmware(text);
      case "config_hash" -> state.setConfigHash(text);
      case "tls" -> state.setTls(text);
      case "security_state" -> state.setSecurityState(text);
      default -> state.setMode(text);
    }
  }

  private static double metric(PayloadMapping m, String name, PayloadMapping.Metric metric, JsonNode tree) {
    String at = "telemetry." + name;
    JsonNode node = metric.value().in(tree);
    if (node == null) {
      throw failed(m, at + ": " + metric.value().describe() + " is missing");
    }
    double value;
    if (node.isNumber()) {
      value = node.doubleValue();
    } else if (node.isBoolean()) {
      value = node.booleanValue() ? 1 : 0;
    } else if (node.isTextual() && metric.lookup().containsKey(node.textValue())) {
      value = metric.lookup().get(node.textValue());
    } else {
      throw failed(m, at + ": " + metric.value().describe() + " must be a number" + (metric.lookup().isEmpty() ? ""
          : " or one of " + metric.lookup().keySet()) + ", got " + bounded(node.toString()));
    }
    if (metric.conversion() != null) {
      value = metric.conversion().apply(value);
    }
    value = value * metric.scale() + metric.offset();
    if (!Double.isFinite(value)) {
      throw failed(m, at + ": " + metric.value().describe() + " is not a finite number after conversion");
    }
    // 12 significant digits: no conversion factor is more exact, and 71.6 degF is then 22 Cel, not 21.999999999999996
    return value == 0 ? 0 : new BigDecimal(value).round(PRECISION).doubleValue();
  }

  private long time(PayloadMapping m, JsonNode tree, long receivedAt) {
    PayloadMapping.Time spec = m.ts();
    JsonNode node = tree.at(spec.pointer());
    if (node.isMissingNode() || node.isNull()) {
      throw failed(m, "ts: " + spec.pointer() + " is missing");
    }
    long millis;
    switch (spec.format()) {
      case EPOCH_S, EPOCH_MS -> {
        if (!node.isNumber() || !Double.isFinite(node.doubleValue())
            || Math.abs(node.doubleValue()) > (spec.format() == PayloadMapping.TimeFormat.EPOCH_S ? 9e12 : 9e15)) {
          throw failed(m, "ts: " + spec.pointer() + " must be epoch " + (spec.format()
              == PayloadMapping.TimeFormat.EPOCH_S ? "seconds" : "milliseconds") + " (a number), got "
              + bounded(node.toString()));
        }
        millis = spec.format() == PayloadMapping.TimeFormat.EPOCH_S ? Math.round(node.doubleValue() * 1000)
            : Math.round(node.doubleValue());
      }
      default -> {
        if (!node.isTextual()) {
          throw failed(m, "ts: " + spec.pointer() + " must be a " + spec.format().text() + " string, got "
              + bounded(node.toString()));
        }
        millis = parseTime(m, spec, node.textValue());
      }
    }
    ParseResult.Rejected bad = reader.contract().checkTimestamp("ts", millis, receivedAt);
    if (bad != null) {
      throw failed(m, bad.reason(), bad.detail());
    }
    return millis;
  }

  private static long parseTime(PayloadMapping m, PayloadMapping.Time spec, String text) {
    try {
      if (spec.format() == PayloadMapping.TimeFormat.PATTERN) {
        return Instant.from(spec.formatter().parse(text)).toEpochMilli();
      }
      try {
        return Instant.parse(text).toEpochMilli();
      } catch (DateTimeException e) {
        if (spec.zone() == null) {
          throw e;
        }
        return LocalDateTime.parse(text).atZone(spec.zone()).toInstant().toEpochMilli();
      }
    } catch (DateTimeException | ArithmeticException e) {
      throw failed(m, "ts: '" + bounded(text) + "' does not parse as " + (spec.format()
          == PayloadMapping.TimeFormat.PATTERN ? "pattern " + spec.formatter() : "an ISO-8601 instant"
              + (spec.zone() == null ? " with an offset" : " or local date-time in " + spec.zone())));
    }
  }

  private static Long seq(PayloadMapping m, JsonNode tree) {
    JsonNode node = tree.at(m.seq());
    if (node.isMissingNode() || node.isNull()) {
      return null;
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
      throw failed(m, "seq: " + m.seq() + " must be a non-negative 64-bit integer, got " + bounded(node.toString()));
    }
    return node.longValue();
  }

  private static String text(PayloadMapping m, String at, PayloadMapping.Value value, JsonNode tree) {
    JsonNode node = value.in(tree);
    if (node == null) {
      throw failed(m, at + ": " + value.describe() + " is missing");
    }
    return scalarText(m, at, value, node);
  }

  private static String scalarText(PayloadMapping m, String at, PayloadMapping.Value value, JsonNode node) {
    if (!node.isValueNode()) {
      throw failed(m, at + ": " + value.describe() + " must be a string, number or boolean, got "
          + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
    }
    if (node.isNumber() && !Double.isFinite(node.doubleValue())) {
      throw failed(m, at + ": " + value.describe() + " must be a finite number");
    }
    return node.asText();
  }

  private static Rejection failed(PayloadMapping m, String detail) {
    return failed(m, DeadLetterReason.MAPPING_FAILED, detail);
  }

  private static Rejection failed(PayloadMapping m, DeadLetterReason reason, String detail) {
    return new Rejection(reason, "mapping '" + m.id() + "': " + detail);
  }
}
