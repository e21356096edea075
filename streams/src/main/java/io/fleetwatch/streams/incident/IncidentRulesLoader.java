package io.fleetwatch.streams.incident;

import io.fleetwatch.avro.IncidentAction;
import io.fleetwatch.avro.Perspective;
import io.fleetwatch.avro.Severity;
import io.fleetwatch.schemas.SeverityNames;
import io.fleetwatch.schemas.yaml.YamlFormatException;
import io.fleetwatch.schemas.yaml.YamlMap;
import io.fleetwatch.schemas.yaml.YamlReader;
import io.fleetwatch.schemas.yaml.YamlValue;
import io.fleetwatch.streams.policy.PolicyFormatException;
import io.fleetwatch.streams.policy.PolicyLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
  private static final Set<String> KINDS = Set.of("safety", "security", "safety-security");

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
    try {
      for (YamlValue document : YamlReader.documents(source, text)) {
        if (!document.isMapping()) {
          continue; // empty documents; anything else is the policy loader's to report
        }
        YamlMap doc = document.asMap();
        String kind = doc.has("kind") ? doc.requiredText("kind") : "";
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
    } catch (PolicyFormatException e) {
      throw e;
    } catch (YamlFormatException e) {
      throw new PolicyFormatException(e);
    }
  }

  private Model model(YamlMap doc) {
    doc.allowOnly("apiVersion", "kind", "axes", "categories", "matrix", "severity", "escalation", "routing",
        "correlation");
    apiVersion(doc);
    YamlMap axes = doc.requiredMapping("axes");
    axes.allowOnly("recoveryDifficulty", "economicImpact");
    List<String> recovery = strings(axes, "recoveryDifficulty");
    List<String> economic = strings(axes, "economicImpact");
    List<String> categories = strings(doc, "categories");
    if (new LinkedHashSet<>(categories).size() != categories.size() || categories.contains(SsfMatrix.NONE)) {
      throw doc.error("categories", "category names must be distinct and not '" + SsfMatrix.NONE + "'");
    }
    List<YamlValue> rows = doc.list("matrix");
    if (rows.size() != recovery.size()) {
      throw doc.error("matrix", "expected " + recovery.size() + " rows (one per recovery-difficulty level), got "
          + rows.size());
    }
    List<List<String>> matrix = new ArrayList<>();
    for (YamlValue row : rows) {
      if (!row.isList()) {
        throw row.error("expected a list of categories");
      }
      List<YamlValue> items = row.items();
      if (items.size() != economic.size()) {
        throw row.error("expected " + economic.size() + " columns (one per economic-impact level), got "
            + items.size());
      }
      List<String> cells = new ArrayList<>();
      for (YamlValue item : items) {
        String cell = item.scalarText();
        if (cell == null || !categories.contains(cell)) {
          throw item.error("expected one of " + categories + ", got " + item.describe());
        }
        cells.add(cell);
      }
      matrix.add(cells);
    }
    SsfMatrix ssf = new SsfMatrix(recovery, economic, categories, matrix);

    YamlMap severity = doc.requiredMapping("severity");
    severity.allowOnly("category", "safetyFunction", "safetyFunctionRaisesRecovery", "knownExploited",
        "correlatedSite", "attack");
    YamlMap byCategory = severity.requiredMapping("category");
    Map<String, Integer> shifts = new LinkedHashMap<>();
    for (String key : byCategory.keys()) {
      if (!categories.contains(key)) {
        throw byCategory.error(key, "unknown category, expected one of " + categories);
      }
      shifts.put(key, integer(byCategory, key, -4, 4));
    }
    SeverityFactors factors = new SeverityFactors(shifts, integer(severity, "safetyFunction", -4, 4),
        integer(severity, "safetyFunctionRaisesRecovery", 0, recovery.size()),
        integer(severity, "knownExploited", -4, 4), integer(severity, "correlatedSite", -4, 4),
        integer(severity, "attack", -4, 4));

    List<EscalationStep> escalation = new ArrayList<>();
    List<YamlMap> steps = doc.requiredMappings("escalation");
    for (YamlMap step : steps) {
      step.allowOnly("level", "rtoElapsed");
      int level = integer(step, "level", 1, 9);
      if (level != escalation.size() + 1) {
        throw step.error("level", "levels must count up from 1, expected " + (escalation.size() + 1));
      }
      double fraction = step.requiredNumber("rtoElapsed");
      if (!(fraction > 0) || (!escalation.isEmpty() && fraction <= escalation.get(escalation.size() - 1).rtoElapsed())) {
        throw step.error("rtoElapsed", "expected a positive fraction above the previous step's, got " + fraction);
      }
      escalation.add(new EscalationStep(level, fraction));
    }

    YamlMap routing = doc.requiredMapping("routing");
    routing.allowOnly("categories", "security", "escalated");
    YamlMap routeByCategory = routing.requiredMapping("categories");
    Map<String, List<String>> roles = new LinkedHashMap<>();
    for (String key : routeByCategory.keys()) {
      if (!categories.contains(key) && !SsfMatrix.NONE.equals(key)) {
        throw routeByCategory.error(key, "unknown category, expected one of " + categories + " or none");
      }
      roles.put(key, strings(routeByCategory, key));
    }
    Routing route = new Routing(roles, optionalStrings(routing, "security"), optionalStrings(routing, "escalated"));

    YamlMap correlation = doc.requiredMapping("correlation");
    correlation.allowOnly("siteIncident", "massOffline", "safetyAfterChange");
    YamlMap site = correlation.requiredMapping("siteIncident");
    site.allowOnly("policy", "title", "severity", "kinds", "excludePolicies", "minDevices", "minPercent", "window");
    List<String> kinds = strings(site, "kinds");
    for (String k : kinds) {
      if (!KINDS.contains(k)) {
        throw site.error("kinds", "expected kinds among " + KINDS + ", got '" + k + "'");
      }
    }
    Correlation.SiteIncident siteIncident = new Correlation.SiteIncident(site.requiredText("policy"),
        site.requiredText("title"), severity(site, "severity"), Set.copyOf(kinds),
        Set.copyOf(optionalStrings(site, "excludePolicies")), integer(site, "minDevices", 2, 100000),
        integer(site, "minPercent", 0, 100), site.positiveDuration("window"));
    YamlMap offline = correlation.requiredMapping("massOffline");
    offline.allowOnly("policy", "title", "severity", "heartbeatPolicy", "minDevices", "minPercent", "window");
    Correlation.MassOffline massOffline = new Correlation.MassOffline(offline.requiredText("policy"),
        offline.requiredText("title"), severity(offline, "severity"), offline.requiredText("heartbeatPolicy"),
        integer(offline, "minDevices", 2, 100000), integer(offline, "minPercent", 0, 100), offline.positiveDuration("window"));
    YamlMap change = correlation.requiredMapping("safetyAfterChange");
    change.allowOnly("policy", "changePolicies", "safetyPolicies");
    Correlation.SafetyAfterChange safetyAfterChange = new Correlation.SafetyAfterChange(change.requiredText("policy"),
        strings(change, "changePolicies"), strings(change, "safetyPolicies"));
    return new Model(ssf, factors, escalation, route,
        new Correlation(siteIncident, massOffline, safetyAfterChange));
  }

  private List<ActionTemplate> actions(YamlMap doc, SsfMatrix matrix) {
    doc.allowOnly("apiVersion", "kind", "templates");
    apiVersion(doc);
    List<ActionTemplate> templates = new ArrayList<>();
    for (YamlMap t : doc.requiredMappings("templates")) {
      t.allowOnly("policies", "kinds", "categories", "actions");
      List<String> kinds = optionalStrings(t, "kinds");
      for (String k : kinds) {
        if (!KINDS.contains(k)) {
          throw t.error("kinds", "expected kinds among " + KINDS + ", got '" + k + "'");
        }
      }
      List<String> categories = optionalStrings(t, "categories");
      if (matrix != null) {
        for (String c : categories) {
          if (!matrix.isCategory(c)) {
            throw t.error("categories", "unknown category '" + c + "', expected one of " + matrix.categories());
          }
        }
      }
      YamlMap byPerspective = t.requiredMapping("actions");
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
        for (YamlValue item : byPerspective.list(key)) {
          actions.add(action(perspective, item));
        }
      }
      templates.add(new ActionTemplate(optionalStrings(t, "policies"), Set.copyOf(kinds), Set.copyOf(categories),
          actions));
    }
    return templates;
  }

  private static IncidentAction action(Perspective perspective, YamlValue item) {
    String text = item.scalarText();
    String tlp = null;
    if (item.isMapping()) {
      YamlMap n = item.asMap();
      n.allowOnly("text", "tlp");
      text = n.requiredText("text");
      tlp = n.has("tlp") ? n.requiredText("tlp").toUpperCase(Locale.ROOT) : null;
      if (tlp != null && !Set.of("CLEAR", "WHITE", "GREEN", "AMBER", "AMBER+STRICT", "RED").contains(tlp)) {
        throw n.error("tlp", "expected a TLP label (CLEAR, GREEN, AMBER, AMBER+STRICT, RED), got '" + tlp + "'");
      }
    }
    if (text == null || text.isBlank()) {
      throw item.error("expected an action text or {text, tlp}, got " + item.describe());
    }
    return new IncidentAction(perspective, text, tlp);
  }

  private static final class Parsed {
    Model model;
    List<ActionTemplate> actions;
  }

  private record Model(SsfMatrix matrix, SeverityFactors factors, List<EscalationStep> escalation, Routing routing,
      Correlation correlation) {}

  private static void apiVersion(YamlMap doc) {
    String v = doc.requiredText("apiVersion");
    if (!PolicyLoader.API_VERSION.equals(v)) {
      throw doc.error("apiVersion", "expected " + PolicyLoader.API_VERSION + ", got '" + v + "'");
    }
  }

  /** A non-empty list of texts. */
  private static List<String> strings(YamlMap map, String key) {
    List<String> result = map.texts(key);
    if (result.isEmpty()) {
      throw map.error(key, "must not be empty");
    }
    return result;
  }

  private static List<String> optionalStrings(YamlMap map, String key) {
    return map.has(key) ? strings(map, key) : List.of();
  }

  private static int integer(YamlMap map, String key, int min, int max) {
    int value = map.requiredInt(key);
    if (value < min || value > max) {
      throw map.error(key, "expected " + min + ".." + max + ", got " + value);
    }
    return value;
  }

  private static Severity severity(YamlMap map, String key) {
    String text = map.requiredText(key);
    Severity s = SeverityNames.BY_NAME.get(text.toLowerCase(Locale.ROOT));
    if (s == null) {
      throw map.error(key, "expected one of info, low, medium, high, critical, got '" + text + "'");
    }
    return s;
  }
}
