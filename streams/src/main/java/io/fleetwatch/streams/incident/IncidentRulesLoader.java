package io.fleetwatch.streams.incident;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fleetwatch.avro.IncidentAction;
import io.fleetwatch.avro.Perspective;
import io.fleetwatch.avro.Severity;
import io.fleetwatch.streams.policy.PolicyFormatException;
import io.fleetwatch.streams.policy.YamlNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads {@link IncidentRules} from the documents of kind {@value #MODEL_KIND} and {@value #ACTIONS_KIND} that sit
 * beside the policies (a file or every {@code *.yaml}/{@code *.yml} of a directory; {@code kind: Policy} documents
 * are left to the policy loader). A kind that is not found falls back to the built-in copy of the shipped file.
 * Errors read {@code file:line: field.path: why} ({@link PolicyFormatException}).
 */
public final class IncidentRulesLoader {
  public static final String MODEL_KIND = "IotSsfModel";
  public static final String ACTIONS_KIND = "IncidentActionTemplates";
  static final String BUILT_IN_MODEL = "iot-ssf.yaml";
  static final String BUILT_IN_ACTIONS = "iot-ssf-actions.yaml";
  private static final Map<String, Severity> SEVERITIES = Map.of("info", Severity.INFO, "low", Severity.LOW,
      "medium", Severity.MEDIUM, "high", Severity.HIGH, "critical", Severity.CRITICAL);
  private static final Set<String> KINDS = Set.of("safety", "security", "safety-security");

  private final YAMLFactory yaml = new YAMLFactory();

  /** The rules found in a policy file or directory, with built-in defaults for what is not there. */
  public IncidentRules load(Path fileOrDirectory) {
    Parsed parsed = new Parsed();
    for (Path file : files(fileOrDirectory)) {
      try {
        parse(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8), parsed);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }
    return complete(parsed);
  }

  /** Parses YAML text holding either kind of document; what is missing comes from the built-in defaults. */
  public IncidentRules parse(String source, String text) {
    Parsed parsed = new Parsed();
    parse(source, text, parsed);
    return complete(parsed);
  }

  static IncidentRules builtIn() {
    Parsed parsed = new Parsed();
    IncidentRulesLoader loader = new IncidentRulesLoader();
    loader.parse(BUILT_IN_MODEL, resource(BUILT_IN_MODEL), parsed);
    loader.parse(BUILT_IN_ACTIONS, resource(BUILT_IN_ACTIONS), parsed);
    return new IncidentRules(parsed.model.matrix, parsed.model.factors, parsed.model.escalation,
        parsed.model.routing, parsed.model.correlation, parsed.actions);
  }

  static String resource(String name) {
    try (InputStream in = IncidentRulesLoader.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("built-in " + name + " missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static IncidentRules complete(Parsed parsed) {
    if (parsed.model == null || parsed.actions == null) {
      IncidentRules defaults = builtIn();
      Model model = parsed.model != null ? parsed.model : new Model(defaults.matrix(), defaults.factors(),
          defaults.escalation(), defaults.routing(), defaults.correlation());
      List<ActionTemplate> actions = parsed.actions != null ? parsed.actions : defaults.actions();
      return new IncidentRules(model.matrix, model.factors, model.escalation, model.routing, model.correlation,
          actions);
    }
    return new IncidentRules(parsed.model.matrix, parsed.model.factors, parsed.model.escalation,
        parsed.model.routing, parsed.model.correlation, parsed.actions);
  }

  private static List<Path> files(Path fileOrDirectory) {
    if (!Files.isDirectory(fileOrDirectory)) {
      return Files.isRegularFile(fileOrDirectory) ? List.of(fileOrDirectory) : List.of();
    }
    try (Stream<Path> listing = Files.list(fileOrDirectory)) {
      return listing.filter(p -> {
        String name = p.getFileName().toString();
        return Files.isRegularFile(p) && (name.endsWith(".yaml") || name.endsWith(".yml"));
      }).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + fileOrDirectory, e);
    }
  }

  private void parse(String source, String text, Parsed into) {
    try (JsonParser parser = yaml.createParser(text)) {
      while (parser.nextToken() != null) {
        YamlNode document = YamlNode.read(parser, source);
        if (!(document instanceof YamlNode.Mapping)) {
          continue; // empty documents; anything else is the policy loader's to report
        }
        Node doc = new Node(source, "", document);
        String kind = doc.has("kind") ? doc.string("kind") : "";
        if (MODEL_KIND.equals(kind)) {
          if (into.model != null) {
            throw doc.error("kind", "a second " + MODEL_KIND + " document; keep exactly one");
          }
          into.model = model(doc);
        } else if (ACTIONS_KIND.equals(kind)) {
          if (into.actions == null) {
            into.actions = new ArrayList<>();
          }
          into.actions.addAll(actions(doc, into.model == null ? null : into.model.matrix));
        }
      }
    } catch (JsonProcessingException e) {
      throw new PolicyFormatException(source, e.getLocation() == null ? 0 : e.getLocation().getLineNr(), "",
          "invalid YAML: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse " + source, e);
    }
  }

  private Model model(Node doc) {
    doc.allowOnly("apiVersion", "kind", "axes", "categories", "matrix", "severity", "escalation", "routing",
        "correlation");
    doc.apiVersion();
    Node axes = doc.mapping("axes");
    axes.allowOnly("recoveryDifficulty", "economicImpact");
    List<String> recovery = axes.strings("recoveryDifficulty");
    List<String> economic = axes.strings("economicImpact");
    List<String> categories = doc.strings("categories");
    if (new LinkedHashSet<>(categories).size() != categories.size() || categories.contains(SsfMatrix.NONE)) {
      throw doc.error("categories", "category names must be distinct and not '" + SsfMatrix.NONE + "'");
    }
    List<YamlNode> rows = doc.sequence("matrix");
    if (rows.size() != recovery.size()) {
      throw doc.error("matrix", "expected " + recovery.size() + " rows (one per recovery-difficulty level), got "
          + rows.size());
    }
    List<List<String>> matrix = new ArrayList<>();
    for (int r = 0; r < rows.size(); r++) {
      String path = "matrix[" + r + "]";
      if (!(rows.get(r) instanceof YamlNode.Sequence row)) {
        throw new PolicyFormatException(doc.file, rows.get(r).line(), path, "expected a list of categories");
      }
      if (row.items().size() != economic.size()) {
        throw new PolicyFormatException(doc.file, row.line(), path, "expected " + economic.size()
            + " columns (one per economic-impact level), got " + row.items().size());
      }
      List<String> cells = new ArrayList<>();
      for (int c = 0; c < row.items().size(); c++) {
        String cell = Node.scalarText(row.items().get(c));
        if (cell == null || !categories.contains(cell)) {
          throw new PolicyFormatException(doc.file, row.items().get(c).line(), path + "[" + c + "]",
              "expected one of " + categories + ", got " + row.items().get(c).describe());
        }
        cells.add(cell);
      }
      matrix.add(cells);
    }
    SsfMatrix ssf = new SsfMatrix(recovery, economic, categories, matrix);

    Node severity = doc.mapping("severity");
    severity.allowOnly("category", "safetyFunction", "safetyFunctionRaisesRecovery", "knownExploited",
        "correlatedSite", "attack");
    Node byCategory = severity.mapping("category");
    Map<String, Integer> shifts = new LinkedHashMap<>();
    for (String key : byCategory.keys()) {
      if (!categories.contains(key)) {
        throw byCategory.error(key, "unknown category, expected one of " + categories);
      }
      shifts.put(key, byCategory.integer(key, -4, 4));
    }
    SeverityFactors factors = new SeverityFactors(shifts, severity.integer("safetyFunction", -4, 4),
        severity.integer("safetyFunctionRaisesRecovery", 0, recovery.size()),
        severity.integer("knownExploited", -4, 4), severity.integer("correlatedSite", -4, 4),
        severity.integer("attack", -4, 4));

    List<EscalationStep> escalation = new ArrayList<>();
    List<Node> steps = doc.mappings("escalation");
    for (Node step : steps) {
      step.allowOnly("level", "rtoElapsed");
      int level = step.integer("level", 1, 9);
      if (level != escalation.size() + 1) {
        throw step.error("level", "levels must count up from 1, expected " + (escalation.size() + 1));
      }
      double fraction = step.number("rtoElapsed");
      if (!(fraction > 0) || (!escalation.isEmpty() && fraction <= escalation.get(escalation.size() - 1).rtoElapsed())) {
        throw step.error("rtoElapsed", "expected a positive fraction above the previous step's, got " + fraction);
      }
      escalation.add(new EscalationStep(level, fraction));
    }

    Node routing = doc.mapping("routing");
    routing.allowOnly("categories", "security", "escalated");
    Node routeByCategory = routing.mapping("categories");
    Map<String, List<String>> roles = new LinkedHashMap<>();
    for (String key : routeByCategory.keys()) {
      if (!categories.contains(key) && !SsfMatrix.NONE.equals(key)) {
        throw routeByCategory.error(key, "unknown category, expected one of " + categories + " or none");
      }
      roles.put(key, routeByCategory.strings(key));
    }
    Routing route = new Routing(roles, routing.optionalStrings("security"), routing.optionalStrings("escalated"));

    Node correlation = doc.mapping("correlation");
    correlation.allowOnly("siteIncident", "massOffline", "safetyAfterChange");
    Node site = correlation.mapping("siteIncident");
    site.allowOnly("policy", "title", "severity", "kinds", "excludePolicies", "minDevices", "minPercent", "window");
    List<String> kinds = site.strings("kinds");
    for (String k : kinds) {
      if (!KINDS.contains(k)) {
        throw site.error("kinds", "expected kinds among " + KINDS + ", got '" + k + "'");
      }
    }
    Correlation.SiteIncident siteIncident = new Correlation.SiteIncident(site.string("policy"),
        site.string("title"), site.severity("severity"), Set.copyOf(kinds),
        Set.copyOf(site.optionalStrings("excludePolicies")), site.integer("minDevices", 2, 100000),
        site.integer("minPercent", 0, 100), site.duration("window"));
    Node offline = correlation.mapping("massOffline");
    offline.allowOnly("policy", "title", "severity", "heartbeatPolicy", "minDevices", "minPercent", "window");
    Correlation.MassOffline massOffline = new Correlation.MassOffline(offline.string("policy"),
        offline.string("title"), offline.severity("severity"), offline.string("heartbeatPolicy"),
        offline.integer("minDevices", 2, 100000), offline.integer("minPercent", 0, 100), offline.duration("window"));
    Node change = correlation.mapping("safetyAfterChange");
    change.allowOnly("policy", "changePolicies", "safetyPolicies");
    Correlation.SafetyAfterChange safetyAfterChange = new Correlation.SafetyAfterChange(change.string("policy"),
        change.strings("changePolicies"), change.strings("safetyPolicies"));
    return new Model(ssf, factors, escalation, route,
        new Correlation(siteIncident, massOffline, safetyAfterChange));
  }

  private List<ActionTemplate> actions(Node doc, SsfMatrix matrix) {
    doc.allowOnly("apiVersion", "kind", "templates");
    doc.apiVersion();
    List<ActionTemplate> templates = new ArrayList<>();
    for (Node t : doc.mappings("templates")) {
      t.allowOnly("policies", "kinds", "categories", "actions");
      List<String> kinds = t.optionalStrings("kinds");
      for (String k : kinds) {
        if (!KINDS.contains(k)) {
          throw t.error("kinds", "expected kinds among " + KINDS + ", got '" + k + "'");
        }
      }
      List<String> categories = t.optionalStrings("categories");
      if (matrix != null) {
        for (String c : categories) {
          if (!matrix.isCategory(c)) {
            throw t.error("categories", "unknown category '" + c + "', expected one of " + matrix.categories());
          }
        }
      }
      Node byPerspective = t.mapping("actions");
      List<IncidentAction> actions = new ArrayList<>();
      for (String key : byPerspective.keys()) {
        Perspective perspective;
        try {
          perspective = Perspective.valueOf(key);
        } catch (IllegalArgumentException e) {
          perspective = Perspective.UNKNOWN;
        }
        if (perspective == Perspective.UNKNOWN) {
          throw byPerspective.error(key, "expected a perspective P1, P2, P3 or P4");
        }
        for (YamlNode item : byPerspective.sequence(key)) {
          actions.add(action(byPerspective, key, perspective, item));
        }
      }
      templates.add(new ActionTemplate(t.optionalStrings("policies"), Set.copyOf(kinds), Set.copyOf(categories),
          actions));
    }
    return templates;
  }

  private static IncidentAction action(Node parent, String key, Perspective perspective, YamlNode item) {
    String text = Node.scalarText(item);
    String tlp = null;
    if (item instanceof YamlNode.Mapping) {
      Node n = new Node(parent.file, parent.fieldPath(key) + "[]", item);
      n.allowOnly("text", "tlp");
      text = n.string("text");
      tlp = n.has("tlp") ? n.string("tlp").toUpperCase(Locale.ROOT) : null;
      if (tlp != null && !Set.of("CLEAR", "WHITE", "GREEN", "AMBER", "AMBER+STRICT", "RED").contains(tlp)) {
        throw n.error("tlp", "expected a TLP label (CLEAR, GREEN, AMBER, AMBER+STRICT, RED), got '" + tlp + "'");
      }
    }
    if (text == null || text.isBlank()) {
      throw new PolicyFormatException(parent.file, item.line(), parent.fieldPath(key),
          "expected an action text or {text, tlp}, got " + item.describe());
    }
    return new IncidentAction(perspective, text, tlp);
  }

  private static final class Parsed {
    Model model;
    List<ActionTemplate> actions;
  }

  private record Model(SsfMatrix matrix, SeverityFactors factors, List<EscalationStep> escalation, Routing routing,
      Correlation correlation) {}

  /** A mapping with its file and path, for error messages that name the line. */
  private static final class Node {
    private final String file;
    private final String path;
    private final YamlNode.Mapping node;

    Node(String file, String path, YamlNode node) {
      this.file = file;
      this.path = path;
      if (!(node instanceof YamlNode.Mapping mapping)) {
        throw new PolicyFormatException(file, node.line(), path.isEmpty() ? "(document)" : path,
            "expected a mapping, got " + node.describe());
      }
      this.node = mapping;
    }

    String fieldPath(String key) {
      return path.isEmpty() ? key : path + "." + key;
    }

    PolicyFormatException error(String key, String why) {
      Integer line = node.keyLines().get(key);
      return new PolicyFormatException(file, line == null ? node.line() : line, fieldPath(key), why);
    }

    Set<String> keys() {
      return node.entries().keySet();
    }

    boolean has(String key) {
      YamlNode value = node.entries().get(key);
      return value != null && !(value instanceof YamlNode.Scalar s && s.token() == JsonToken.VALUE_NULL);
    }

    void allowOnly(String... keys) {
      Set<String> allowed = new LinkedHashSet<>(List.of(keys));
      for (String key : node.entries().keySet()) {
        if (!allowed.contains(key)) {
          throw error(key, "unknown field, expected one of " + allowed);
        }
      }
    }

    void apiVersion() {
      String v = string("apiVersion");
      if (!"fleetwatch.io/v1".equals(v)) {
        throw error("apiVersion", "expected fleetwatch.io/v1, got '" + v + "'");
      }
    }

    private YamlNode required(String key) {
      if (!has(key)) {
        throw error(key, "missing required field");
      }
      return node.entries().get(key);
    }

    static String scalarText(YamlNode value) {
      if (value instanceof YamlNode.Scalar s && s.token() != JsonToken.VALUE_NULL) {
        return s.text();
      }
      return null;
    }

    String string(String key) {
      YamlNode value = required(key);
      String text = scalarText(value);
      if (text == null || text.isBlank()) {
        throw error(key, "expected a non-blank string, got " + value.describe());
      }
      return text;
    }

    int integer(String key, int min, int max) {
      YamlNode value = required(key);
      if (!(value instanceof YamlNode.Scalar s) || s.token() != JsonToken.VALUE_NUMBER_INT) {
        throw error(key, "expected an integer, got " + value.describe());
      }
      int parsed;
      try {
        parsed = Integer.parseInt(s.text());
      } catch (NumberFormatException e) {
        throw error(key, "integer out of range: " + s.text());
      }
      if (parsed < min || parsed > max) {
        throw error(key, "expected " + min + ".." + max + ", got " + parsed);
      }
      return parsed;
    }

    double number(String key) {
      YamlNode value = required(key);
      if (!(value instanceof YamlNode.Scalar s)
          || (s.token() != JsonToken.VALUE_NUMBER_INT && s.token() != JsonToken.VALUE_NUMBER_FLOAT)) {
        throw error(key, "expected a number, got " + value.describe());
      }
      return Double.parseDouble(s.text());
    }

    Duration duration(String key) {
      String text = string(key);
      try {
        Duration d = Duration.parse(text);
        if (d.isNegative() || d.isZero()) {
          throw error(key, "expected a positive duration, got " + text);
        }
        return d;
      } catch (DateTimeParseException e) {
        throw error(key, "expected an ISO-8601 duration such as PT10M, got '" + text + "'");
      }
    }

    Severity severity(String key) {
      String text = string(key);
      Severity s = SEVERITIES.get(text.toLowerCase(Locale.ROOT));
      if (s == null) {
        throw error(key, "expected one of info, low, medium, high, critical, got '" + text + "'");
      }
      return s;
    }

    Node mapping(String key) {
      return new Node(file, fieldPath(key), required(key));
    }

    List<YamlNode> sequence(String key) {
      YamlNode value = required(key);
      if (!(value instanceof YamlNode.Sequence seq)) {
        throw error(key, "expected a list, got " + value.describe());
      }
      return seq.items();
    }

    List<Node> mappings(String key) {
      List<Node> result = new ArrayList<>();
      List<YamlNode> items = sequence(key);
      for (int i = 0; i < items.size(); i++) {
        result.add(new Node(file, fieldPath(key) + "[" + i + "]", items.get(i)));
      }
      return result;
    }

    List<String> strings(String key) {
      List<String> result = new ArrayList<>();
      for (YamlNode item : sequence(key)) {
        String text = scalarText(item);
        if (text == null || text.isBlank()) {
          throw new PolicyFormatException(file, item.line(), fieldPath(key), "expected strings, got "
              + item.describe());
        }
        result.add(text);
      }
      if (result.isEmpty()) {
        throw error(key, "must not be empty");
      }
      return result;
    }

    List<String> optionalStrings(String key) {
      return has(key) ? strings(key) : List.of();
    }
  }
}
