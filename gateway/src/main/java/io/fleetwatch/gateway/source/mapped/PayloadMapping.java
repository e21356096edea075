package io.fleetwatch.gateway.source.mapped;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import io.fleetwatch.schemas.DeviceChannel;
import io.fleetwatch.gateway.source.TopicPattern;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * One declarative mapping of a vendor JSON payload to a channel of the contract, as read from a mapping file by
 * {@link MappingFile}. Exactly one of {@code metrics} (telemetry), {@code eventType} (event) or {@code state} is
 * used, by {@code channel}.
 *
 * @param id mapping id, named in dead letters
 * @param topic topic pattern with {@code {site}} and {@code {device}}
 * @param when conditions on the payload that select this mapping (all must hold); empty = always
 * @param ts where the device time is, or {@code null} for the gateway receive time
 * @param seq where the sequence number is, or {@code null}
 * @param channel channel of the records it makes
 * @param metrics telemetry: metric name to its value
 * @param eventType event: the type
 * @param attributes event: attribute name to its value
 * @param state state: field name ({@link MappingFile#STATE_FIELDS}) to its value
 * @param line line of the mapping in its file
 */
public record PayloadMapping(String id, TopicPattern topic, List<Condition> when, Time ts, JsonPointer seq,
    DeviceChannel channel, Map<String, Metric> metrics, Value eventType, Map<String, Value> attributes,
    Map<String, Value> state, int line) {

  /**
   * A value from the payload ({@code pointer}, RFC 6901 JSON Pointer) or a constant ({@code value}).
   *
   * @param pointer where in the payload, or {@code null}
   * @param constant the constant, or {@code null}
   */
  public record Value(JsonPointer pointer, JsonNode constant) {
    /** The value for a payload, or {@code null} when the pointer finds nothing (or JSON null). */
    public JsonNode in(JsonNode payload) {
      if (pointer == null) {
        return constant;
      }
      JsonNode node = payload.at(pointer);
      return node.isMissingNode() || node.isNull() ? null : node;
    }

    /** How the value is written in the mapping file, for details. */
    public String describe() {
      return pointer == null ? "constant " + constant : pointer.toString();
    }
  }

  /**
   * A telemetry metric: its value, then {@code conversion}, then {@code value * scale + offset}. JSON booleans are
   * 1 and 0; strings only through {@code lookup}.
   *
   * @param value where the number is
   * @param conversion unit conversion or {@code null}
   * @param scale multiplier (1 by default)
   * @param offset addend (0 by default)
   * @param lookup text values to numbers ({@code map:}), empty when none
   */
  public record Metric(Value value, Units.Conversion conversion, double scale, double offset,
      Map<String, Double> lookup) {}

  /**
   * A payload condition: the value at {@code pointer} equals {@code expected} (numbers compare as numbers, other
   * values by their text).
   *
   * @param pointer where
   * @param expected the expected value, as YAML text
   */
  public record Condition(JsonPointer pointer, String expected) {}

  /** Timestamp formats. */
  public enum TimeFormat {
    EPOCH_S("epoch-s"), EPOCH_MS("epoch-ms"), ISO_8601("iso-8601"), PATTERN("pattern");

    private final String text;

    TimeFormat(String text) {
      this.text = text;
    }

    /** The format as written in a mapping file. */
    public String text() {
      return text;
    }

    /** The format a mapping file names, or {@code null}. */
    public static TimeFormat of(String text) {
      for (TimeFormat f : values()) {
        if (f.text.equals(text)) {
          return f;
        }
      }
      return null;
    }
  }

  /**
   * Where and how the device time is written.
   *
   * @param pointer where
   * @param format how
   * @param formatter for {@link TimeFormat#PATTERN}, else {@code null}
   * @param zone zone of times without an offset ({@code pattern}, {@code iso-8601}), or {@code null}
   */
  public record Time(JsonPointer pointer, TimeFormat format, DateTimeFormatter formatter, ZoneId zone) {}
}
