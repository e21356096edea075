package io.fleetwatch.simulator.scenario;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads one scenario file ({@code apiVersion: fleetwatch.io/v1}, {@code kind: Scenario}) with SnakeYAML and
 * validates it strictly: unknown fields, wrong types, unknown targets or step ids, impossible schedules and incidents
 * both expected and forbidden are rejected with a {@link ScenarioFormatException} naming {@code file:line} and the
 * field. The format is described in {@code docs/scenarios.md}.
 */
public final class ScenarioFile {
  public static final String API_VERSION = "fleetwatch.io/v1";
  public static final String KIND = "Scenario";
  /** Event types of the device contract (design.md). */
  public static final Set<String> EVENT_TYPES = Set.of("auth_failure", "auth_success", "config_changed",
      "firmware_update_started", "firmware_update_result", "boot", "tamper", "port_opened", "peer_connected",
      "command", "interlock");
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern POLICY_ID = Pattern.compile("[A-Z]{2,4}-[0-9]{2,3}");
  private static final Duration DEFAULT_WITHIN = Duration.ofSeconds(60);

  private ScenarioFile() {
  }

  /** Reads a scenario file; its name without {@code .yaml} must be the scenario's name. */
  public static Scenario read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read scenario file " + file, e);
    }
    String fileName = file.getFileName().toString();
    Scenario scenario = parse(file.toString(), text);
    String expected = fileName.replaceFirst("\\.ya?ml$", "");
    if (!expected.equals(scenario.name())) {
      throw new ScenarioFormatException(file.toString(), 1, "name",
          "scenario '" + scenario.name() + "' must be in a file named " + scenario.name() + ".yaml");
    }
    return scenario;
  }

  /**
   * Parses scenario YAML.
   *
   * @param source name used in messages (usually the file path)
   * @param text one YAML document
   */
  public static Scenario parse(String source, String text) {
    Node root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(new java.io.StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      throw new ScenarioFormatException(source, mark == null ? 0 : mark.getLine() + 1, "",
          "invalid YAML: " + e.getProblem());
    } catch (org.yaml.snakeyaml.error.YAMLException e) {
      throw new ScenarioFormatException(source, 0, "", "invalid YAML: " + e.getMessage());
    }
    if (root == null) {
      throw new ScenarioFormatException(source, 1, "", "the file is empty; expected a Scenario document");
    }
    return scenario(new Fields(source, "", root));
  }

  private static Scenario scenario(Fields doc) {
    doc.allowOnly("apiVersion", "kind", "name", "description", "targets", "schedule", "steps", "expect", "forbid");
    String apiVersion = doc.requiredString("apiVersion");
    if (!API_VERSION.equals(apiVersion)) {
      throw doc.error("apiVersion", "unsupported apiVersion '" + apiVersion + "', expected " + API_VERSION);
    }
    String kind = doc.requiredString("kind");
    if (!KIND.equals(kind)) {
      throw doc.error("kind", "unsupported kind '" + kind + "', expected " + KIND);
    }
    String name = doc.identifier("name");
    String description = doc.requiredString("description");

    Fields targetsNode = doc.requiredMapping("targets");
    Map<String, Target> targets = new LinkedHashMap<>();
    for (String key : targetsNode.keys()) {
      if (!IDENTIFIER.matcher(key).matches()) {
        throw targetsNode.error(key, "target names must match " + IDENTIFIER.pattern());
      }
      targets.put(key, target(targetsNode.requiredMapping(key)));
    }
    if (targets.isEmpty()) {
      throw doc.error("targets", "a scenario needs at least one target");
    }

    Schedule schedule = Schedule.ONCE_AT_START;
    Fields scheduleNode = doc.optionalMapping("schedule");
    if (scheduleNode != null) {
      scheduleNode.allowOnly("start", "repeat", "times");
      Duration start = scheduleNode.optionalDuration("start", Duration.ZERO);
      Duration repeat = scheduleNode.optionalDuration("repeat", Duration.ZERO);
      int times = scheduleNode.optionalInt("times", 0);
      if (times < 0) {
        throw scheduleNode.error("times", "must be >= 0 (0 repeats until the simulator stops), got " + times);
      }
      if (times > 0 && repeat.isZero()) {
        throw scheduleNode.error("times", "needs a non-zero repeat");
      }
      schedule = new Schedule(start, repeat, times);
    }

    List<Step> steps = new ArrayList<>();
    Set<String> stepIds = new HashSet<>();
    List<Fields> stepNodes = doc.requiredSequenceOfMappings("steps");
    if (stepNodes.isEmpty()) {
      throw doc.error("steps", "a scenario needs at least one step");
    }
    for (Fields s : stepNodes) {
      Step step = step(s, targets.keySet());
      if (step.id() != null && !stepIds.add(step.id())) {
        throw s.error("id", "duplicate step id '" + step.id() + "'");
      }
      if (schedule.repeats() && !step.open() && step.end().compareTo(schedule.repeat()) > 0) {
        throw s.error(step.duration() == null ? "at" : "for", "the step ends " + step.end()
            + " into the occurrence, after the next repeat (" + schedule.repeat() + ")");
      }
      steps.add(step);
    }

    List<Expectation> expectations = new ArrayList<>();
    for (Fields e : doc.requiredSequenceOfMappings("expect")) {
      e.allowOnly("policy", "target", "within", "after");
      String policy = policyId(e);
      String target = targetName(e, e.requiredString("target"), targets.keySet());
      Duration within = e.optionalDuration("within", DEFAULT_WITHIN);
      if (within.isZero()) {
        throw e.error("within", "must be positive");
      }
      String after = e.optionalString("after");
      if (after != null && !stepIds.contains(after)) {
        throw e.error("after", "no step has id '" + after + "'");
      }
      expectations.add(new Expectation(policy, target, within, after, e.line()));
    }

    List<Forbidden> forbidden = new ArrayList<>();
    for (Fields f : doc.optionalSequenceOfMappings("forbid")) {
      f.allowOnly("policy", "target");
      String policy = policyId(f);
      String target = f.has("target") ? targetName(f, f.requiredString("target"), targets.keySet()) : null;
      for (Expectation e : expectations) {
        if (e.policy().equals(policy) && (target == null || target.equals(e.target()))) {
          throw f.error(target == null ? "policy" : "target", policy + " on " + e.target() + " is expected (line "
              + e.line() + ") and forbidden at once");
        }
      }
      forbidden.add(new Forbidden(policy, target, f.line()));
    }
    return new Scenario(name, description, doc.source, schedule, targets, steps, expectations, forbidden);
  }

  private static String policyId(Fields f) {
    String policy = f.requiredString("policy");
    if (!POLICY_ID.matcher(policy).matches()) {
      throw f.error("policy", "expected a policy id such as SAF-01, got '" + policy + "'");
    }
    return policy;
  }

  private static String targetName(Fields f, String target, Set<String> targets) {
    if (!targets.contains(target)) {
      throw f.error("target", "unknown target '" + target + "'; targets are " + targets);
    }
    return target;
  }

  private static Target target(Fields t) {
    t.allowOnly("device", "site", "assetClass");
    String device = t.optionalString("device");
    String site = t.optionalString("site");
    String assetClass = t.optionalString("assetClass");
    if (device != null) {
      if (site != null || assetClass != null) {
        throw t.error("device", "a device target names only the device");
      }
      return new Target.Device(checkIdentifier(t, "device", device));
    }
    if (assetClass != null) {
      return new Target.FirstOfClass(checkIdentifier(t, "assetClass", assetClass),
          site == null ? null : checkIdentifier(t, "site", site));
    }
    if (site != null) {
      return new Target.Site(checkIdentifier(t, "site", site));
    }
    throw t.error("", "a target needs device, site, or assetClass (optionally with site)");
  }

  private static Step step(Fields s, Set<String> targets) {
    List<String> allowed = new ArrayList<>(List.of("id", "at", "for", "target"));
    allowed.addAll(Action.KEYS);
    s.allowOnly(allowed.toArray(String[]::new));
    String id = s.optionalString("id");
    if (id != null) {
      checkIdentifier(s, "id", id);
    }
    Duration at = s.optionalDuration("at", Duration.ZERO);
    Duration duration = s.optionalDuration("for", null);
    if (duration != null && duration.isZero()) {
      throw s.error("for", "must be positive; leave it out for an action at one instant or until the end");
    }
    String target = targetName(s, s.requiredString("target"), targets);
    List<String> present = Action.KEYS.stream().filter(s::has).toList();
    if (present.size() != 1) {
      throw s.error("", "a step needs exactly one action of " + Action.KEYS + ", got " + present);
    }
    String key = present.get(0);
    Action action = switch (key) {
      case "force" -> {
        Fields f = s.requiredMapping(key);
        f.allowOnly("metric", "value", "noise");
        double noise = f.optionalDouble("noise", 0.0);
        if (noise < 0) {
          throw f.error("noise", "must not be negative");
        }
        yield new Action.Force(f.metricName("metric"), f.requiredDouble("value"), noise);
      }
      case "ramp" -> {
        Fields f = s.requiredMapping(key);
        f.allowOnly("metric", "from", "to");
        if (duration == null) {
          throw s.error("for", "a ramp needs a duration to ramp over");
        }
        Double from = f.has("from") ? f.requiredDouble("from") : null;
        yield new Action.Ramp(f.metricName("metric"), from, f.requiredDouble("to"));
      }
      case "freeze" -> {
        Fields f = s.requiredMapping(key);
        f.allowOnly("metric");
        yield new Action.Freeze(f.metricName("metric"));
      }
      case "events" -> events(s.requiredMapping(key), s, duration);
      case "state" -> new Action.ReportState(stateChange(s.requiredMapping(key)));
      case "silence" -> {
        if (!s.isTrue("silence")) {
          throw s.error("silence", "write 'silence: true'");
        }
        yield new Action.Silence();
      }
      case "replay" -> {
        Fields f = s.requiredMapping(key);
        f.allowOnly("count");
        int count = f.requiredInt("count");
        if (count < 1) {
          throw f.error("count", "must be >= 1, got " + count);
        }
        yield new Action.Replay(count);
      }
      case "skew" -> {
        Fields f = s.requiredMapping(key);
        f.allowOnly("offset");
        yield new Action.Skew(f.duration("offset"));
      }
      default -> throw new IllegalStateException("action keys and parser branches disagree: " + key);
    };
    if (!action.durable() && duration != null && action instanceof Action.Replay) {
      throw s.error("for", "a replay happens at one instant; leave out 'for'");
    }
    return new Step(id, at, duration, target, action, s.line());
  }

  private static Action.Events events(Fields f, Fields step, Duration duration) {
    f.allowOnly("type", "attributes", "count", "rate");
    String type = f.requiredString("type");
    if (!EVENT_TYPES.contains(type)) {
      throw f.error("type", "unknown event type '" + type + "'; the device contract knows "
          + new java.util.TreeSet<>(EVENT_TYPES));
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    Fields attrs = f.optionalMapping("attributes");
    if (attrs != null) {
      for (String name : attrs.keys()) {
        attributes.put(name, attrs.scalarText(name));
      }
    }
    int count;
    if (f.has("count") == f.has("rate")) {
      throw f.error("", "give either count (events per occurrence) or rate (events per second over 'for')");
    }
    if (f.has("rate")) {
      double rate = f.requiredDouble("rate");
      if (!(rate > 0)) {
        throw f.error("rate", "must be positive, got " + rate);
      }
      if (duration == null) {
        throw step.error("for", "events at a rate need a duration");
      }
      count = (int) Math.max(1, Math.round(rate * duration.toMillis() / 1000.0));
    } else {
      count = f.requiredInt("count");
      if (count < 1) {
        throw f.error("count", "must be >= 1, got " + count);
      }
    }
    return new Action.Events(type, attributes, count);
  }

  private static StateChange stateChange(Fields f) {
    f.allowOnly("model", "vendor", "firmware", "config_hash", "open_ports", "add_ports", "tls", "security_state",
        "mode", "components", "add_components");
    if (f.keys().isEmpty()) {
      throw f.error("", "a state step changes at least one field");
    }
    return new StateChange(f.optionalString("model"), f.optionalString("vendor"), f.optionalString("firmware"),
        f.optionalString("config_hash"), f.optionalPorts("open_ports"), f.optionalPorts("add_ports"),
        f.optionalString("tls"), f.optionalString("security_state"), f.optionalString("mode"),
        f.optionalStrings("components"), f.optionalStrings("add_components"));
  }

  private static String checkIdentifier(Fields f, String field, String value) {
    if (!IDENTIFIER.matcher(value).matches()) {
      throw f.error(field, "must match " + IDENTIFIER.pattern() + ", got '" + value + "'");
    }
    return value;
  }

  /** A YAML mapping with its path, for typed access with file:line errors. */
  private static final class Fields {
    private final String source;
    private final String path;
    private final Node node;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();

    Fields(String source, String path, Node node) {
      this.source = source;
      this.path = path;
      this.node = node;
      if (!(node instanceof MappingNode mapping)) {
        throw new ScenarioFormatException(source, line(node), path, "expected a mapping, got " + describe(node));
      }
      for (NodeTuple t : mapping.getValue()) {
        if (!(t.getKeyNode() instanceof ScalarNode key)) {
          throw new ScenarioFormatException(source, line(t.getKeyNode()), path, "keys must be plain names");
        }
        if (entries.put(key.getValue(), t) != null) {
          throw new ScenarioFormatException(source, line(key), child(key.getValue()), "appears more than once");
        }
      }
    }

    int line() {
      return line(node);
    }

    List<String> keys() {
      return List.copyOf(entries.keySet());
    }

    boolean has(String key) {
      return entries.containsKey(key);
    }

    void allowOnly(String... names) {
      Set<String> allowed = Set.of(names);
      for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
        if (!allowed.contains(e.getKey())) {
          throw new ScenarioFormatException(source, line(e.getValue().getKeyNode()), child(e.getKey()),
              "unknown field; expected one of " + new java.util.TreeSet<>(allowed));
        }
      }
    }

    ScenarioFormatException error(String key, String problem) {
      NodeTuple t = entries.get(key);
      int at = t == null ? line() : line(t.getValueNode());
      return new ScenarioFormatException(source, at, key.isEmpty() ? path : child(key), problem);
    }

    private String child(String key) {
      return path.isEmpty() ? key : path + "." + key;
    }

    private Node value(String key) {
      NodeTuple t = entries.get(key);
      return t == null ? null : t.getValueNode();
    }

    private ScalarNode scalar(String key) {
      Node v = value(key);
      if (v == null) {
        throw error(key, "is required");
      }
      if (!(v instanceof ScalarNode s)) {
        throw error(key, "expected a single value, got " + describe(v));
      }
      return s;
    }

    String requiredString(String key) {
      String text = scalar(key).getValue();
      if (text.isBlank()) {
        throw error(key, "must not be empty");
      }
      return text;
    }

    String optionalString(String key) {
      return has(key) ? requiredString(key) : null;
    }

    String scalarText(String key) {
      return scalar(key).getValue();
    }

    String identifier(String key) {
      return checkIdentifier(this, key, requiredString(key));
    }

    String metricName(String key) {
      String name = requiredString(key);
      if (!name.matches("[A-Za-z0-9_.-]{1,128}")) {
        throw error(key, "a metric name is letters, digits, '_', '.', '-', got '" + name + "'");
      }
      return name;
    }

    boolean isTrue(String key) {
      return "true".equals(scalar(key).getValue());
    }

    double requiredDouble(String key) {
      String text = requiredString(key);
      try {
        double v = Double.parseDouble(text);
        if (!Double.isFinite(v)) {
          throw error(key, "must be a finite number, got " + text);
        }
        return v;
      } catch (NumberFormatException e) {
        throw error(key, "expected a number, got '" + text + "'");
      }
    }

    double optionalDouble(String key, double fallback) {
      return has(key) ? requiredDouble(key) : fallback;
    }

    int requiredInt(String key) {
      String text = requiredString(key);
      try {
        return Integer.parseInt(text);
      } catch (NumberFormatException e) {
        throw error(key, "expected a whole number, got '" + text + "'");
      }
    }

    int optionalInt(String key, int fallback) {
      return has(key) ? requiredInt(key) : fallback;
    }

    Duration duration(String key) {
      String text = requiredString(key);
      try {
        return Duration.parse(text);
      } catch (DateTimeParseException e) {
        throw error(key, "expected an ISO-8601 duration such as PT30S or PT2M, got '" + text + "'");
      }
    }

    Duration optionalDuration(String key, Duration fallback) {
      if (!has(key)) {
        return fallback;
      }
      Duration d = duration(key);
      if (d.isNegative() && !key.equals("offset")) {
        throw error(key, "must not be negative, got " + d);
      }
      return d;
    }

    List<Integer> optionalPorts(String key) {
      if (!has(key)) {
        return null;
      }
      List<Integer> ports = new ArrayList<>();
      for (ScalarNode s : scalars(key)) {
        try {
          int port = Integer.parseInt(s.getValue());
          if (port < 0 || port > 65535) {
            throw new NumberFormatException();
          }
          ports.add(port);
        } catch (NumberFormatException e) {
          throw new ScenarioFormatException(source, line(s), child(key),
              "expected port numbers 0-65535, got '" + s.getValue() + "'");
        }
      }
      return ports;
    }

    List<String> optionalStrings(String key) {
      if (!has(key)) {
        return null;
      }
      return scalars(key).stream().map(ScalarNode::getValue).toList();
    }

    private List<ScalarNode> scalars(String key) {
      Node v = value(key);
      if (!(v instanceof SequenceNode seq)) {
        throw error(key, "expected a list, got " + describe(v));
      }
      List<ScalarNode> result = new ArrayList<>();
      for (Node item : seq.getValue()) {
        if (!(item instanceof ScalarNode s)) {
          throw new ScenarioFormatException(source, line(item), child(key), "expected single values in the list");
        }
        result.add(s);
      }
      return result;
    }

    Fields requiredMapping(String key) {
      Node v = value(key);
      if (v == null) {
        throw error(key, "is required");
      }
      return new Fields(source, child(key), v);
    }

    Fields optionalMapping(String key) {
      return has(key) ? requiredMapping(key) : null;
    }

    List<Fields> optionalSequenceOfMappings(String key) {
      return has(key) ? requiredSequenceOfMappings(key) : List.of();
    }

    List<Fields> requiredSequenceOfMappings(String key) {
      Node v = value(key);
      if (v == null) {
        throw error(key, "is required");
      }
      if (!(v instanceof SequenceNode seq)) {
        throw error(key, "expected a list, got " + describe(v));
      }
      List<Fields> result = new ArrayList<>();
      for (int i = 0; i < seq.getValue().size(); i++) {
        result.add(new Fields(source, child(key) + "[" + i + "]", seq.getValue().get(i)));
      }
      return result;
    }

    private static int line(Node n) {
      return n == null ? 0 : n.getStartMark().getLine() + 1;
    }

    private static String describe(Node n) {
      if (n == null) {
        return "nothing";
      }
      if (n instanceof ScalarNode s) {
        return "'" + s.getValue() + "'";
      }
      return n instanceof SequenceNode ? "a list" : "a mapping";
    }
  }
}
