package io.fleetwatch.simulator.scenario;

import io.fleetwatch.schemas.Identifier;
import io.fleetwatch.schemas.yaml.YamlFormatException;
import io.fleetwatch.schemas.yaml.YamlMap;
import io.fleetwatch.schemas.yaml.YamlReader;
import io.fleetwatch.schemas.yaml.YamlValue;
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
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads one scenario file ({@code apiVersion: fleetwatch.io/v1}, {@code kind: Scenario}) with the shared YAML reader and
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
    YamlValue root;
    try {
      root = YamlReader.document(source, text);
      if (root == null) {
        throw new ScenarioFormatException(source, 1, "", "the file is empty; expected a Scenario document");
      }
      return scenario(root.asMap());
    } catch (ScenarioFormatException e) {
      throw e;
    } catch (YamlFormatException e) {
      throw new ScenarioFormatException(e);
    }
  }

  private static Scenario scenario(YamlMap doc) {
    allowOnly(doc, "apiVersion", "kind", "name", "description", "targets", "schedule", "steps", "expect", "forbid");
    String apiVersion = text(doc, "apiVersion");
    if (!API_VERSION.equals(apiVersion)) {
      throw doc.error("apiVersion", "unsupported apiVersion '" + apiVersion + "', expected " + API_VERSION);
    }
    String kind = text(doc, "kind");
    if (!KIND.equals(kind)) {
      throw doc.error("kind", "unsupported kind '" + kind + "', expected " + KIND);
    }
    String name = doc.identifier("name");
    String description = text(doc, "description");

    YamlMap targetsNode = doc.requiredMapping("targets");
    Map<String, Target> targets = new LinkedHashMap<>();
    for (String key : targetsNode.keys()) {
      if (!Identifier.isValid(key)) {
        throw targetsNode.error(key, "target names must match " + Identifier.SYNTAX);
      }
      targets.put(key, target(targetsNode.requiredMapping(key)));
    }
    if (targets.isEmpty()) {
      throw doc.error("targets", "a scenario needs at least one target");
    }

    Schedule schedule = Schedule.ONCE_AT_START;
    YamlMap scheduleNode = doc.optionalMapping("schedule");
    if (scheduleNode != null) {
      allowOnly(scheduleNode, "start", "repeat", "times");
      Duration start = optionalDuration(scheduleNode, "start", Duration.ZERO);
      Duration repeat = optionalDuration(scheduleNode, "repeat", Duration.ZERO);
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
    List<YamlMap> stepNodes = doc.requiredMappings("steps");
    if (stepNodes.isEmpty()) {
      throw doc.error("steps", "a scenario needs at least one step");
    }
    for (YamlMap s : stepNodes) {
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
    for (YamlMap e : doc.requiredMappings("expect")) {
      allowOnly(e, "policy", "target", "within", "after");
      String policy = policyId(e);
      String target = targetName(e, text(e, "target"), targets.keySet());
      Duration within = optionalDuration(e, "within", DEFAULT_WITHIN);
      if (within.isZero()) {
        throw e.error("within", "must be positive");
      }
      String after = optionalText(e, "after");
      if (after != null && !stepIds.contains(after)) {
        throw e.error("after", "no step has id '" + after + "'");
      }
      expectations.add(new Expectation(policy, target, within, after, e.line()));
    }

    List<Forbidden> forbidden = new ArrayList<>();
    for (YamlMap f : doc.optionalMappings("forbid")) {
      allowOnly(f, "policy", "target");
      String policy = policyId(f);
      String target = f.has("target") ? targetName(f, text(f, "target"), targets.keySet()) : null;
      for (Expectation e : expectations) {
        if (e.policy().equals(policy) && (target == null || target.equals(e.target()))) {
          throw f.error(target == null ? "policy" : "target", policy + " on " + e.target() + " is expected (line "
              + e.line() + ") and forbidden at once");
        }
      }
      forbidden.add(new Forbidden(policy, target, f.line()));
    }
    return new Scenario(name, description, doc.file(), schedule, targets, steps, expectations, forbidden);
  }

  private static String policyId(YamlMap f) {
    String policy = text(f, "policy");
    if (!POLICY_ID.matcher(policy).matches()) {
      throw f.error("policy", "expected a policy id such as SAF-01, got '" + policy + "'");
    }
    return policy;
  }

  private static String targetName(YamlMap f, String target, Set<String> targets) {
    if (!targets.contains(target)) {
      throw f.error("target", "unknown target '" + target + "'; targets are " + targets);
    }
    return target;
  }

  private static Target target(YamlMap t) {
    allowOnly(t, "device", "site", "assetClass");
    String device = optionalText(t, "device");
    String site = optionalText(t, "site");
    String assetClass = optionalText(t, "assetClass");
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

  private static Step step(YamlMap s, Set<String> targets) {
    List<String> allowed = new ArrayList<>(List.of("id", "at", "for", "target"));
    allowed.addAll(Action.KEYS);
    allowOnly(s, allowed.toArray(String[]::new));
    String id = optionalText(s, "id");
    if (id != null) {
      checkIdentifier(s, "id", id);
    }
    Duration at = optionalDuration(s, "at", Duration.ZERO);
    Duration duration = optionalDuration(s, "for", null);
    if (duration != null && duration.isZero()) {
      throw s.error("for", "must be positive; leave it out for an action at one instant or until the end");
    }
    String target = targetName(s, text(s, "target"), targets);
    List<String> present = Action.KEYS.stream().filter(s::has).toList();
    if (present.size() != 1) {
      throw s.error("", "a step needs exactly one action of " + Action.KEYS + ", got " + present);
    }
    String key = present.get(0);
    Action action = switch (key) {
      case "force" -> {
        YamlMap f = s.requiredMapping(key);
        allowOnly(f, "metric", "value", "noise");
        double noise = f.has("noise") ? f.requiredNumber("noise") : 0.0;
        if (noise < 0) {
          throw f.error("noise", "must not be negative");
        }
        yield new Action.Force(metricName(f, "metric"), f.requiredNumber("value"), noise);
      }
      case "ramp" -> {
        YamlMap f = s.requiredMapping(key);
        allowOnly(f, "metric", "from", "to");
        if (duration == null) {
          throw s.error("for", "a ramp needs a duration to ramp over");
        }
        Double from = f.has("from") ? f.requiredNumber("from") : null;
        yield new Action.Ramp(metricName(f, "metric"), from, f.requiredNumber("to"));
      }
      case "freeze" -> {
        YamlMap f = s.requiredMapping(key);
        allowOnly(f, "metric");
        yield new Action.Freeze(metricName(f, "metric"));
      }
      case "events" -> events(s.requiredMapping(key), s, duration);
      case "state" -> new Action.ReportState(stateChange(s.requiredMapping(key)));
      case "silence" -> {
        if (!s.optionalBoolean("silence", false)) {
          throw s.error("silence", "write 'silence: true'");
        }
        yield new Action.Silence();
      }
      case "replay" -> {
        YamlMap f = s.requiredMapping(key);
        allowOnly(f, "count");
        int count = f.requiredInt("count");
        if (count < 1) {
          throw f.error("count", "must be >= 1, got " + count);
        }
        yield new Action.Replay(count);
      }
      case "skew" -> {
        YamlMap f = s.requiredMapping(key);
        allowOnly(f, "offset");
        yield new Action.Skew(duration(f, "offset"));
      }
      default -> throw new IllegalStateException("action keys and parser branches disagree: " + key);
    };
    if (!action.durable() && duration != null && action instanceof Action.Replay) {
      throw s.error("for", "a replay happens at one instant; leave out 'for'");
    }
    return new Step(id, at, duration, target, action, s.line());
  }

  private static Action.Events events(YamlMap f, YamlMap step, Duration duration) {
    allowOnly(f, "type", "attributes", "count", "rate");
    String type = text(f, "type");
    if (!EVENT_TYPES.contains(type)) {
      throw f.error("type", "unknown event type '" + type + "'; the device contract knows "
          + new TreeSet<>(EVENT_TYPES));
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    YamlMap attrs = f.optionalMapping("attributes");
    if (attrs != null) {
      for (String name : attrs.keys()) {
        attributes.put(name, attrs.requiredText(name));
      }
    }
    int count;
    if (f.has("count") == f.has("rate")) {
      throw f.error("", "give either count (events per occurrence) or rate (events per second over 'for')");
    }
    if (f.has("rate")) {
      double rate = f.requiredNumber("rate");
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

  private static StateChange stateChange(YamlMap f) {
    allowOnly(f, "model", "vendor", "firmware", "config_hash", "open_ports", "add_ports", "tls", "security_state",
        "mode", "components", "add_components");
    if (f.keys().isEmpty()) {
      throw f.error("", "a state step changes at least one field");
    }
    return new StateChange(optionalText(f, "model"), optionalText(f, "vendor"), optionalText(f, "firmware"),
        optionalText(f, "config_hash"), optionalPorts(f, "open_ports"), optionalPorts(f, "add_ports"),
        optionalText(f, "tls"), optionalText(f, "security_state"), optionalText(f, "mode"),
        optionalStrings(f, "components"), optionalStrings(f, "add_components"));
  }

  private static String checkIdentifier(YamlMap f, String field, String value) {
    if (!Identifier.isValid(value)) {
      throw f.error(field, "must match " + Identifier.SYNTAX + ", got '" + value + "'");
    }
    return value;
  }

  // Scenario files word three problems their own way (tests and docs quote them); the rest is YamlMap's.

  private static void allowOnly(YamlMap map, String... names) {
    Set<String> allowed = Set.of(names);
    for (String key : map.keys()) {
      if (!allowed.contains(key)) {
        throw map.error(key, "unknown field; expected one of " + new TreeSet<>(allowed));
      }
    }
  }

  /** An ISO-8601 duration; negative only for a clock offset. */
  private static Duration duration(YamlMap map, String key) {
    String text = map.required(key).text();
    try {
      return Duration.parse(text);
    } catch (DateTimeParseException e) {
      throw map.error(key, "expected an ISO-8601 duration such as PT30S or PT2M, got '" + text + "'");
    }
  }

  private static Duration optionalDuration(YamlMap map, String key, Duration fallback) {
    if (!map.has(key)) {
      return fallback;
    }
    Duration d = duration(map, key);
    if (d.isNegative()) {
      throw map.error(key, "must not be negative, got " + d);
    }
    return d;
  }

  private static String text(YamlMap map, String key) {
    return map.required(key).text();
  }

  private static String optionalText(YamlMap map, String key) {
    return map.has(key) ? text(map, key) : null;
  }

  private static String metricName(YamlMap map, String key) {
    String name = text(map, key);
    if (!name.matches("[A-Za-z0-9_.-]{1,128}")) {
      throw map.error(key, "a metric name is letters, digits, '_', '.', '-', got '" + name + "'");
    }
    return name;
  }

  private static List<Integer> optionalPorts(YamlMap map, String key) {
    if (!map.has(key)) {
      return null;
    }
    List<Integer> ports = new ArrayList<>();
    for (YamlValue item : map.list(key)) {
      try {
        int port = Integer.parseInt(String.valueOf(item.scalarText()));
        if (port < 0 || port > 65535) {
          throw new NumberFormatException();
        }
        ports.add(port);
      } catch (NumberFormatException e) {
        throw item.error("expected port numbers 0-65535, got " + item.describe());
      }
    }
    return ports;
  }

  private static List<String> optionalStrings(YamlMap map, String key) {
    return map.has(key) ? map.texts(key) : null;
  }
}
