package io.fleetwatch.gateway.source.mapped;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.fleetwatch.schemas.DeviceChannel;
import io.fleetwatch.gateway.mapping.MqttTopicParser;
import io.fleetwatch.gateway.mapping.PayloadParser;
import io.fleetwatch.gateway.source.TopicPattern;
import io.fleetwatch.gateway.source.YamlFile;
import java.io.Reader;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads and validates a mapping file ({@code apiVersion: fleetwatch.io/v1}, {@code kind: PayloadMappings}) into
 * {@link PayloadMapping}s, reporting every error as {@code file:line: field: why}.
 *
 * <pre>
 * apiVersion: fleetwatch.io/v1
 * kind: PayloadMappings
 * mappings:
 *   - id: ahu1-supply-air                       # [A-Za-z0-9._-]{1,64}, unique
 *     topic: bacnet/{site}/{device}/present-value   # {site} and {device} segments, + and a final # allowed
 *     when: {/objectName: AHU1-SAT}             # optional: JSON Pointer -> value the payload must have
 *     ts: {pointer: /timestamp, format: iso-8601}   # optional (receive time); epoch-s | epoch-ms | iso-8601 |
 *                                               # pattern (with pattern: and zone:); zone: for ISO times without offset
 *     seq: {pointer: /seq}                      # optional
 *     telemetry:                                # exactly one of telemetry, event, state
 *       supply_temp_c: {pointer: /presentValue, from: degF, to: Cel, scale: 1, offset: 0}
 *     # event: {type: {value: interlock}, attributes: {point: {pointer: /objectName}}}
 *     # state: {firmware: {pointer: /fw}, mode: {value: running}}
 * </pre>
 *
 * Each value is {@code pointer: /json/pointer} (RFC 6901) or {@code value: constant}. A metric may also have
 * {@code from}/{@code to} (a {@link Units} conversion), {@code scale}, {@code offset} and {@code map} (text values to
 * numbers). A mapping whose topic repeats an earlier mapping's without {@code when} on that one is unreachable and an
 * error.
 */
public final class MappingFile {
  public static final String KIND = "PayloadMappings";
  /** The state fields a mapping can set ({@code open_ports} takes an array of port numbers, the others text). */
  public static final Set<String> STATE_FIELDS = Set.of("model", "vendor", "firmware", "config_hash", "open_ports",
      "tls", "security_state", "mode");
  private static final Set<String> TOP = Set.of("apiVersion", "kind", "mappings");
  private static final Set<String> MAPPING_FIELDS = Set.of("id", "topic", "when", "ts", "seq", "telemetry", "event",
      "state");
  private static final Set<String> VALUE_FIELDS = Set.of("pointer", "value");
  private static final Set<String> METRIC_FIELDS = Set.of("pointer", "value", "from", "to", "scale", "offset", "map");
  private static final Set<String> TS_FIELDS = Set.of("pointer", "format", "pattern", "zone");
  private static final Set<String> EVENT_FIELDS = Set.of("type", "attributes");

  private final YamlFile file;

  private MappingFile(YamlFile file) {
    this.file = file;
  }

  /**
   * Reads a mapping file.
   *
   * @throws io.fleetwatch.gateway.source.SourceFileException with every error
   */
  public static List<PayloadMapping> read(Path path) {
    YamlFile file = YamlFile.named(path);
    return new MappingFile(file).mappings(file.read(path));
  }

  /** Reads mapping text; {@code name} is used in errors. */
  public static List<PayloadMapping> read(String name, Reader reader) {
    YamlFile file = YamlFile.named(name);
    return new MappingFile(file).mappings(file.compose(reader));
  }

  private List<PayloadMapping> mappings(Node root) {
    List<PayloadMapping> mappings = new ArrayList<>();
    Map<String, Node> top = root == null ? null : file.document(root, KIND, TOP);
    if (top != null) {
      Node list = top.get("mappings");
      if (list == null) {
        file.error(root, "mappings", "required field is missing");
      } else {
        List<Node> items = file.list(list, "mappings");
        if (items.isEmpty() && list instanceof SequenceNode) {
          file.error(list, "mappings", "must list at least one mapping");
        }
        Map<String, Integer> ids = new HashMap<>();
        Map<String, PayloadMapping> catchAll = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
          String at = "mappings[" + i + "]";
          PayloadMapping mapping = mapping(items.get(i), at);
          String id = idOf(items.get(i));
          if (id != null) {
            Integer previous = ids.putIfAbsent(id, YamlFile.line(items.get(i)));
            if (previous != null) {
              file.error(items.get(i), at + ".id", "duplicate id '" + id + "' (first at line " + previous + ")");
            }
          }
          if (mapping == null) {
            continue;
          }
          PayloadMapping shadowing = catchAll.get(mapping.topic().text());
          if (shadowing != null) {
            file.error(items.get(i), at + ".topic", "unreachable: mapping '" + shadowing.id() + "' (line "
                + shadowing.line() + ") takes every message on " + mapping.topic() + " first; give it a when:");
          } else if (mapping.when().isEmpty()) {
            catchAll.put(mapping.topic().text(), mapping);
          }
          mappings.add(mapping);
        }
      }
    }
    file.throwIfErrors();
    return List.copyOf(mappings);
  }

  /** The id text of a mapping node, whether or not the rest of it is valid; {@code null} when it has none. */
  private static String idOf(Node node) {
    if (node instanceof MappingNode mapping) {
      for (NodeTuple tuple : mapping.getValue()) {
        if (tuple.getKeyNode() instanceof ScalarNode key && key.getValue().equals("id")
            && tuple.getValueNode() instanceof ScalarNode value) {
          return value.getValue();
        }
      }
    }
    return null;
  }

  private PayloadMapping mapping(Node node, String at) {
    int errorsBefore = file.errors().size();
    Map<String, Node> fields = file.mapping(node, at, MAPPING_FIELDS);
    if (fields == null) {
      return null;
    }
    String id = file.requiredText(fields, node, "id", at + ".id");
    if (id != null && !MqttTopicParser.isIdentifier(id)) {
      file.error(fields.get("id"), at + ".id", "must match [A-Za-z0-9._-]{1,64}, got '" + id + "'");
    }
    TopicPattern topic = topic(fields, node, at);
    List<PayloadMapping.Condition> when = new ArrayList<>();
    if (fields.containsKey("when")) {
      Map<String, Node> conditions = file.mapping(fields.get("when"), at + ".when", Set.of());
      if (conditions != null) {
        conditions.forEach((pointer, expected) -> {
          JsonPointer p = pointer(pointer, fields.get("when"), at + ".when");
          String text = scalar(expected, at + ".when." + pointer);
          if (p != null && text != null) {
            when.add(new PayloadMapping.Condition(p, text));
          }
        });
      }
    }
    PayloadMapping.Time ts = fields.containsKey("ts") ? time(fields.get("ts"), at + ".ts") : null;
    JsonPointer seq = null;
    if (fields.containsKey("seq")) {
      Map<String, Node> seqFields = file.mapping(fields.get("seq"), at + ".seq", Set.of("pointer"));
      if (seqFields != null) {
        seq = pointer(file.requiredText(seqFields, fields.get("seq"), "pointer", at + ".seq.pointer"),
            seqFields.get("pointer"), at + ".seq.pointer");
      }
    }
    List<String> channels = new ArrayList<>();
    for (String channel : List.of("telemetry", "event", "state")) {
      if (fields.containsKey(channel)) {
        channels.add(channel);
      }
    }
    if (channels.size() != 1) {
      file.error(node, at, channels.isEmpty() ? "needs one of telemetry, event, state"
          : "has " + String.join(" and ", channels) + "; a mapping makes one channel");
      return null;
    }
    DeviceChannel channel = DeviceChannel.fromSegment(channels.get(0));
    Map<String, PayloadMapping.Metric> metrics = Map.of();
    PayloadMapping.Value eventType = null;
    Map<String, PayloadMapping.Value> attributes = Map.of();
    Map<String, PayloadMapping.Value> state = Map.of();
    Node body = fields.get(channels.get(0));
    String bodyAt = at + "." + channels.get(0);
    switch (channel) {
      case TELEMETRY -> metrics = metrics(body, bodyAt);
      case EVENT -> {
        Map<String, Node> event = file.mapping(body, bodyAt, EVENT_FIELDS);
        if (event != null) {
          if (!event.containsKey("type")) {
            file.error(body, bodyAt + ".type", "required field is missing");
          } else {
            eventType = value(event.get("type"), bodyAt + ".type");
            if (eventType != null && eventType.constant() != null
                && !MqttTopicParser.isIdentifier(eventType.constant().asText())) {
              file.error(event.get("type"), bodyAt + ".type", "an event type must match [A-Za-z0-9._-]{1,64}");
            }
          }
          attributes = event.containsKey("attributes") ? values(event.get("attributes"), bodyAt + ".attributes",
              Set.of()) : Map.of();
        }
      }
      default -> state = values(body, bodyAt, STATE_FIELDS);
    }
    if (file.errors().size() > errorsBefore) {
      return null;
    }
    return new PayloadMapping(id, topic, List.copyOf(when), ts, seq, channel, metrics, eventType, attributes, state,
        YamlFile.line(node));
  }

  private TopicPattern topic(Map<String, Node> fields, Node node, String at) {
    String text = file.requiredText(fields, node, "topic", at + ".topic");
    if (text == null) {
      return null;
    }
    try {
      TopicPattern pattern = TopicPattern.parse(text);
      if (!pattern.namesDevice()) {
        file.error(fields.get("topic"), at + ".topic", "'" + text + "' has no {device} segment; a mapping takes the "
            + "device from the topic");
        return null;
      }
      return pattern;
    } catch (IllegalArgumentException e) {
      file.error(fields.get("topic"), at + ".topic", e.getMessage());
      return null;
    }
  }

  private Map<String, PayloadMapping.Metric> metrics(Node node, String at) {
    Map<String, Node> entries = file.mapping(node, at, Set.of());
    Map<String, PayloadMapping.Metric> metrics = new LinkedHashMap<>();
    if (entries == null) {
      return metrics;
    }
    if (entries.isEmpty()) {
      file.error(node, at, "must name at least one metric");
    }
    entries.forEach((name, spec) -> {
      String metricAt = at + "." + name;
      if (name.length() > PayloadParser.MAX_NAME_LENGTH) {
        file.error(spec, metricAt, "metric names are 1-" + PayloadParser.MAX_NAME_LENGTH + " characters");
      }
      Map<String, Node> fields = file.mapping(spec, metricAt, METRIC_FIELDS);
      if (fields == null) {
        return;
      }
      PayloadMapping.Value value = valueOf(fields, spec, metricAt);
      if (value != null && value.constant() != null && !value.constant().isNumber()) {
        file.error(fields.get("value"), metricAt + ".value", "a constant metric value must be a number");
      }
      Units.Conversion conversion = null;
      if (fields.containsKey("from") || fields.containsKey("to")) {
        String from = fields.containsKey("from") ? file.text(fields.get("from"), metricAt + ".from") : null;
        String to = fields.containsKey("to") ? file.text(fields.get("to"), metricAt + ".to") : null;
        if (!fields.containsKey("from") || !fields.containsKey("to")) {
          file.error(spec, metricAt, "from and to go together: the unit the payload is in and the metric's unit");
        } else if (from != null && to != null) {
          try {
            conversion = Units.conversion(from, to);
          } catch (IllegalArgumentException e) {
            file.error(fields.get("from"), metricAt + ".from", e.getMessage());
          }
        }
      }
      // Double.valueOf: a bare 1.0 would make the conditional unbox a null (invalid) number
      Double scale = fields.containsKey("scale") ? file.number(fields.get("scale"), metricAt + ".scale")
          : Double.valueOf(1);
      if (scale != null && scale == 0) {
        file.error(fields.get("scale"), metricAt + ".scale", "must not be 0");
      }
      Double offset = fields.containsKey("offset") ? file.number(fields.get("offset"), metricAt + ".offset")
          : Double.valueOf(0);
      Map<String, Double> lookup = new LinkedHashMap<>();
      if (fields.containsKey("map")) {
        Map<String, Node> table = file.mapping(fields.get("map"), metricAt + ".map", Set.of());
        if (table != null) {
          table.forEach((text, number) -> {
            Double n = file.number(number, metricAt + ".map." + text);
            if (n != null) {
              lookup.put(text, n);
            }
          });
        }
      }
      if (value != null && scale != null && offset != null) {
        metrics.put(name, new PayloadMapping.Metric(value, conversion, scale, offset, Map.copyOf(lookup)));
      }
    });
    return metrics;
  }

  private Map<String, PayloadMapping.Value> values(Node node, String at, Set<String> allowed) {
    Map<String, Node> entries = file.mapping(node, at, allowed);
    Map<String, PayloadMapping.Value> values = new LinkedHashMap<>();
    if (entries == null) {
      return values;
    }
    if (entries.isEmpty()) {
      file.error(node, at, "must set at least one field");
    }
    entries.forEach((name, spec) -> {
      if (name.isEmpty() || name.length() > PayloadParser.MAX_NAME_LENGTH) {
        file.error(spec, at + "." + name, "names are 1-" + PayloadParser.MAX_NAME_LENGTH + " characters");
      }
      PayloadMapping.Value value = value(spec, at + "." + name);
      if (value != null) {
        values.put(name, value);
      }
    });
    return values;
  }

  private PayloadMapping.Value value(Node node, String at) {
    Map<String, Node> fields = file.mapping(node, at, VALUE_FIELDS);
    return fields == null ? null : valueOf(fields, node, at);
  }

  private PayloadMapping.Value valueOf(Map<String, Node> fields, Node node, String at) {
    boolean hasPointer = fields.containsKey("pointer");
    boolean hasValue = fields.containsKey("value");
    if (hasPointer == hasValue) {
      file.error(node, at, "needs exactly one of pointer (where in the payload) or value (a constant)");
      return null;
    }
    if (hasPointer) {
      Node pointerNode = fields.get("pointer");
      JsonPointer pointer = pointer(scalar(pointerNode, at + ".pointer"), pointerNode, at + ".pointer");
      return pointer == null ? null : new PayloadMapping.Value(pointer, null);
    }
    JsonNode constant = constant(fields.get("value"), at + ".value");
    return constant == null ? null : new PayloadMapping.Value(null, constant);
  }

  private PayloadMapping.Time time(Node node, String at) {
    Map<String, Node> fields = file.mapping(node, at, TS_FIELDS);
    if (fields == null) {
      return null;
    }
    JsonPointer pointer = pointer(file.requiredText(fields, node, "pointer", at + ".pointer"), fields.get("pointer"),
        at + ".pointer");
    String formatText = file.requiredText(fields, node, "format", at + ".format");
    PayloadMapping.TimeFormat format = formatText == null ? null : PayloadMapping.TimeFormat.of(formatText);
    if (formatText != null && format == null) {
      file.error(fields.get("format"), at + ".format", "unknown format '" + formatText
          + "'; expected epoch-s, epoch-ms, iso-8601 or pattern");
    }
    DateTimeFormatter formatter = null;
    if (format == PayloadMapping.TimeFormat.PATTERN) {
      String pattern = file.requiredText(fields, node, "pattern", at + ".pattern");
      if (pattern != null) {
        try {
          formatter = DateTimeFormatter.ofPattern(pattern, Locale.ROOT);
        } catch (IllegalArgumentException e) {
          file.error(fields.get("pattern"), at + ".pattern", "not a date-time pattern: " + e.getMessage());
        }
      }
      if (!fields.containsKey("zone")) {
        file.error(node, at + ".zone", "required with format pattern: the zone of times without an offset");
      }
    } else if (fields.containsKey("pattern")) {
      file.error(fields.get("pattern"), at + ".pattern", "only with format pattern");
    }
    ZoneId zone = null;
    if (fields.containsKey("zone")) {
      if (format == PayloadMapping.TimeFormat.EPOCH_S || format == PayloadMapping.TimeFormat.EPOCH_MS) {
        file.error(fields.get("zone"), at + ".zone", "epoch times have no zone");
      }
      String zoneText = file.text(fields.get("zone"), at + ".zone");
      if (zoneText != null) {
        try {
          zone = ZoneId.of(zoneText);
        } catch (DateTimeException e) {
          file.error(fields.get("zone"), at + ".zone", "unknown time zone '" + zoneText
              + "'; expected an IANA zone such as Europe/Berlin or an offset such as +01:00");
        }
      }
    }
    if (pointer == null || format == null) {
      return null;
    }
    return new PayloadMapping.Time(pointer, format, formatter == null ? null : formatter.withZone(zone), zone);
  }

  private JsonPointer pointer(String text, Node node, String at) {
    if (text == null) {
      return null;
    }
    try {
      return JsonPointer.compile(text);
    } catch (IllegalArgumentException e) {
      file.error(node, at, "'" + text + "' is not a JSON Pointer (RFC 6901): it starts with / and escapes ~ and / "
          + "as ~0 and ~1");
      return null;
    }
  }

  private String scalar(Node node, String at) {
    if (!(node instanceof ScalarNode scalar) || scalar.getTag().equals(Tag.NULL)) {
      file.error(node, at, "must be a single value");
      return null;
    }
    return scalar.getValue();
  }

  private JsonNode constant(Node node, String at) {
    String text = scalar(node, at);
    if (text == null) {
      return null;
    }
    Tag tag = node.getTag();
    if (tag.equals(Tag.INT) || tag.equals(Tag.FLOAT)) {
      Double number = file.number(node, at);
      return number == null ? null : JsonNodeFactory.instance.numberNode(number);
    }
    if (tag.equals(Tag.BOOL)) {
      return JsonNodeFactory.instance.booleanNode(Boolean.parseBoolean(text.toLowerCase(Locale.ROOT)));
    }
    return JsonNodeFactory.instance.textNode(text);
  }
}
