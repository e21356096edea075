package io.fleetwatch.schemas.yaml;

import io.fleetwatch.schemas.Identifier;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * A YAML mapping at a field path, with typed accessors that fail with a {@link YamlFormatException} naming the file,
 * the line of the key (the mapping's line when the key is missing) and the field path. A key with a null value
 * ({@code key:} or {@code key: ~}) counts as absent. Duplicate keys and keys that are no plain text are rejected.
 */
public final class YamlMap {
  private final YamlValue value;
  private final Map<String, YamlValue> entries = new LinkedHashMap<>();
  private final Map<String, Integer> keyLines = new LinkedHashMap<>();

  /** Throws at the first bad key when {@code problems} is null, else records every bad key and skips it. */
  YamlMap(YamlValue value, MappingNode mapping, YamlProblems problems) {
    this.value = value;
    for (NodeTuple tuple : mapping.getValue()) {
      YamlValue keyValue = new YamlValue(value.file(), value.path(), tuple.getKeyNode());
      YamlFormatException problem = null;
      String name = tuple.getKeyNode() instanceof ScalarNode key && !keyValue.isNull() ? key.getValue() : null;
      if (name == null) {
        problem = keyValue.error("keys must be plain text, got " + keyValue.describe());
      } else if (entries.containsKey(name)) {
        problem = new YamlFormatException(value.file(), keyValue.line(), fieldPath(name),
            "duplicate key (first at line " + keyLines.get(name) + ")");
      }
      if (problem != null) {
        if (problems == null) {
          throw problem;
        }
        problems.add(problem);
        continue;
      }
      entries.put(name, new YamlValue(value.file(), fieldPath(name), tuple.getValueNode()));
      keyLines.put(name, keyValue.line());
    }
  }

  public String file() {
    return value.file();
  }

  /** The field path of the mapping, empty for a document. */
  public String path() {
    return value.path();
  }

  /** The line the mapping starts on. */
  public int line() {
    return value.line();
  }

  /** The keys in file order. */
  public Set<String> keys() {
    return entries.keySet();
  }

  /** {@code path.key}, {@code key} at the top, the mapping's own path for an empty key. */
  public String fieldPath(String key) {
    if (key.isEmpty()) {
      return path();
    }
    return path().isEmpty() ? key : path() + "." + key;
  }

  /** An error at {@code key} (its line when present) or, for an empty key, at the mapping itself. */
  public YamlFormatException error(String key, String why) {
    Integer line = keyLines.get(key);
    return new YamlFormatException(file(), line == null ? line() : line, fieldPath(key), why);
  }

  /** Whether {@code key} is present with a value that is not null. */
  public boolean has(String key) {
    YamlValue v = entries.get(key);
    return v != null && !v.isNull();
  }

  /** The value of a key, {@code null} when absent or null. */
  public YamlValue get(String key) {
    return has(key) ? entries.get(key) : null;
  }

  /** The value of a key as written, a null value included; {@code null} only when the key is absent. */
  public YamlValue entry(String key) {
    return entries.get(key);
  }

  /** The value of a key that must be there. */
  public YamlValue required(String key) {
    if (!has(key)) {
      throw error(key, "required field is missing");
    }
    return entries.get(key);
  }

  /**
   * The mapping without the keys outside {@code allowed}, each of which is recorded in {@code problems} as
   * {@code why} (e.g. {@code unknown field}) followed by {@code ; expected one of [the allowed keys]}: a
   * collecting reader reads on as if they were not there.
   */
  public YamlMap withOnly(Set<String> allowed, YamlProblems problems, String why) {
    YamlMap kept = new YamlMap(value);
    for (String key : entries.keySet()) {
      if (allowed.contains(key)) {
        kept.entries.put(key, entries.get(key));
        kept.keyLines.put(key, keyLines.get(key));
      } else {
        problems.add(error(key, why + "; expected one of " + new TreeSet<>(allowed)));
      }
    }
    return kept;
  }

  private YamlMap(YamlValue value) {
    this.value = value;
  }

  /** Rejects every key not in {@code keys}, so that typos do not pass silently. */
  public void allowOnly(String... keys) {
    Set<String> allowed = new LinkedHashSet<>(List.of(keys));
    for (String key : entries.keySet()) {
      if (!allowed.contains(key)) {
        throw error(key, "unknown field, expected one of " + allowed.stream().sorted().toList());
      }
    }
  }

  public String requiredString(String key) {
    return required(key).string();
  }

  /** A string, {@code null} when absent. */
  public String optionalString(String key) {
    return has(key) ? requiredString(key) : null;
  }

  /** A scalar of any type as text (see {@link YamlValue#text()}). */
  public String requiredText(String key) {
    return required(key).text();
  }

  public String identifier(String key) {
    return required(key).identifier();
  }

  /** An identifier, {@code null} when absent. */
  public String optionalIdentifier(String key) {
    return has(key) ? identifier(key) : null;
  }

  public int requiredInt(String key) {
    return required(key).integer();
  }

  public int optionalInt(String key, int otherwise) {
    return has(key) ? requiredInt(key) : otherwise;
  }

  public double requiredNumber(String key) {
    return required(key).number();
  }

  /** A finite number, {@code null} when absent. */
  public Double optionalNumber(String key) {
    return has(key) ? requiredNumber(key) : null;
  }

  public boolean optionalBoolean(String key, boolean otherwise) {
    return has(key) ? required(key).bool() : otherwise;
  }

  /** A duration that is not negative. */
  public Duration duration(String key) {
    return required(key).duration();
  }

  public Duration positiveDuration(String key) {
    return required(key).positiveDuration();
  }

  public Duration optionalDuration(String key, Duration otherwise) {
    return has(key) ? duration(key) : otherwise;
  }

  /** One of the names of {@code accepted} (see {@link YamlValue#oneOf}). */
  public <T> T oneOf(String key, Map<String, T> accepted) {
    return required(key).oneOf(accepted);
  }

  public YamlMap requiredMapping(String key) {
    return required(key).asMap();
  }

  /** A mapping, {@code null} when absent. */
  public YamlMap optionalMapping(String key) {
    return has(key) ? requiredMapping(key) : null;
  }

  /** The items of a list. */
  public List<YamlValue> list(String key) {
    YamlValue list = required(key);
    if (!list.isList()) {
      throw error(key, "expected a list, got " + list.describe());
    }
    return list.items();
  }

  /** A list of mappings. */
  public List<YamlMap> requiredMappings(String key) {
    return list(key).stream().map(YamlValue::asMap).toList();
  }

  /** A list of mappings, empty when absent. */
  public List<YamlMap> optionalMappings(String key) {
    return has(key) ? requiredMappings(key) : List.of();
  }

  /** A list of scalars of any type as their texts (see {@link YamlValue#text()}), in order. */
  public List<String> texts(String key) {
    YamlValue list = required(key);
    if (!list.isList()) {
      throw error(key, "expected a list of values, got " + list.describe());
    }
    return list.items().stream().map(YamlValue::text).toList();
  }

  /** A list of scalars as texts, empty when absent. */
  public Set<String> textSet(String key) {
    return has(key) ? new LinkedHashSet<>(texts(key)) : Set.of();
  }

  /** A list of identifiers, empty when absent. */
  public Set<String> identifierSet(String key) {
    if (!has(key)) {
      return Set.of();
    }
    YamlValue list = required(key);
    if (!list.isList()) {
      throw error(key, "expected a list of identifiers, got " + list.describe());
    }
    Set<String> result = new LinkedHashSet<>();
    for (YamlValue item : list.items()) {
      if (!item.isString() || !Identifier.isValid(item.scalarText())) {
        throw item.error("expected an identifier " + Identifier.SYNTAX + ", got " + item.describe());
      }
      result.add(item.scalarText());
    }
    return result;
  }

  /** A mapping of identifiers (e.g. models) to scalar texts, empty when absent. */
  public Map<String, String> textMap(String key) {
    if (!has(key)) {
      return Map.of();
    }
    YamlMap map = requiredMapping(key);
    Map<String, String> result = new LinkedHashMap<>();
    for (String entry : map.keys()) {
      if (!Identifier.isValid(entry)) {
        throw map.error(entry, "expected an identifier " + Identifier.SYNTAX + " as key");
      }
      result.put(entry, map.requiredText(entry));
    }
    return result;
  }

  /** The mapping as a value, e.g. to describe it. */
  public YamlValue value() {
    return value;
  }
}
