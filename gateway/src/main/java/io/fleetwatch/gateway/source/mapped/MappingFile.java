package io.fleetwatch.gateway.source.mapped;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.fleetwatch.gateway.mapping.PayloadParser;
import io.fleetwatch.gateway.source.SourceFile;
import io.fleetwatch.gateway.source.TopicPattern;
import io.fleetwatch.schemas.DeviceChannel;
import io.fleetwatch.schemas.Identifier;
import io.fleetwatch.schemas.yaml.YamlMap;
import io.fleetwatch.schemas.yaml.YamlProblems;
import io.fleetwatch.schemas.yaml.YamlValue;
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

  private final SourceFile file;

  private MappingFile(SourceFile file) {
    this.file = file;
  }

  /**
   * Reads a mapping file.
   *
   * @throws io.fleetwatch.gateway.source.SourceFileException with every error
   */
  public static List<PayloadMapping> read(Path path) {
    SourceFile file = new SourceFile();
    return new MappingFile(file).mappings(file.read(path));
  }

  /** Reads mapping text; {@code name} is used in errors. */
  public static List<PayloadMapping> read(String name, Reader reader) {
    SourceFile file = new SourceFile();
    return new MappingFile(file).mappings(file.read(name, reader));
  }

  private List<PayloadMapping> mappings(YamlValue root) {
    List<PayloadMapping> mappings = new ArrayList<>();
    YamlMap top = root == null ? null : file.document(root, KIND, TOP);
    if (top != null) {
      YamlValue list = top.entry("mappings");
      if (list == null) {
        file.missing(top, "mappings");
      } else {
        List<YamlValue> items = file.list(list);
        if (items.isEmpty() && list.isList()) {
          file.error(list, "must list at least one mapping");
        }
        Map<String, Integer> ids = new HashMap<>();
        Map<String, PayloadMapping> catchAll = new HashMap<>();
        for (YamlValue item : items) {
          PayloadMapping mapping = mapping(item);
          String id = idOf(item);
          if (id != null) {
            Integer previous = ids.putIfAbsent(id, item.line());
            if (previous != null) {
              file.error(item, item.path() + ".id", "duplicate id '" + id + "' (first at line " + previous + ")");
            }
          }
          if (mapping == null) {
            continue;
          }
          PayloadMapping shadowing = catchAll.get(mapping.topic().text());
          if (shadowing != null) {
            file.error(item, item.path() + ".topic", "unreachable: mapping '" + shadowing.id() + "' (line "
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

  /** The id text of a mapping item, whether or not the rest of it is valid; {@code null} when it has none. */
  private static String idOf(YamlValue item) {
    if (!item.isMapping()) {
      return null;
    }
    YamlValue id = item.asMap(new YamlProblems()).entry("id"); // its problems are reported by mapping()
    return id == null ? null : id.scalarText();
  }

  private PayloadMapping mapping(YamlValue node) {
    int errorsBefore = file.problems().count();
    YamlMap fields = file.mapping(node, MAPPING_FIELDS);
    if (fields == null) {
      return null;
    }
    String id = file.requiredText(fields, "id");
    if (id != null && !Identifier.isValid(id)) {
      file.error(fields.entry("id"), "must match " + Identifier.SYNTAX + ", got '" + id + "'");
    }
    TopicPattern topic = topic(fields);
    List<PayloadMapping.Condition> when = new ArrayList<>();
    if (fields.entry("when") != null) {
      YamlMap conditions = file.mapping(fields.entry("when"), Set.of());
      if (conditions != null) {
        for (String pointer : conditions.keys()) {
          JsonPointer p = pointer(pointer, fields.entry("when"));
          String text = scalar(conditions.entry(pointer));
          if (p != null && text != null) {
            when.add(new PayloadMapping.Condition(p, text));
          }
        }
      }
    }
    PayloadMapping.Time ts = fields.entry("ts") != null ? time(fields.entry("ts")) : null;
    JsonPointer seq = null;
    if (fields.entry("seq") != null) {
      YamlMap seqFields = file.mapping(fields.entry("seq"), Set.of("pointer"));
      if (seqFields != null) {
        String text = file.requiredText(seqFields, "pointer");
        seq = text == null ? null : pointer(text, seqFields.entry("pointer"));
      }
    }
    List<String> channels = new ArrayList<>();
    for (String channel : List.of("telemetry", "event", "state")) {
      if (fields.entry(channel) != null) {
        channels.add(channel);
      }
    }
    if (channels.size() != 1) {
      file.error(node, channels.isEmpty() ? "needs one of telemetry, event, state"
          : "has " + String.join(" and ", channels) + "; a mapping makes one channel");
      return null;
    }
    DeviceChannel channel = DeviceChannel.fromSegment(channels.get(0));
    Map<String, PayloadMapping.Metric> metrics = Map.of();
    PayloadMapping.Value eventType = null;
    Map<String, PayloadMapping.Value> attributes = Map.of();
    Map<String, PayloadMapping.Value> state = Map.of();
    YamlValue body = fields.entry(channels.get(0));
    switch (channel) {
      case TELEMETRY -> metrics = metrics(body);
      case EVENT -> {
        YamlMap event = file.mapping(body, EVENT_FIELDS);
        if (event != null) {
          if (event.entry("type") == null) {
            file.error(body, body.path() + ".type", "required field is missing");
          } else {
            eventType = value(event.entry("type"));
            if (eventType != null && eventType.constant() != null
                && !Identifier.isValid(eventType.constant().asText())) {
              file.error(event.entry("type"), "an event type must match " + Identifier.SYNTAX);
            }
          }
          attributes = event.entry("attributes") != null ? values(event.entry("attributes"), Set.of()) : Map.of();
        }
      }
      default -> state = values(body, STATE_FIELDS);
    }
    if (file.problems().count() > errorsBefore) {
      return null;
    }
    return new PayloadMapping(id, topic, List.copyOf(when), ts, seq, channel, metrics, eventType, attributes, state,
        node.line());
  }

  private TopicPattern topic(YamlMap fields) {
    String text = file.requiredText(fields, "topic");
    if (text == null) {
      return null;
    }
    try {
      TopicPattern pattern = TopicPattern.parse(text);
      if (!pattern.namesDevice()) {
        file.error(fields.entry("topic"), "'" + text + "' has no {device} segment; a mapping takes the device from "
            + "the topic");
        return null;
      }
      return pattern;
    } catch (IllegalArgumentException e) {
      file.error(fields.entry("topic"), e.getMessage());
      return null;
    }
  }

  private Map<String, PayloadMapping.Metric> metrics(YamlValue node) {
    YamlMap entries = file.mapping(node, Set.of());
    Map<String, PayloadMapping.Metric> metrics = new LinkedHashMap<>();
    if (entries == null) {
      return metrics;
    }
    if (entries.keys().isEmpty()) {
      file.error(node, "must name at least one metric");
    }
    for (String name : entries.keys()) {
      YamlValue spec = entries.entry(name);
      if (name.length() > PayloadParser.MAX_NAME_LENGTH) {
        file.error(spec, "metric names are 1-" + PayloadParser.MAX_NAME_LENGTH + " characters");
      }
      PayloadMapping.Metric metric = metric(spec);
      if (metric != null) {
        metrics.put(name, metric);
      }
    }
    return metrics;
  }

  private PayloadMapping.Metric metric(YamlValue spec) {
    YamlMap fields = file.mapping(spec, METRIC_FIELDS);
    if (fields == null) {
      return null;
    }
    PayloadMapping.Value value = valueOf(fields, spec);
    if (value != null && value.constant() != null && !value.constant().isNumber()) {
      file.error(fields.entry("value"), "a constant metric value must be a number");
    }
    YamlValue fromNode = fields.entry("from");
    YamlValue toNode = fields.entry("to");
    Units.Conversion conversion = null;
    if (fromNode != null || toNode != null) {
      String from = fromNode != null ? file.text(fromNode) : null;
      String to = toNode != null ? file.text(toNode) : null;
      if (fromNode == null || toNode == null) {
        file.error(spec, "from and to go together: the unit the payload is in and the metric's unit");
      } else if (from != null && to != null) {
        try {
          conversion = Units.conversion(from, to);
        } catch (IllegalArgumentException e) {
          file.error(fromNode, e.getMessage());
        }
      }
    }
    // Double.valueOf: a bare 1.0 would make the conditional unbox a null (invalid) number
    Double scale = fields.entry("scale") != null ? file.number(fields.entry("scale")) : Double.valueOf(1);
    if (scale != null && scale == 0) {
      file.error(fields.entry("scale"), "must not be 0");
    }
    Double offset = fields.entry("offset") != null ? file.number(fields.entry("offset")) : Double.valueOf(0);
    Map<String, Double> lookup = new LinkedHashMap<>();
    if (fields.entry("map") != null) {
      YamlMap table = file.mapping(fields.entry("map"), Set.of());
      if (table != null) {
        for (String text : table.keys()) {
          Double n = file.number(table.entry(text));
          if (n != null) {
            lookup.put(text, n);
          }
        }
      }
    }
    if (value == null || scale == null || offset == null) {
      return null;
    }
    return new PayloadMapping.Metric(value, conversion, scale, offset, Map.copyOf(lookup));
  }

  private Map<String, PayloadMapping.Value> values(YamlValue node, Set<String> allowed) {
    YamlMap entries = file.mapping(node, allowed);
    Map<String, PayloadMapping.Value> values = new LinkedHashMap<>();
    if (entries == null) {
      return values;
    }
    if (entries.keys().isEmpty()) {
      file.error(node, "must set at least one field");
    }
    for (String name : entries.keys()) {
      YamlValue spec = entries.entry(name);
      if (name.isEmpty() || name.length() > PayloadParser.MAX_NAME_LENGTH) {
        file.error(spec, "names are 1-" + PayloadParser.MAX_NAME_LENGTH + " characters");
      }
      PayloadMapping.Value value = value(spec);
      if (value != null) {
        values.put(name, value);
      }
    }
    return values;
  }

  private PayloadMapping.Value value(YamlValue node) {
    YamlMap fields = file.mapping(node, VALUE_FIELDS);
    return fields == null ? null : valueOf(fields, node);
  }

  private PayloadMapping.Value valueOf(YamlMap fields, YamlValue node) {
    YamlValue pointerNode = fields.entry("pointer");
    YamlValue valueNode = fields.entry("value");
    if ((pointerNode == null) == (valueNode == null)) {
      file.error(node, "needs exactly one of pointer (where in the payload) or value (a constant)");
      return null;
    }
    if (pointerNode != null) {
      String text = scalar(pointerNode);
      JsonPointer pointer = text == null ? null : pointer(text, pointerNode);
      return pointer == null ? null : new PayloadMapping.Value(pointer, null);
    }
    JsonNode constant = constant(valueNode);
    return constant == null ? null : new PayloadMapping.Value(null, constant);
  }

  private PayloadMapping.Time time(YamlValue node) {
    YamlMap fields = file.mapping(node, TS_FIELDS);
    if (fields == null) {
      return null;
    }
    String pointerText = file.requiredText(fields, "pointer");
    JsonPointer pointer = pointerText == null ? null : pointer(pointerText, fields.entry("pointer"));
    String formatText = file.requiredText(fields, "format");
    PayloadMapping.TimeFormat format = formatText == null ? null : PayloadMapping.TimeFormat.of(formatText);
    if (formatText != null && format == null) {
      file.error(fields.entry("format"), "unknown format '" + formatText
          + "'; expected epoch-s, epoch-ms, iso-8601 or pattern");
    }
    DateTimeFormatter formatter = null;
    if (format == PayloadMapping.TimeFormat.PATTERN) {
      String pattern = file.requiredText(fields, "pattern");
      if (pattern != null) {
        try {
          formatter = DateTimeFormatter.ofPattern(pattern, Locale.ROOT);
        } catch (IllegalArgumentException e) {
          file.error(fields.entry("pattern"), "not a date-time pattern: " + e.getMessage());
        }
      }
      if (fields.entry("zone") == null) {
        file.error(node, node.path() + ".zone", "required with format pattern: the zone of times without an offset");
      }
    } else if (fields.entry("pattern") != null) {
      file.error(fields.entry("pattern"), "only with format pattern");
    }
    ZoneId zone = null;
    YamlValue zoneNode = fields.entry("zone");
    if (zoneNode != null) {
      if (format == PayloadMapping.TimeFormat.EPOCH_S || format == PayloadMapping.TimeFormat.EPOCH_MS) {
        file.error(zoneNode, "epoch times have no zone");
      }
      String zoneText = file.text(zoneNode);
      if (zoneText != null) {
        try {
          zone = ZoneId.of(zoneText);
        } catch (DateTimeException e) {
          file.error(zoneNode, "unknown time zone '" + zoneText
              + "'; expected an IANA zone such as Europe/Berlin or an offset such as +01:00");
        }
      }
    }
    if (pointer == null || format == null) {
      return null;
    }
    return new PayloadMapping.Time(pointer, format, formatter == null ? null : formatter.withZone(zone), zone);
  }

  /** {@code text} as a JSON Pointer; {@code null} with an error at {@code node} when it is not one. */
  private JsonPointer pointer(String text, YamlValue node) {
    try {
      return JsonPointer.compile(text);
    } catch (IllegalArgumentException e) {
      file.error(node, "'" + text + "' is not a JSON Pointer (RFC 6901): it starts with / and escapes ~ and / "
          + "as ~0 and ~1");
      return null;
    }
  }

  private String scalar(YamlValue node) {
    String text = node.scalarText();
    if (text == null) {
      file.error(node, "must be a single value");
    }
    return text;
  }

  private JsonNode constant(YamlValue node) {
    String text = scalar(node);
    if (text == null) {
      return null;
    }
    if (node.isNumber()) {
      Double number = file.number(node);
      return number == null ? null : JsonNodeFactory.instance.numberNode(number);
    }
    if (node.isBoolean()) {
      return JsonNodeFactory.instance.booleanNode(Boolean.parseBoolean(text.toLowerCase(Locale.ROOT)));
    }
    return JsonNodeFactory.instance.textNode(text);
  }
}
