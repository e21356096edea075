package io.fleetwatch.gateway.mapping;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.fleetwatch.avro.Component;
import io.fleetwatch.avro.DeadLetterReason;
import io.fleetwatch.avro.DeviceEvent;
import io.fleetwatch.avro.DeviceState;
import io.fleetwatch.avro.Telemetry;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Parses the UTF-8 JSON payload of one device message, once, with Jackson's streaming parser straight into the
 * Avro builders (no tree, no map of objects).
 *
 * <p>Input: the message's {@link MqttTopic}, its raw payload bytes and the gateway receive time. Output: an
 * {@link ParseResult.Accepted} record of the topic's channel ({@link Telemetry}, {@link DeviceEvent} or
 * {@link DeviceState}; one method per channel, chosen by one exhaustive switch), or a {@link ParseResult.Rejected}
 * whose detail names the field and what was expected. Unknown fields are skipped. Never throws, whatever the bytes.
 * Thread-safe: the only shared state is the immutable settings and the {@link JsonFactory}.
 */
public final class PayloadParser {
  /** Default payload size limit: 64 KiB. */
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;
  /** Default tolerance for device clocks ahead of the gateway. */
  public static final Duration DEFAULT_MAX_FUTURE_SKEW = Duration.ofMinutes(5);
  /** Default event types (design.md). */
  public static final Set<String> DEFAULT_EVENT_TYPES = Set.of("auth_failure", "auth_success", "config_changed",
      "firmware_update_started", "firmware_update_result", "boot", "tamper", "port_opened", "peer_connected",
      "command", "interlock");
  /** Deepest JSON nesting accepted, counting the payload object itself. */
  public static final int MAX_NESTING_DEPTH = 32;
  /** Longest metric or attribute name accepted. */
  public static final int MAX_NAME_LENGTH = 128;
  private static final int MAX_DETAIL_ECHO = 120;

  private static final int TS = 1;
  private static final int SEQ = 1 << 1;
  private static final int METRICS = 1 << 2;
  private static final int TYPE = 1 << 3;
  private static final int ATTRIBUTES = 1 << 4;
  private static final int MODEL = 1 << 5;
  private static final int VENDOR = 1 << 6;
  private static final int FIRMWARE = 1 << 7;
  private static final int CONFIG_HASH = 1 << 8;
  private static final int OPEN_PORTS = 1 << 9;
  private static final int TLS = 1 << 10;
  private static final int SECURITY_STATE = 1 << 11;
  private static final int MODE = 1 << 12;
  private static final int COMPONENTS = 1 << 13;

  private final int maxPayloadBytes;
  private final long maxFutureSkewMillis;
  private final Set<String> eventTypes;
  private final String eventTypeList;
  private final JsonFactory json;

  /**
   * @param maxPayloadBytes payloads larger than this are rejected with {@code OVERSIZE}
   * @param maxFutureSkew how far {@code ts} may be ahead of the receive time before {@code FUTURE_TIMESTAMP}
   * @param eventTypes accepted values of an event's {@code type}
   */
  public PayloadParser(int maxPayloadBytes, Duration maxFutureSkew, Set<String> eventTypes) {
    if (maxPayloadBytes < 1) {
      throw new IllegalArgumentException("maxPayloadBytes must be >= 1, got " + maxPayloadBytes);
    }
    Objects.requireNonNull(maxFutureSkew, "maxFutureSkew");
    if (maxFutureSkew.isNegative()) {
      throw new IllegalArgumentException("maxFutureSkew must not be negative, got " + maxFutureSkew);
    }
    Objects.requireNonNull(eventTypes, "eventTypes");
    if (eventTypes.isEmpty()) {
      throw new IllegalArgumentException("eventTypes must not be empty");
    }
    this.maxPayloadBytes = maxPayloadBytes;
    this.maxFutureSkewMillis = maxFutureSkew.toMillis();
    this.eventTypes = Set.copyOf(eventTypes);
    this.eventTypeList = String.join(", ", new TreeSet<>(eventTypes));
    this.json = JsonFactory.builder()
        // NaN and Infinity are read as numbers so they are reported as invalid fields, not as broken JSON.
        .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
        .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
        .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
        .build();
  }

  /** A parser with the defaults of design.md: 64 KiB, 5 minutes of skew, the standard event types. */
  public static PayloadParser withDefaults() {
    return new PayloadParser(DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_MAX_FUTURE_SKEW, DEFAULT_EVENT_TYPES);
  }

  public int maxPayloadBytes() {
    return maxPayloadBytes;
  }

  /**
   * The checks every JSON device payload passes before it is read, on the native topics and from other payload
   * sources alike: present, within the size limit, well-formed UTF-8 without NUL characters.
   *
   * @return {@code null} when the payload passes, else the rejection ({@code MALFORMED_JSON}, {@code OVERSIZE},
   *     {@code INVALID_UTF8})
   */
  public ParseResult.Rejected checkRaw(byte[] payload) {
    if (payload == null) {
      return new ParseResult.Rejected(DeadLetterReason.MALFORMED_JSON, "payload is missing; expected a JSON object");
    }
    if (payload.length > maxPayloadBytes) {
      return new ParseResult.Rejected(DeadLetterReason.OVERSIZE,
          "payload is " + payload.length + " bytes; at most " + maxPayloadBytes + " bytes allowed");
    }
    int invalid = Utf8Validator.firstInvalidOffset(payload);
    if (invalid >= 0) {
      return new ParseResult.Rejected(DeadLetterReason.INVALID_UTF8,
          "payload is not valid UTF-8: ill-formed sequence at byte offset " + invalid);
    }
    int nul = Utf8Validator.firstNulOffset(payload);
    if (nul >= 0) {
      return new ParseResult.Rejected(DeadLetterReason.MALFORMED_JSON,
          "payload contains a raw NUL character at byte offset " + nul + "; JSON allows none");
    }
    return null;
  }

  /**
   * The device-time rule of the contract: not before 1970, at most the configured skew ahead of the receive time.
   *
   * @param field name of the field in the detail ({@code ts} on the native topics)
   * @return {@code null} when {@code millis} passes, else {@code INVALID_TIMESTAMP} or {@code FUTURE_TIMESTAMP}
   */
  public ParseResult.Rejected checkTimestamp(String field, long millis, long receivedAt) {
    if (millis < 0) {
      return new ParseResult.Rejected(DeadLetterReason.INVALID_TIMESTAMP,
          field + " " + millis + " is before 1970-01-01T00:00:00Z");
    }
    if (millis > receivedAt && millis - receivedAt > maxFutureSkewMillis) {
      return new ParseResult.Rejected(DeadLetterReason.FUTURE_TIMESTAMP, field + " " + Instant.ofEpochMilli(millis)
          + " is " + (millis - receivedAt) + " ms ahead of the gateway clock; at most " + maxFutureSkewMillis
          + " ms allowed");
    }
    return null;
  }

  /** {@code null} when {@code type} is an accepted event type, else the {@code UNKNOWN_EVENT_TYPE} rejection. */
  public ParseResult.Rejected checkEventType(String type) {
    if (eventTypes.contains(type)) {
      return null;
    }
    return new ParseResult.Rejected(DeadLetterReason.UNKNOWN_EVENT_TYPE,
        "type '" + bounded(type) + "' is not a known event type; expected one of " + eventTypeList);
  }

  /**
   * Parses one message of the native contract as the gateway does: the topic as read by {@link MqttTopicParser},
   * then the payload. A rejected topic is the answer (topic problems before payload problems). Never throws.
   *
   * @param topic what {@link MqttTopicParser#parse} made of the MQTT topic
   * @param payload raw payload bytes
   * @param receivedAtMillis gateway receive time, epoch milliseconds
   */
  public ParseResult parse(TopicParseResult topic, byte[] payload, long receivedAtMillis) {
    if (topic instanceof ParseResult.Rejected rejected) {
      return rejected;
    }
    return parse((MqttTopic) topic, payload, receivedAtMillis);
  }

  /**
   * Parses one payload; never throws.
   *
   * @param topic where the message arrived (gives channel, site and device id)
   * @param payload raw payload bytes
   * @param receivedAtMillis gateway receive time, epoch milliseconds; stored as {@code receivedAt} and the
   *     reference for the future-timestamp check
   */
  public ParseResult parse(MqttTopic topic, byte[] payload, long receivedAtMillis) {
    try {
      if (topic == null) {
        return new ParseResult.Rejected(DeadLetterReason.BAD_TOPIC, "topic is missing");
      }
      ParseResult.Rejected raw = checkRaw(payload);
      if (raw != null) {
        return raw;
      }
      try (JsonParser parser = json.createParser(payload)) {
        JsonToken first = parser.nextToken();
        if (first == null) {
          return new ParseResult.Rejected(DeadLetterReason.MALFORMED_JSON, "payload is empty; expected a JSON object");
        }
        if (first != JsonToken.START_OBJECT) {
          return new ParseResult.Rejected(DeadLetterReason.NOT_AN_OBJECT,
              "payload must be a JSON object, got " + describe(first));
        }
        // The one place a channel's payload is read: no default, so a new DeviceChannel does not compile without one.
        ParseResult result = switch (topic.channel()) {
          case TELEMETRY -> telemetry(parser, topic, receivedAtMillis);
          case EVENT -> event(parser, topic, receivedAtMillis);
          case STATE -> state(parser, topic, receivedAtMillis);
        };
        if (parser.nextToken() != null) {
          return new ParseResult.Rejected(DeadLetterReason.MALFORMED_JSON,
              "unexpected content after the JSON object" + at(parser.currentLocation()));
        }
        return result;
      }
    } catch (Reject r) {
      return r.rejected;
    } catch (StreamConstraintsException e) {
      return new ParseResult.Rejected(DeadLetterReason.INVALID_FIELD,
          "payload exceeds a structural limit (nesting deeper than " + MAX_NESTING_DEPTH
              + " or an over-long number or string): " + bounded(e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      return new ParseResult.Rejected(DeadLetterReason.MALFORMED_JSON,
          "payload is not valid JSON: " + bounded(e.getOriginalMessage()) + at(e.getLocation()));
    } catch (IOException | RuntimeException | StackOverflowError e) {
      return new ParseResult.Rejected(DeadLetterReason.MALFORMED_JSON,
          "payload could not be read: " + e.getClass().getSimpleName() + ": " + bounded(e.getMessage()));
    }
  }

  private ParseResult telemetry(JsonParser p, MqttTopic topic, long receivedAt) throws IOException {
    int seen = 0;
    long ts = 0;
    Long seq = null;
    Map<String, Double> metrics = null;
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      switch (name) {
        case "ts":
          seen = once(seen, TS, name);
          ts = readTs(p, receivedAt);
          break;
        case "seq":
          seen = once(seen, SEQ, name);
          seq = readSeq(p);
          break;
        case "metrics":
          seen = once(seen, METRICS, name);
          metrics = readMetrics(p);
          break;
        default:
          skipValue(p);
      }
    }
    require(seen, TS, "ts", "epoch milliseconds or an ISO-8601 instant");
    require(seen, METRICS, "metrics", "an object of metric name to number");
    return ContractRecords.telemetry(topic.site(), topic.deviceId(), ts, receivedAt, seq, metrics);
  }

  private ParseResult event(JsonParser p, MqttTopic topic, long receivedAt) throws IOException {
    int seen = 0;
    long ts = 0;
    Long seq = null;
    String type = null;
    Map<String, String> attributes = Collections.emptyMap();
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      switch (name) {
        case "ts":
          seen = once(seen, TS, name);
          ts = readTs(p, receivedAt);
          break;
        case "seq":
          seen = once(seen, SEQ, name);
          seq = readSeq(p);
          break;
        case "type":
          seen = once(seen, TYPE, name);
          type = readEventType(p);
          break;
        case "attributes":
          seen = once(seen, ATTRIBUTES, name);
          attributes = readAttributes(p);
          break;
        default:
          skipValue(p);
      }
    }
    require(seen, TS, "ts", "epoch milliseconds or an ISO-8601 instant");
    require(seen, TYPE, "type", "one of " + eventTypeList);
    return ContractRecords.event(topic.site(), topic.deviceId(), ts, receivedAt, seq, type, attributes);
  }

  private ParseResult state(JsonParser p, MqttTopic topic, long receivedAt) throws IOException {
    int seen = 0;
    long ts = 0;
    DeviceState.Builder builder = ContractRecords.stateBuilder(topic.site(), topic.deviceId(), receivedAt);
    List<Component> components = Collections.emptyList();
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      switch (name) {
        case "ts":
          seen = once(seen, TS, name);
          ts = readTs(p, receivedAt);
          break;
        case "seq":
          seen = once(seen, SEQ, name);
          builder.setSeq(readSeq(p));
          break;
        case "model":
          seen = once(seen, MODEL, name);
          builder.setModel(readOptionalString(p, name));
          break;
        case "vendor":
          seen = once(seen, VENDOR, name);
          builder.setVendor(readOptionalString(p, name));
          break;
        case "firmware":
          seen = once(seen, FIRMWARE, name);
          builder.setFirmware(readOptionalString(p, name));
          break;
        case "config_hash":
          seen = once(seen, CONFIG_HASH, name);
          builder.setConfigHash(readOptionalString(p, name));
          break;
        case "open_ports":
          seen = once(seen, OPEN_PORTS, name);
          builder.setOpenPorts(readPorts(p));
          break;
        case "tls":
          seen = once(seen, TLS, name);
          builder.setTls(readOptionalString(p, name));
          break;
        case "security_state":
          seen = once(seen, SECURITY_STATE, name);
          builder.setSecurityState(readOptionalString(p, name));
          break;
        case "mode":
          seen = once(seen, MODE, name);
          builder.setMode(readOptionalString(p, name));
          break;
        case "components":
          seen = once(seen, COMPONENTS, name);
          components = readComponents(p);
          break;
        default:
          skipValue(p);
      }
    }
    require(seen, TS, "ts", "epoch milliseconds or an ISO-8601 instant");
    return ContractRecords.state(builder.setComponents(components), ts);
  }

  private long readTs(JsonParser p, long receivedAt) throws IOException {
    JsonToken t = p.nextToken();
    long millis;
    if (t == JsonToken.VALUE_NUMBER_INT) {
      if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        throw new Reject(DeadLetterReason.INVALID_TIMESTAMP,
            "ts " + bounded(p.getText()) + " is out of range for epoch milliseconds");
      }
      millis = p.getLongValue();
    } else if (t == JsonToken.VALUE_STRING) {
      String text = p.getText();
      try {
        millis = Instant.parse(text).toEpochMilli();
      } catch (DateTimeException | ArithmeticException e) {
        throw new Reject(DeadLetterReason.INVALID_TIMESTAMP,
            "ts '" + bounded(text) + "' is not an ISO-8601 instant such as 2025-11-25T19:46:40.123Z");
      }
    } else {
      throw new Reject(DeadLetterReason.INVALID_TIMESTAMP,
          "ts must be epoch milliseconds (integer) or an ISO-8601 instant (string), got " + describe(t));
    }
    ParseResult.Rejected invalid = checkTimestamp("ts", millis, receivedAt);
    if (invalid != null) {
      throw new Reject(invalid);
    }
    return millis;
  }

  private static Long readSeq(JsonParser p) throws IOException {
    JsonToken t = p.nextToken();
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
      long seq = p.getLongValue();
      if (seq >= 0) {
        return seq;
      }
    }
    throw new Reject(DeadLetterReason.INVALID_FIELD,
        "seq must be a non-negative 64-bit integer, got " + describeValue(p, t));
  }

  private static Map<String, Double> readMetrics(JsonParser p) throws IOException {
    JsonToken t = p.nextToken();
    if (t != JsonToken.START_OBJECT) {
      throw new Reject(DeadLetterReason.INVALID_FIELD,
          "metrics must be an object of metric name to number, got " + describe(t));
    }
    Map<String, Double> metrics = new HashMap<>();
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      checkName("metrics", name);
      JsonToken v = p.nextToken();
      if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
        throw new Reject(DeadLetterReason.INVALID_FIELD,
            "metrics." + bounded(name) + " must be a number, got " + describe(v));
      }
      double value = p.isNaN() ? Double.NaN : p.getDoubleValue();
      if (!Double.isFinite(value)) {
        throw new Reject(DeadLetterReason.INVALID_FIELD,
            "metrics." + bounded(name) + " must be a finite number, got " + bounded(p.getText()));
      }
      if (metrics.put(name, value) != null) {
        throw new Reject(DeadLetterReason.INVALID_FIELD, "metrics." + bounded(name) + " appears more than once");
      }
    }
    return metrics;
  }

  private String readEventType(JsonParser p) throws IOException {
    JsonToken t = p.nextToken();
    if (t != JsonToken.VALUE_STRING) {
      throw new Reject(DeadLetterReason.INVALID_FIELD, "type must be a string, one of " + eventTypeList
          + ", got " + describe(t));
    }
    String type = p.getText();
    ParseResult.Rejected unknown = checkEventType(type);
    if (unknown != null) {
      throw new Reject(unknown);
    }
    return type;
  }

  private static Map<String, String> readAttributes(JsonParser p) throws IOException {
    JsonToken t = p.nextToken();
    if (t == JsonToken.VALUE_NULL) {
      return Collections.emptyMap();
    }
    if (t != JsonToken.START_OBJECT) {
      throw new Reject(DeadLetterReason.INVALID_FIELD,
          "attributes must be an object of name to scalar value, got " + describe(t));
    }
    Map<String, String> attributes = new HashMap<>();
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      checkName("attributes", name);
      JsonToken v = p.nextToken();
      String text;
      switch (v) {
        case VALUE_STRING:
        case VALUE_TRUE:
        case VALUE_FALSE:
        case VALUE_NUMBER_INT:
          text = p.getText();
          break;
        case VALUE_NUMBER_FLOAT:
          if (p.isNaN()) {
            throw new Reject(DeadLetterReason.INVALID_FIELD,
                "attributes." + bounded(name) + " must be a finite number, got " + bounded(p.getText()));
          }
          text = p.getText();
          break;
        case VALUE_NULL:
          text = null; // an explicit null is the same as an absent attribute
          break;
        default:
          throw new Reject(DeadLetterReason.INVALID_FIELD, "attributes." + bounded(name)
              + " must be a scalar (string, number or boolean), got " + describe(v));
      }
      if (attributes.containsKey(name)) {
        throw new Reject(DeadLetterReason.INVALID_FIELD, "attributes." + bounded(name) + " appears more than once");
      }
      if (text != null) {
        attributes.put(name, text);
      }
    }
    return attributes;
  }

  private static String readOptionalString(JsonParser p, String field) throws IOException {
    JsonToken t = p.nextToken();
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t != JsonToken.VALUE_STRING) {
      throw new Reject(DeadLetterReason.INVALID_FIELD, field + " must be a string or null, got " + describe(t));
    }
    return p.getText();
  }

  private static List<Integer> readPorts(JsonParser p) throws IOException {
    JsonToken t = p.nextToken();
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t != JsonToken.START_ARRAY) {
      throw new Reject(DeadLetterReason.INVALID_FIELD,
          "open_ports must be an array of port numbers 0-65535, got " + describe(t));
    }
    List<Integer> ports = new ArrayList<>();
    for (JsonToken v = p.nextToken(); v != JsonToken.END_ARRAY; v = p.nextToken()) {
      if (v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
          || p.getLongValue() < 0 || p.getLongValue() > 65535) {
        throw new Reject(DeadLetterReason.INVALID_FIELD, "open_ports[" + ports.size()
            + "] must be an integer port number 0-65535, got " + describeValue(p, v));
      }
      ports.add(p.getIntValue());
    }
    return ports;
  }

  private static List<Component> readComponents(JsonParser p) throws IOException {
    JsonToken t = p.nextToken();
    if (t == JsonToken.VALUE_NULL) {
      return Collections.emptyList();
    }
    if (t != JsonToken.START_ARRAY) {
      throw new Reject(DeadLetterReason.INVALID_FIELD,
          "components must be an array of {purl, cpe, version} objects, got " + describe(t));
    }
    List<Component> components = new ArrayList<>();
    for (JsonToken v = p.nextToken(); v != JsonToken.END_ARRAY; v = p.nextToken()) {
      String where = "components[" + components.size() + "]";
      if (v != JsonToken.START_OBJECT) {
        throw new Reject(DeadLetterReason.INVALID_FIELD,
            where + " must be an object with purl, cpe or version, got " + describe(v));
      }
      String purl = null;
      String cpe = null;
      String version = null;
      for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
        switch (name) {
          case "purl":
            purl = readOptionalString(p, where + ".purl");
            break;
          case "cpe":
            cpe = readOptionalString(p, where + ".cpe");
            break;
          case "version":
            version = readOptionalString(p, where + ".version");
            break;
          default:
            skipValue(p);
        }
      }
      if (purl == null && cpe == null) {
        throw new Reject(DeadLetterReason.MISSING_FIELD, where + " needs a purl or a cpe to identify the component");
      }
      components.add(Component.newBuilder().setPurl(purl).setCpe(cpe).setVersion(version).build());
    }
    return components;
  }

  private static void skipValue(JsonParser p) throws IOException {
    p.nextToken();
    p.skipChildren();
  }

  private static void checkName(String container, String name) {
    if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
      throw new Reject(DeadLetterReason.INVALID_FIELD, container + " names must be 1-" + MAX_NAME_LENGTH
          + " characters, got one of " + name.length());
    }
  }

  private static int once(int seen, int bit, String field) {
    if ((seen & bit) != 0) {
      throw new Reject(DeadLetterReason.INVALID_FIELD, field + " appears more than once");
    }
    return seen | bit;
  }

  private static void require(int seen, int bit, String field, String expected) {
    if ((seen & bit) == 0) {
      throw new Reject(DeadLetterReason.MISSING_FIELD, field + " is required: " + expected);
    }
  }

  private static String describe(JsonToken t) {
    if (t == null) {
      return "end of input";
    }
    switch (t) {
      case START_OBJECT:
        return "an object";
      case START_ARRAY:
        return "an array";
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
        return "an integer";
      case VALUE_NUMBER_FLOAT:
        return "a decimal number";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      case VALUE_NULL:
        return "null";
      default:
        return t.asString() == null ? t.name() : t.asString();
    }
  }

  private static String describeValue(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
      return bounded(p.getText());
    }
    return describe(t);
  }

  private static String at(JsonLocation location) {
    if (location == null || location.getLineNr() < 0) {
      return "";
    }
    return " at line " + location.getLineNr() + " column " + location.getColumnNr();
  }

  private static String bounded(String s) {
    if (s == null) {
      return "";
    }
    return s.length() <= MAX_DETAIL_ECHO ? s : s.substring(0, MAX_DETAIL_ECHO) + "...";
  }

  /** A rejection raised deep inside the parse and turned into a {@link ParseResult.Rejected} at the boundary. */
  private static final class Reject extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient ParseResult.Rejected rejected;

    Reject(DeadLetterReason reason, String detail) {
      this(new ParseResult.Rejected(reason, detail));
    }

    Reject(ParseResult.Rejected rejected) {
      super(rejected.detail(), null, false, false); // control flow only: no stack trace
      this.rejected = rejected;
    }
  }
}
