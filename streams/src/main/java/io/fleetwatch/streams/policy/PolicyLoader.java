package io.fleetwatch.streams.policy;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fleetwatch.avro.PolicyKind;
import io.fleetwatch.avro.Severity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads policy definitions ({@code apiVersion: fleetwatch.io/v1}, {@code kind: Policy}) from a YAML file or a
 * directory of {@code *.yaml} / {@code *.yml} files (one or more documents per file) and validates them
 * strictly: unknown fields, wrong types, unknown rule types and out-of-range values are rejected with a
 * {@link PolicyFormatException} whose message names {@code file:line}, the field path and why.
 *
 * <p>Because {@code kind} is the document kind ({@code Policy}), the policy's safety/security nature is the
 * field {@code policyKind} ({@code safety | security | safety-security}).
 */
public final class PolicyLoader {
  public static final String API_VERSION = "fleetwatch.io/v1";
  public static final String KIND = "Policy";
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Map<String, Severity> SEVERITIES = Map.of("info", Severity.INFO, "low", Severity.LOW,
      "medium", Severity.MEDIUM, "high", Severity.HIGH, "critical", Severity.CRITICAL);
  private static final Map<String, PolicyKind> KINDS = Map.of("safety", PolicyKind.SAFETY,
      "security", PolicyKind.SECURITY, "safety-security", PolicyKind.SAFETY_SECURITY);
  private static final Set<String> RULE_TYPES = Set.of(Envelope.TYPE);

  private final YAMLFactory yaml = new YAMLFactory();

  /** Loads one file, or every {@code *.yaml}/{@code *.yml} file of a directory (not recursive, by name). */
  public List<Policy> load(Path fileOrDirectory) {
    if (Files.isDirectory(fileOrDirectory)) {
      List<Path> files;
      try (Stream<Path> listing = Files.list(fileOrDirectory)) {
        files = listing.filter(p -> {
          String name = p.getFileName().toString();
          return Files.isRegularFile(p) && (name.endsWith(".yaml") || name.endsWith(".yml"));
        }).sorted().toList();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list policy directory " + fileOrDirectory, e);
      }
      List<Policy> policies = new ArrayList<>();
      files.forEach(f -> policies.addAll(loadFile(f)));
      return policies;
    }
    return loadFile(fileOrDirectory);
  }

  /** Loads and indexes a file or directory. Duplicate policy ids are rejected. */
  public PolicyCatalogue loadCatalogue(Path fileOrDirectory) {
    return PolicyCatalogue.of(load(fileOrDirectory));
  }

  private List<Policy> loadFile(Path file) {
    try {
      return parse(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read policy file " + file, e);
    }
  }

  /**
   * Parses YAML text.
   *
   * @param source name used in error messages (usually the file name)
   * @param text the YAML documents
   */
  public List<Policy> parse(String source, String text) {
    List<Policy> policies = new ArrayList<>();
    try (JsonParser parser = yaml.createParser(text)) {
      while (parser.nextToken() != null) {
        YamlNode document = YamlNode.read(parser, source);
        if (document instanceof YamlNode.Scalar scalar && scalar.token() == JsonToken.VALUE_NULL) {
          continue; // empty document, e.g. a trailing '---'
        }
        policies.add(policy(new Fields(source, "", document)));
      }
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new PolicyFormatException(source, at == null ? 0 : at.getLineNr(), "",
          "invalid YAML: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse policy " + source, e);
    }
    Set<String> ids = new LinkedHashSet<>();
    for (Policy policy : policies) {
      if (!ids.add(policy.id())) {
        throw new PolicyFormatException(source, 0, "id", "policy " + policy.id() + " is defined twice");
      }
    }
    return policies;
  }

  private Policy policy(Fields doc) {
    doc.allowOnly("apiVersion", "kind", "id", "version", "title", "policyKind", "severity", "references",
        "remediation", "checks");
    String apiVersion = doc.requiredString("apiVersion");
    if (!API_VERSION.equals(apiVersion)) {
      throw doc.error("apiVersion", "unsupported apiVersion '" + apiVersion + "', expected " + API_VERSION);
    }
    String documentKind = doc.requiredString("kind");
    if (!KIND.equals(documentKind)) {
      throw doc.error("kind", "unsupported document kind '" + documentKind + "', expected " + KIND);
    }
    String id = doc.identifier("id");
    int version = doc.requiredInt("version");
    if (version < 1) {
      throw doc.error("version", "must be >= 1, got " + version);
    }
    String title = doc.requiredString("title");
    PolicyKind kind = doc.oneOf("policyKind", KINDS);
    Severity severity = doc.oneOf("severity", SEVERITIES);
    List<FrameworkReference> references = new ArrayList<>();
    List<Fields> refs = doc.requiredMappings("references");
    if (refs.isEmpty()) {
      throw doc.error("references", "a policy must cite at least one framework provision");
    }
    for (Fields ref : refs) {
      ref.allowOnly("framework", "provision");
      String framework = ref.requiredString("framework");
      if (!FrameworkReference.FRAMEWORKS.contains(framework)) {
        throw ref.error("framework", "unknown framework '" + framework + "', expected one of "
            + sorted(FrameworkReference.FRAMEWORKS));
      }
      references.add(new FrameworkReference(framework, ref.requiredString("provision")));
    }
    String remediation = doc.requiredString("remediation");
    List<Check> checks = new ArrayList<>();
    List<Fields> checkNodes = doc.requiredMappings("checks");
    if (checkNodes.isEmpty()) {
      throw doc.error("checks", "a policy needs at least one check");
    }
    Set<String> checkIds = new LinkedHashSet<>();
    for (Fields check : checkNodes) {
      Check parsed = check(check);
      if (!checkIds.add(parsed.id())) {
        throw check.error("id", "duplicate check id '" + parsed.id() + "' in policy " + id);
      }
      checks.add(parsed);
    }
    return new Policy(id, version, title, kind, severity, references, remediation, checks, doc.file);
  }

  private Check check(Fields check) {
    check.allowOnly("id", "scope", "rule");
    String id = check.identifier("id");
    Scope scope = Scope.ALL;
    Fields scopeNode = check.optionalMapping("scope");
    if (scopeNode != null) {
      scopeNode.allowOnly("assetClasses", "sites", "devices");
      scope = new Scope(scopeNode.identifierSet("assetClasses"), scopeNode.identifierSet("sites"),
          scopeNode.identifierSet("devices"));
    }
    return new Check(id, scope, rule(check.requiredMapping("rule")));
  }

  private Rule rule(Fields rule) {
    String type = rule.requiredString("type");
    if (Envelope.TYPE.equals(type)) {
      return envelope(rule);
    }
    throw rule.error("type", "unknown rule type '" + type + "', expected one of " + sorted(RULE_TYPES));
  }

  private Envelope envelope(Fields rule) {
    rule.allowOnly("type", "metric", "min", "max", "raise", "clear", "hysteresis");
    String metric = rule.identifier("metric");
    Double min = rule.optionalNumber("min");
    Double max = rule.optionalNumber("max");
    if (min == null && max == null) {
      throw rule.error("min", "an envelope needs min and/or max");
    }
    if (min != null && max != null && min > max) {
      throw rule.error("max", "max " + max + " is below min " + min);
    }
    Trigger raise = trigger(rule.requiredMapping("raise"));
    Trigger clear = trigger(rule.requiredMapping("clear"));
    Double hysteresis = rule.optionalNumber("hysteresis");
    double h = hysteresis == null ? 0.0 : hysteresis;
    if (h < 0) {
      throw rule.error("hysteresis", "must be >= 0, got " + h);
    }
    try {
      return new Envelope(metric, min, max, raise, clear, h);
    } catch (IllegalArgumentException e) {
      throw rule.error("hysteresis", e.getMessage());
    }
  }

  private Trigger trigger(Fields trigger) {
    trigger.allowOnly("consecutive", "duration");
    Integer consecutive = trigger.has("consecutive") ? trigger.requiredInt("consecutive") : null;
    if (consecutive != null && consecutive < 1) {
      throw trigger.error("consecutive", "must be >= 1, got " + consecutive);
    }
    Duration duration = null;
    if (trigger.has("duration")) {
      String text = trigger.requiredString("duration");
      try {
        duration = Duration.parse(text);
      } catch (DateTimeParseException e) {
        throw trigger.error("duration", "expected an ISO-8601 duration such as PT30S, got '" + text + "'");
      }
      if (duration.isNegative()) {
        throw trigger.error("duration", "must not be negative, got " + text);
      }
    }
    if (consecutive == null && duration == null) {
      throw trigger.error("", "needs consecutive and/or duration");
    }
    return new Trigger(consecutive, duration);
  }

  private static String sorted(Set<String> values) {
    return values.stream().sorted().toList().toString();
  }

  /** A mapping at a field path, with typed accessors that fail with file, line and path. */
  private static final class Fields {
    private final String file;
    private final String path;
    private final YamlNode.Mapping node;

    Fields(String file, String path, YamlNode node) {
      this.file = file;
      this.path = path;
      if (!(node instanceof YamlNode.Mapping mapping)) {
        throw new PolicyFormatException(file, node.line(), path.isEmpty() ? "(document)" : path,
            "expected a mapping, got " + node.describe());
      }
      this.node = mapping;
    }

    String fieldPath(String key) {
      if (key.isEmpty()) {
        return path;
      }
      return path.isEmpty() ? key : path + "." + key;
    }

    PolicyFormatException error(String key, String why) {
      Integer line = node.keyLines().get(key);
      return new PolicyFormatException(file, line == null ? node.line() : line, fieldPath(key), why);
    }

    boolean has(String key) {
      YamlNode value = node.entries().get(key);
      return value != null && !(value instanceof YamlNode.Scalar s && s.token() == JsonToken.VALUE_NULL);
    }

    void allowOnly(String... keys) {
      Set<String> allowed = Set.of(dedupe(keys));
      for (String key : node.entries().keySet()) {
        if (!allowed.contains(key)) {
          throw error(key, "unknown field, expected one of " + sorted(allowed));
        }
      }
    }

    private static String[] dedupe(String... keys) {
      return new LinkedHashSet<>(List.of(keys)).toArray(String[]::new);
    }

    private YamlNode required(String key) {
      if (!has(key)) {
        throw error(key, "missing required field");
      }
      return node.entries().get(key);
    }

    String requiredString(String key) {
      YamlNode value = required(key);
      if (!(value instanceof YamlNode.Scalar s) || s.token() != JsonToken.VALUE_STRING) {
        throw error(key, "expected a string, got " + value.describe());
      }
      if (s.text().isBlank()) {
        throw error(key, "must not be blank");
      }
      return s.text();
    }

    String identifier(String key) {
      String value = requiredString(key);
      if (!IDENTIFIER.matcher(value).matches()) {
        throw error(key, "expected an identifier [A-Za-z0-9._-]{1,64}, got '" + value + "'");
      }
      return value;
    }

    int requiredInt(String key) {
      YamlNode value = required(key);
      if (!(value instanceof YamlNode.Scalar s) || s.token() != JsonToken.VALUE_NUMBER_INT) {
        throw error(key, "expected an integer, got " + value.describe());
      }
      try {
        return Integer.parseInt(s.text());
      } catch (NumberFormatException e) {
        throw error(key, "integer out of range: " + s.text());
      }
    }

    Double optionalNumber(String key) {
      if (!has(key)) {
        return null;
      }
      YamlNode value = node.entries().get(key);
      if (!(value instanceof YamlNode.Scalar s)
          || (s.token() != JsonToken.VALUE_NUMBER_INT && s.token() != JsonToken.VALUE_NUMBER_FLOAT)) {
        throw error(key, "expected a number, got " + value.describe());
      }
      double parsed = Double.parseDouble(s.text());
      if (!Double.isFinite(parsed)) {
        throw error(key, "expected a finite number, got " + s.text());
      }
      return parsed;
    }

    <T> T oneOf(String key, Map<String, T> accepted) {
      String value = requiredString(key);
      T result = accepted.get(value);
      if (result == null) {
        throw error(key, "'" + value + "' is not one of " + sorted(accepted.keySet())
            + (accepted.containsKey(value.toLowerCase(Locale.ROOT)) ? " (use lower case)" : ""));
      }
      return result;
    }

    Fields requiredMapping(String key) {
      return new Fields(file, fieldPath(key), required(key));
    }

    Fields optionalMapping(String key) {
      return has(key) ? requiredMapping(key) : null;
    }

    List<Fields> requiredMappings(String key) {
      YamlNode value = required(key);
      if (!(value instanceof YamlNode.Sequence list)) {
        throw error(key, "expected a list, got " + value.describe());
      }
      List<Fields> result = new ArrayList<>();
      for (int i = 0; i < list.items().size(); i++) {
        result.add(new Fields(file, fieldPath(key) + "[" + i + "]", list.items().get(i)));
      }
      return result;
    }

    Set<String> identifierSet(String key) {
      if (!has(key)) {
        return Set.of();
      }
      YamlNode value = node.entries().get(key);
      if (!(value instanceof YamlNode.Sequence list)) {
        throw error(key, "expected a list of identifiers, got " + value.describe());
      }
      Set<String> result = new LinkedHashSet<>();
      for (int i = 0; i < list.items().size(); i++) {
        YamlNode item = list.items().get(i);
        String itemPath = fieldPath(key) + "[" + i + "]";
        if (!(item instanceof YamlNode.Scalar s) || s.token() != JsonToken.VALUE_STRING
            || !IDENTIFIER.matcher(s.text()).matches()) {
          throw new PolicyFormatException(file, item.line(), itemPath,
              "expected an identifier [A-Za-z0-9._-]{1,64}, got " + item.describe());
        }
        result.add(s.text());
      }
      return result;
    }
  }
}
