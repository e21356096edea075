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
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
  /** Document kinds that live beside policies and belong to another reader (the incident rules); skipped here. */
  public static final Set<String> SIBLING_KINDS = Set.of("IotSsfModel", "IncidentActionTemplates");
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Map<String, Severity> SEVERITIES = Map.of("info", Severity.INFO, "low", Severity.LOW,
      "medium", Severity.MEDIUM, "high", Severity.HIGH, "critical", Severity.CRITICAL);
  private static final Map<String, PolicyKind> KINDS = Map.of("safety", PolicyKind.SAFETY,
      "security", PolicyKind.SECURITY, "safety-security", PolicyKind.SAFETY_SECURITY);
  private static final Set<String> RULE_TYPES = Set.of(Envelope.TYPE, RateOfChange.TYPE, StuckSensor.TYPE,
      RedundantSensors.TYPE, WindowedCount.TYPE, Absence.TYPE, StatePredicate.TYPE, VersionBelow.TYPE,
      SupportEnded.TYPE, ChangeDetection.TYPE, ClockSkew.TYPE, Sequence.TYPE, CommandResponse.TYPE, RateBaseline.TYPE,
      SiteCount.TYPE, SharedValue.TYPE, VulnerableComponent.TYPE);
  private static final Trigger IMMEDIATELY = Trigger.afterConsecutive(1);
  private static final Map<String, ChangeDetection.Detect> DETECT = Map.of("baseline",
      ChangeDetection.Detect.BASELINE, "decrease", ChangeDetection.Detect.DECREASE, "regression",
      ChangeDetection.Detect.REGRESSION);

  private final YAMLFactory yaml = new YAMLFactory();

  /** Loads one file, or every {@code *.yaml}/{@code *.yml} file of a directory (not recursive, by name). */
  public List<Policy> load(Path fileOrDirectory) {
    List<Policy> policies = new ArrayList<>();
    files(fileOrDirectory).forEach(f -> policies.addAll(loadFile(f)));
    return policies;
  }

  private static List<Path> files(Path fileOrDirectory) {
    if (!Files.isDirectory(fileOrDirectory)) {
      return List.of(fileOrDirectory);
    }
    try (Stream<Path> listing = Files.list(fileOrDirectory)) {
      return listing.filter(p -> {
        String name = p.getFileName().toString();
        return Files.isRegularFile(p) && (name.endsWith(".yaml") || name.endsWith(".yml"));
      }).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list policy directory " + fileOrDirectory, e);
    }
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
   * Loads a file or directory like {@link #load} and returns each policy with the text of its own YAML document,
   * ready to publish. The whole file is validated first, so errors carry the file's line numbers.
   */
  public List<PolicyDocument> loadDocuments(Path fileOrDirectory) {
    List<Path> files = files(fileOrDirectory);
    List<PolicyDocument> documents = new ArrayList<>();
    Set<String> ids = new LinkedHashSet<>();
    for (Path file : files) {
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read policy file " + file, e);
      }
      for (PolicyDocument document : documents(file.getFileName().toString(), text)) {
        if (!ids.add(document.policy().id())) {
          throw new PolicyFormatException(file.getFileName().toString(), 0, "id",
              "policy " + document.policy().id() + " is defined twice in " + fileOrDirectory);
        }
        documents.add(document);
      }
    }
    return documents;
  }

  /** Parses YAML text (see {@link #parse}) and pairs each policy with its document's text. */
  public List<PolicyDocument> documents(String source, String text) {
    List<Policy> policies = parse(source, text);
    // A line starting with '---' at column 0 always separates documents: block content is indented.
    List<String> chunks = new ArrayList<>();
    StringBuilder chunk = new StringBuilder();
    for (String line : text.split("\\R", -1)) {
      if (line.startsWith("---")) {
        chunks.add(chunk.toString());
        chunk.setLength(0);
        continue;
      }
      chunk.append(line).append('\n');
    }
    chunks.add(chunk.toString());
    List<PolicyDocument> documents = new ArrayList<>();
    int next = 0;
    for (String candidate : chunks) {
      if (next < policies.size() && !parse(source, candidate).isEmpty()) {
        documents.add(new PolicyDocument(policies.get(next++), candidate));
      }
    }
    if (documents.size() != policies.size()) {
      throw new PolicyFormatException(source, 0, "", "cannot split the file into its policy documents; "
          + "put document separators '---' on lines of their own");
    }
    return documents;
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
        if (document instanceof YamlNode.Mapping m && m.entries().get("kind") instanceof YamlNode.Scalar k
            && SIBLING_KINDS.contains(k.text())) {
          continue; // read by IncidentRulesLoader
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
    try {
      return switch (type) {
        case Envelope.TYPE -> envelope(rule);
        case RateOfChange.TYPE -> rateOfChange(rule);
        case StuckSensor.TYPE -> stuck(rule);
        case RedundantSensors.TYPE -> redundant(rule);
        case WindowedCount.TYPE -> count(rule);
        case Absence.TYPE -> absence(rule);
        case StatePredicate.TYPE -> predicate(rule);
        case VersionBelow.TYPE -> versionBelow(rule);
        case SupportEnded.TYPE -> supportEnded(rule);
        case ChangeDetection.TYPE -> change(rule);
        case ClockSkew.TYPE -> clockSkew(rule);
        case Sequence.TYPE -> sequence(rule);
        case CommandResponse.TYPE -> commandResponse(rule);
        case RateBaseline.TYPE -> rateBaseline(rule);
        case SiteCount.TYPE -> siteCount(rule);
        case SharedValue.TYPE -> sharedValue(rule);
        case VulnerableComponent.TYPE -> {
          rule.allowOnly("type");
          yield new VulnerableComponent();
        }
        default -> throw rule.error("type", "unknown rule type '" + type + "', expected one of " + sorted(RULE_TYPES));
      };
    } catch (PolicyFormatException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      // Cross-field constraints checked by the record itself.
      throw rule.error("", e.getMessage());
    }
  }

  private RateOfChange rateOfChange(Fields rule) {
    rule.allowOnly("type", "metric", "maxRate", "per", "window", "minSpan", "raise", "clear");
    Double maxRate = rule.requiredNumber("maxRate");
    if (maxRate <= 0) {
      throw rule.error("maxRate", "must be > 0, got " + maxRate);
    }
    Duration window = rule.positiveDuration("window");
    Duration minSpan = rule.has("minSpan") ? rule.duration("minSpan") : Duration.ZERO;
    if (minSpan.compareTo(window) > 0) {
      throw rule.error("minSpan", "must not exceed the window " + window);
    }
    return new RateOfChange(rule.identifier("metric"), maxRate,
        rule.has("per") ? rule.positiveDuration("per") : Duration.ofSeconds(1), window, minSpan,
        optionalTrigger(rule, "raise"), optionalTrigger(rule, "clear"));
  }

  private StuckSensor stuck(Fields rule) {
    rule.allowOnly("type", "metric", "window", "minSamples", "tolerance");
    int minSamples = rule.requiredInt("minSamples");
    if (minSamples < 2) {
      throw rule.error("minSamples", "must be >= 2, got " + minSamples);
    }
    Double tolerance = rule.optionalNumber("tolerance");
    if (tolerance != null && tolerance < 0) {
      throw rule.error("tolerance", "must be >= 0, got " + tolerance);
    }
    return new StuckSensor(rule.identifier("metric"), rule.positiveDuration("window"), minSamples,
        tolerance == null ? 0.0 : tolerance);
  }

  private RedundantSensors redundant(Fields rule) {
    rule.allowOnly("type", "metric", "otherMetric", "maxDifference", "raise", "clear");
    String metric = rule.identifier("metric");
    String other = rule.identifier("otherMetric");
    if (metric.equals(other)) {
      throw rule.error("otherMetric", "must differ from metric '" + metric + "'");
    }
    Double max = rule.requiredNumber("maxDifference");
    if (max < 0) {
      throw rule.error("maxDifference", "must be >= 0, got " + max);
    }
    return new RedundantSensors(metric, other, max, optionalTrigger(rule, "raise"), optionalTrigger(rule, "clear"));
  }

  private WindowedCount count(Fields rule) {
    rule.allowOnly("type", "signal", "window", "threshold", "distinct");
    SignalMatch signal = signal(rule.requiredMapping("signal"));
    int threshold = rule.requiredInt("threshold");
    if (threshold < 1) {
      throw rule.error("threshold", "must be >= 1, got " + threshold);
    }
    String distinct = rule.has("distinct") ? rule.identifier("distinct") : null;
    if (distinct != null && !(signal instanceof SignalMatch.Event)) {
      throw rule.error("distinct", "distinct attribute values can only be counted for an event signal");
    }
    return new WindowedCount(signal, rule.positiveDuration("window"), threshold, distinct);
  }

  private SiteCount siteCount(Fields rule) {
    rule.allowOnly("type", "signal", "window", "threshold", "distinct");
    if (!(signal(rule.requiredMapping("signal")) instanceof SignalMatch.Event signal)) {
      throw rule.error("signal", "a site count counts events: give {event: TYPE}");
    }
    int threshold = rule.requiredInt("threshold");
    if (threshold < 1) {
      throw rule.error("threshold", "must be >= 1, got " + threshold);
    }
    return new SiteCount(signal, rule.positiveDuration("window"), threshold,
        rule.has("distinct") ? rule.identifier("distinct") : null);
  }

  private SharedValue sharedValue(Fields rule) {
    rule.allowOnly("type", "field", "event", "attribute", "minDevices");
    int minDevices = rule.has("minDevices") ? rule.requiredInt("minDevices") : 2;
    if (minDevices < 2) {
      throw rule.error("minDevices", "must be >= 2 (a value is shared by at least two devices), got " + minDevices);
    }
    return new SharedValue(selector(rule), minDevices);
  }

  private RateBaseline rateBaseline(Fields rule) {
    rule.allowOnly("type", "bucket", "warmup", "smoothing", "factor", "floor");
    int warmup = rule.requiredInt("warmup");
    if (warmup < 1) {
      throw rule.error("warmup", "must be >= 1 completed bucket, got " + warmup);
    }
    double smoothing = rule.requiredNumber("smoothing");
    if (!(smoothing > 0 && smoothing <= 1)) {
      throw rule.error("smoothing", "must be in (0, 1] (weight of the newest bucket), got " + smoothing);
    }
    double factor = rule.requiredNumber("factor");
    if (factor <= 1) {
      throw rule.error("factor", "must be > 1 (times the learned baseline), got " + factor);
    }
    int floor = rule.requiredInt("floor");
    if (floor < 1) {
      throw rule.error("floor", "must be >= 1 message per bucket, got " + floor);
    }
    return new RateBaseline(rule.positiveDuration("bucket"), warmup, smoothing, factor, floor);
  }

  private Absence absence(Fields rule) {
    rule.allowOnly("type", "expectedInterval", "missedIntervals");
    int missed = rule.requiredInt("missedIntervals");
    if (missed < 1) {
      throw rule.error("missedIntervals", "must be >= 1, got " + missed);
    }
    return new Absence(rule.positiveDuration("expectedInterval"), missed);
  }

  private StatePredicate predicate(Fields rule) {
    rule.allowOnly("type", "field", "event", "attribute", "in", "notIn", "raise", "clear");
    Selector selector = selector(rule);
    Set<String> in = rule.textSet("in");
    Set<String> notIn = rule.textSet("notIn");
    if (rule.has("in") == rule.has("notIn")) {
      throw rule.error("in", "give exactly one of in (values that violate) or notIn (the allowlist)");
    }
    if (in.isEmpty() && notIn.isEmpty()) {
      throw rule.error(rule.has("in") ? "in" : "notIn", "must list at least one value");
    }
    return new StatePredicate(selector, in, notIn, optionalTrigger(rule, "raise"), optionalTrigger(rule, "clear"));
  }

  /** Either {@code field} (a reported-state field) or {@code event} + {@code attribute}. */
  private Selector selector(Fields rule) {
    if (rule.has("field") == rule.has("event")) {
      throw rule.error("field", "give either field (a reported-state field) or event + attribute");
    }
    if (rule.has("field")) {
      if (rule.has("attribute")) {
        throw rule.error("attribute", "attribute belongs to an event predicate, not to a field");
      }
      return new Selector.OfState(rule.oneOf("field", StateField.BY_NAME));
    }
    return new Selector.OfEvent(rule.identifier("event"), rule.identifier("attribute"));
  }

  private VersionBelow versionBelow(Fields rule) {
    rule.allowOnly("type", "minimums", "otherwise");
    Map<String, Version> minimums = new LinkedHashMap<>();
    rule.textMap("minimums").forEach((model, text) -> minimums.put(model, rule.version("minimums", text)));
    Version otherwise = rule.has("otherwise") ? rule.version("otherwise", rule.requiredText("otherwise")) : null;
    return new VersionBelow(minimums, otherwise);
  }

  private SupportEnded supportEnded(Fields rule) {
    rule.allowOnly("type", "supportEnds");
    Map<String, LocalDate> ends = new LinkedHashMap<>();
    Map<String, String> texts = rule.textMap("supportEnds");
    texts.forEach((model, text) -> {
      try {
        ends.put(model, LocalDate.parse(text));
      } catch (DateTimeParseException e) {
        throw rule.error("supportEnds", "model " + model + ": expected a date such as 2027-03-31, got '" + text + "'");
      }
    });
    return new SupportEnded(ends);
  }

  private ChangeDetection change(Fields rule) {
    ChangeDetection.Detect detect = rule.oneOf("detect", DETECT);
    return switch (detect) {
      case BASELINE -> {
        rule.allowOnly("type", "detect", "baselines", "learnFirst");
        Map<String, String> baselines = rule.textMap("baselines");
        boolean learnFirst = rule.optionalBoolean("learnFirst", false);
        if (baselines.isEmpty() && !learnFirst) {
          throw rule.error("baselines", "give approved baselines per model and/or learnFirst: true");
        }
        yield ChangeDetection.baseline(baselines, learnFirst);
      }
      case DECREASE -> {
        rule.allowOnly("type", "detect");
        yield ChangeDetection.downgrade();
      }
      case REGRESSION -> {
        rule.allowOnly("type", "detect", "channel", "resetOn", "clear");
        yield ChangeDetection.replay(rule.oneOf("channel", Channel.BY_SEGMENT),
            rule.has("resetOn") ? rule.identifier("resetOn") : null, optionalTrigger(rule, "clear"));
      }
    };
  }

  private ClockSkew clockSkew(Fields rule) {
    rule.allowOnly("type", "maxSkew", "raise", "clear");
    return new ClockSkew(rule.duration("maxSkew"), optionalTrigger(rule, "raise"), optionalTrigger(rule, "clear"));
  }

  private Sequence sequence(Fields rule) {
    rule.allowOnly("type", "first", "then", "within", "disarm", "clear", "armedInitially", "exceptMaintenanceWindows");
    SignalMatch disarm = rule.has("disarm") ? signal(rule.requiredMapping("disarm")) : null;
    SignalMatch clear = rule.has("clear") ? signal(rule.requiredMapping("clear")) : null;
    if (disarm == null && clear == null) {
      throw rule.error("clear", "a sequence needs disarm and/or clear, or it could never clear");
    }
    return new Sequence(signal(rule.requiredMapping("first")), signal(rule.requiredMapping("then")),
        rule.has("within") ? rule.duration("within") : null, disarm, clear,
        rule.optionalBoolean("armedInitially", false), rule.optionalBoolean("exceptMaintenanceWindows", false));
  }

  private CommandResponse commandResponse(Fields rule) {
    rule.allowOnly("type", "command", "setpointAttribute", "metric", "tolerance", "settle");
    Double tolerance = rule.requiredNumber("tolerance");
    if (tolerance < 0) {
      throw rule.error("tolerance", "must be >= 0, got " + tolerance);
    }
    return new CommandResponse(rule.identifier("command"), rule.identifier("setpointAttribute"),
        rule.identifier("metric"), tolerance, rule.duration("settle"));
  }

  /** A signal: exactly one of {@code event}, {@code state}, {@code violation}, {@code message}. */
  private SignalMatch signal(Fields signal) {
    int kinds = (signal.has("event") ? 1 : 0) + (signal.has("state") ? 1 : 0) + (signal.has("violation") ? 1 : 0)
        + (signal.has("message") ? 1 : 0);
    if (kinds != 1) {
      throw signal.error("", "a signal needs exactly one of event, state, violation, message");
    }
    if (signal.has("event")) {
      signal.allowOnly("event", "attribute", "in", "notIn");
      String attribute = signal.has("attribute") ? signal.identifier("attribute") : null;
      if (attribute == null && (signal.has("in") || signal.has("notIn"))) {
        throw signal.error("attribute", "in/notIn need the attribute they apply to");
      }
      return new SignalMatch.Event(signal.identifier("event"), attribute, signal.textSet("in"),
          signal.textSet("notIn"));
    }
    if (signal.has("state")) {
      signal.allowOnly("state", "in", "notIn");
      if (!signal.has("in") && !signal.has("notIn")) {
        throw signal.error("state", "a state signal needs in and/or notIn");
      }
      return new SignalMatch.State(signal.oneOf("state", StateField.BY_NAME), signal.textSet("in"),
          signal.textSet("notIn"));
    }
    if (signal.has("violation")) {
      signal.allowOnly("violation", "policies");
      boolean raised = signal.oneOf("violation", Map.of("raised", true, "cleared", false));
      return new SignalMatch.Violation(signal.identifierSet("policies"), raised);
    }
    signal.allowOnly("message");
    signal.oneOf("message", Map.of("any", true));
    return new SignalMatch.AnyMessage();
  }

  private Trigger optionalTrigger(Fields rule, String key) {
    return rule.has(key) ? trigger(rule.requiredMapping(key)) : IMMEDIATELY;
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

    Double requiredNumber(String key) {
      required(key);
      return optionalNumber(key);
    }

    boolean optionalBoolean(String key, boolean otherwise) {
      if (!has(key)) {
        return otherwise;
      }
      YamlNode value = node.entries().get(key);
      if (!(value instanceof YamlNode.Scalar s)
          || (s.token() != JsonToken.VALUE_TRUE && s.token() != JsonToken.VALUE_FALSE)) {
        throw error(key, "expected true or false, got " + value.describe());
      }
      return s.token() == JsonToken.VALUE_TRUE;
    }

    /** A scalar of any type (string, number, date) as its text; versions and hashes are often unquoted. */
    String requiredText(String key) {
      YamlNode value = required(key);
      if (!(value instanceof YamlNode.Scalar s) || s.token() == JsonToken.VALUE_NULL || s.text().isBlank()) {
        throw error(key, "expected a value, got " + value.describe());
      }
      return s.text().strip();
    }

    Duration duration(String key) {
      String text = requiredString(key);
      Duration duration;
      try {
        duration = Duration.parse(text);
      } catch (DateTimeParseException e) {
        throw error(key, "expected an ISO-8601 duration such as PT30S, got '" + text + "'");
      }
      if (duration.isNegative()) {
        throw error(key, "must not be negative, got " + text);
      }
      return duration;
    }

    Duration positiveDuration(String key) {
      Duration duration = duration(key);
      if (duration.isZero()) {
        throw error(key, "must be longer than zero");
      }
      return duration;
    }

    Version version(String key, String text) {
      try {
        return Version.parse(text);
      } catch (IllegalArgumentException e) {
        throw error(key, "expected a version such as 2.4.1, got '" + text + "'");
      }
    }

    /** A list of scalars as texts (empty when absent). */
    Set<String> textSet(String key) {
      if (!has(key)) {
        return Set.of();
      }
      YamlNode value = node.entries().get(key);
      if (!(value instanceof YamlNode.Sequence list)) {
        throw error(key, "expected a list of values, got " + value.describe());
      }
      Set<String> result = new LinkedHashSet<>();
      for (int i = 0; i < list.items().size(); i++) {
        YamlNode item = list.items().get(i);
        if (!(item instanceof YamlNode.Scalar s) || s.token() == JsonToken.VALUE_NULL || s.text().isBlank()) {
          throw new PolicyFormatException(file, item.line(), fieldPath(key) + "[" + i + "]",
              "expected a value, got " + item.describe());
        }
        result.add(s.text().strip());
      }
      return result;
    }

    /** A mapping of identifiers (e.g. models) to scalar texts (empty when absent). */
    Map<String, String> textMap(String key) {
      if (!has(key)) {
        return Map.of();
      }
      Fields map = requiredMapping(key);
      Map<String, String> result = new LinkedHashMap<>();
      for (String entry : map.node.entries().keySet()) {
        if (!IDENTIFIER.matcher(entry).matches()) {
          throw map.error(entry, "expected an identifier [A-Za-z0-9._-]{1,64} as key");
        }
        result.put(entry, map.requiredText(entry));
      }
      return result;
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
