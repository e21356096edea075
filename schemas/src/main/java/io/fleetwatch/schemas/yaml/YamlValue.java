package io.fleetwatch.schemas.yaml;

import io.fleetwatch.schemas.Identifier;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * One YAML value (scalar, list or mapping) with the file it is in, the line it starts on and its field path
 * ({@code checks[0].rule.min}), so that every typed read fails with a {@link YamlFormatException} reading
 * {@code file:line: field: why}. Plain scalars are typed as YAML 1.1 resolves them: {@code 3} is a number,
 * {@code true} a boolean, {@code ~} null; quoted scalars are always strings.
 */
public final class YamlValue {
  private final String file;
  private final String path;
  private final Node node;

  YamlValue(String file, String path, Node node) {
    this.file = file;
    this.path = path;
    this.node = node;
  }

  /** The file name used in messages. */
  public String file() {
    return file;
  }

  /** The field path, empty for a document. */
  public String path() {
    return path;
  }

  /** 1-based line the value starts on, 0 when unknown. */
  public int line() {
    return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
  }

  Node node() {
    return node;
  }

  /** An error at this value's line and path. */
  public YamlFormatException error(String why) {
    return new YamlFormatException(file, line(), path, why);
  }

  public boolean isNull() {
    return node instanceof ScalarNode s && s.getTag().equals(Tag.NULL);
  }

  public boolean isMapping() {
    return node instanceof MappingNode;
  }

  public boolean isList() {
    return node instanceof SequenceNode;
  }

  /** Whether this is a scalar that is not null (a string, number, boolean or date). */
  public boolean isScalar() {
    return node instanceof ScalarNode && !isNull();
  }

  /** Whether this is a scalar that YAML reads as a number (integer or decimal, {@code .inf} and {@code .nan} too). */
  public boolean isNumber() {
    return node instanceof ScalarNode s && isNumber(s);
  }

  /** Whether this is a scalar that YAML reads as a boolean. */
  public boolean isBoolean() {
    return node instanceof ScalarNode s && s.getTag().equals(Tag.BOOL);
  }

  /** Whether this is a scalar that YAML reads as text (not a number, boolean or null). */
  public boolean isString() {
    return node instanceof ScalarNode s && !isNull() && !isNumber(s) && !s.getTag().equals(Tag.BOOL);
  }

  /** The value as messages show it: {@code 'text'}, {@code number 3}, {@code boolean true}, {@code null}, ... */
  public String describe() {
    if (node instanceof ScalarNode s) {
      if (isNumber(s)) {
        return "number " + s.getValue();
      }
      if (s.getTag().equals(Tag.BOOL)) {
        return "boolean " + s.getValue();
      }
      return isNull() ? "null" : "'" + s.getValue() + "'";
    }
    return node instanceof SequenceNode ? "a list" : "a mapping";
  }

  /** This value as a mapping; a document that is no mapping is reported as {@code (document)}. */
  public YamlMap asMap() {
    return new YamlMap(this, mapping(), null);
  }

  /**
   * This value as a mapping that keeps the first of duplicate keys and skips keys that are no text, recording each
   * such key in {@code problems}; a collecting reader reads on. Fails like {@link #asMap()} when this is no mapping.
   */
  public YamlMap asMap(YamlProblems problems) {
    return new YamlMap(this, mapping(), problems);
  }

  private MappingNode mapping() {
    if (!(node instanceof MappingNode mapping)) {
      throw new YamlFormatException(file, line(), path.isEmpty() ? "(document)" : path,
          "expected a mapping, got " + describe());
    }
    return mapping;
  }

  /** The items of a list, each with its path {@code field[i]}. */
  public List<YamlValue> items() {
    if (!(node instanceof SequenceNode sequence)) {
      throw error("expected a list, got " + describe());
    }
    List<YamlValue> items = new ArrayList<>();
    for (int i = 0; i < sequence.getValue().size(); i++) {
      items.add(new YamlValue(file, path + "[" + i + "]", sequence.getValue().get(i)));
    }
    return items;
  }

  /** The text of a scalar of any type, {@code null} for null or a collection. */
  public String scalarText() {
    return isScalar() ? ((ScalarNode) node).getValue() : null;
  }

  /** A string (a quoted or unquoted text that YAML does not read as a number, boolean or null), not blank. */
  public String string() {
    if (!isString()) {
      throw error("expected a string, got " + describe());
    }
    String text = ((ScalarNode) node).getValue();
    if (text.isBlank()) {
      throw error("must not be blank");
    }
    return text;
  }

  /** A scalar of any type as its stripped text; versions and hashes are often unquoted numbers. */
  public String text() {
    String text = scalarText();
    if (text == null || text.isBlank()) {
      throw error("expected a value, got " + describe());
    }
    return text.strip();
  }

  /** A string that is an {@link Identifier}. */
  public String identifier() {
    String value = string();
    if (!Identifier.isValid(value)) {
      throw error("expected an identifier " + Identifier.SYNTAX + ", got '" + value + "'");
    }
    return value;
  }

  public int integer() {
    if (!(node instanceof ScalarNode s) || !s.getTag().equals(Tag.INT)) {
      throw error("expected an integer, got " + describe());
    }
    try {
      return Integer.parseInt(s.getValue().replace("_", ""));
    } catch (NumberFormatException e) {
      throw error("integer out of range: " + s.getValue());
    }
  }

  /** A finite number (integer or decimal). */
  public double number() {
    if (!(node instanceof ScalarNode s) || !isNumber(s)) {
      throw error("expected a number, got " + describe());
    }
    double parsed;
    try {
      parsed = Double.parseDouble(s.getValue().replace("_", ""));
    } catch (NumberFormatException e) {
      parsed = Double.NaN; // .inf, .nan
    }
    if (!Double.isFinite(parsed)) {
      throw error("expected a finite number, got " + s.getValue());
    }
    return parsed;
  }

  public boolean bool() {
    if (!(node instanceof ScalarNode s) || !s.getTag().equals(Tag.BOOL)) {
      throw error("expected true or false, got " + describe());
    }
    // YAML 1.1 booleans: true/false, yes/no, on/off
    return Set.of("true", "yes", "on").contains(s.getValue().toLowerCase(Locale.ROOT));
  }

  /** An ISO-8601 duration ({@code PT30S}) that is not negative. */
  public Duration duration() {
    String text = string();
    Duration duration;
    try {
      duration = Duration.parse(text);
    } catch (DateTimeParseException e) {
      throw error("expected an ISO-8601 duration such as PT30S, got '" + text + "'");
    }
    if (duration.isNegative()) {
      throw error("must not be negative, got " + text);
    }
    return duration;
  }

  /** A duration longer than zero. */
  public Duration positiveDuration() {
    Duration duration = duration();
    if (duration.isZero()) {
      throw error("must be longer than zero");
    }
    return duration;
  }

  /** One of the names of {@code accepted} (an enum's names in files, a closed set of words). */
  public <T> T oneOf(Map<String, T> accepted) {
    String value = string();
    T result = accepted.get(value);
    if (result == null) {
      throw error("'" + value + "' is not one of " + accepted.keySet().stream().sorted().toList()
          + (accepted.containsKey(value.toLowerCase(Locale.ROOT)) ? " (use lower case)" : ""));
    }
    return result;
  }

  private static boolean isNumber(ScalarNode s) {
    return s.getTag().equals(Tag.INT) || s.getTag().equals(Tag.FLOAT);
  }
}
