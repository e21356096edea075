package io.fleetwatch.simulator.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ScenarioFileTest {
  static final Path SHIPPED = Path.of("..", "scenarios");

  private static final String VALID = """
      apiVersion: fleetwatch.io/v1
      kind: Scenario
      name: sample
      description: a sample
      targets:
        chiller: {device: chiller-01}
        site: {site: hq}
      schedule: {start: PT10S, repeat: PT2M, times: 3}
      steps:
        - id: hot
          at: PT5S
          for: PT20S
          target: chiller
          force: {metric: supply_temp_c, value: 15.5, noise: 0.1}
        - target: site
          events: {type: auth_failure, rate: 2, attributes: {source: "10.0.0.{n}"}}
          for: PT10S
      expect:
        - {policy: SAF-01, target: chiller, after: hot, within: PT45S}
        - {policy: SEC-01, target: site}
      """;

  static List<String> shippedScenarios() {
    return new ScenarioLibrary(SHIPPED).names();
  }

  @ParameterizedTest
  @MethodSource("shippedScenarios")
  void everyShippedScenarioParsesAndStatesItsExpectedIncidents(String name) {
    Scenario s = new ScenarioLibrary(SHIPPED).byName(name);

    assertEquals(name, s.name());
    assertFalse(s.expectations().isEmpty(), name + " states no expected incident");
    assertFalse(s.description().isBlank());
  }

  @Test
  void theLibraryShipsEveryScenarioOfIssue8() {
    assertTrue(shippedScenarios().containsAll(List.of("chiller-overheat", "pressure-spike", "stuck-sensor",
        "interlock-command", "brute-force-login", "default-credential", "tls-downgrade", "new-open-port",
        "firmware-downgrade", "config-drift", "replayed-messages", "tamper", "reboot-loop", "device-silent",
        "site-outage", "site-attack", "intrusion-then-overheat", "vulnerable-component")), shippedScenarios()::toString);
  }

  @Test
  void parsesTargetsScheduleStepsAndExpectations() {
    Scenario s = ScenarioFile.parse("sample.yaml", VALID);

    assertEquals(new Target.Device("chiller-01"), s.targets().get("chiller"));
    assertEquals(new Target.Site("hq"), s.targets().get("site"));
    assertEquals(new Schedule(Duration.ofSeconds(10), Duration.ofMinutes(2), 3), s.schedule());
    Step hot = s.steps().get(0);
    assertEquals("hot", hot.id());
    assertEquals(Duration.ofSeconds(5), hot.at());
    assertEquals(Duration.ofSeconds(20), hot.duration());
    assertEquals(new Action.Force("supply_temp_c", 15.5, 0.1), hot.action());
    assertEquals(10, hot.line());
    Action.Events events = assertInstanceOf(Action.Events.class, s.steps().get(1).action());
    assertEquals(20, events.count(), "rate 2/s over 10 s");
    assertEquals(Map.of("source", "10.0.0.{n}"), events.attributes());
    Expectation first = s.expectations().get(0);
    assertEquals(new Expectation("SAF-01", "chiller", Duration.ofSeconds(45), "hot", 19), first);
    assertEquals(Duration.ofSeconds(60), s.expectations().get(1).within(), "default deadline");
    assertNull(s.expectations().get(1).after());
  }

  @Test
  void parsesForbiddenIncidentsWithAndWithoutTarget() {
    Scenario s = ScenarioFile.parse("f.yaml", VALID.replace("expect:", """
        forbid:
          - {policy: SAF-05, target: chiller}
          - policy: FLT-03
        expect:"""));

    assertEquals(List.of(new Forbidden("SAF-05", "chiller", 19), new Forbidden("FLT-03", null, 20)), s.forbidden());
    assertTrue(ScenarioFile.parse("v.yaml", VALID).forbidden().isEmpty(), "forbid is optional");
  }

  @Test
  void stateChangesReplaceOrExtendFields() {
    Scenario s = ScenarioFile.parse("x.yaml", """
        apiVersion: fleetwatch.io/v1
        kind: Scenario
        name: x
        description: d
        targets: {d: {device: a}}
        steps:
          - target: d
            state: {tls: "1.0", add_ports: [23], add_components: ["pkg:generic/openssl@1.1.1k"]}
        expect: []
        """);

    StateChange change = ((Action.ReportState) s.steps().get(0).action()).change();
    assertEquals("1.0", change.tls());
    assertEquals(List.of(23), change.addPorts());
    assertNull(change.openPorts());
    assertTrue(s.steps().get(0).open(), "a state step without 'for' lasts until the end");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenFiles")
  void rejectsABrokenFileNamingFileLineAndField(String what, String yaml, String expectedMessage) {
    ScenarioFormatException e = assertThrows(ScenarioFormatException.class, () -> ScenarioFile.parse("s.yaml", yaml));

    assertTrue(e.getMessage().startsWith("s.yaml:"), e.getMessage());
    assertEquals(expectedMessage, e.getMessage());
  }

  static List<org.junit.jupiter.params.provider.Arguments> brokenFiles() {
    String head = "apiVersion: fleetwatch.io/v1\nkind: Scenario\nname: s\ndescription: d\n"
        + "targets: {c: {device: chiller-01}}\n";
    String step = "steps:\n  - target: c\n    force: {metric: m, value: 1}\n";
    return List.of(
        org.junit.jupiter.params.provider.Arguments.of("unknown top-level field",
            head + step + "expect: []\ncolour: red\n",
            "s.yaml:10: colour: unknown field; expected one of [apiVersion, description, expect, forbid, kind, "
                + "name, schedule, steps, targets]"),
        org.junit.jupiter.params.provider.Arguments.of("step target not declared",
            head + "steps:\n  - target: nope\n    silence: true\nexpect: []\n",
            "s.yaml:7: steps[0].target: unknown target 'nope'; targets are [c]"),
        org.junit.jupiter.params.provider.Arguments.of("two actions in one step",
            head + "steps:\n  - target: c\n    silence: true\n    replay: {count: 1}\nexpect: []\n",
            "s.yaml:7: steps[0]: a step needs exactly one action of [force, ramp, freeze, events, state, silence, "
                + "replay, skew], got [silence, replay]"),
        org.junit.jupiter.params.provider.Arguments.of("bad duration",
            head + "steps:\n  - target: c\n    at: 10s\n    silence: true\nexpect: []\n",
            "s.yaml:8: steps[0].at: expected an ISO-8601 duration such as PT30S or PT2M, got '10s'"),
        org.junit.jupiter.params.provider.Arguments.of("unknown event type",
            head + "steps:\n  - target: c\n    events: {type: login_failed, count: 3}\nexpect: []\n",
            "s.yaml:8: steps[0].events.type: unknown event type 'login_failed'; the device contract knows [auth_failure, "
                + "auth_success, boot, command, config_changed, firmware_update_result, firmware_update_started, "
                + "interlock, peer_connected, port_opened, tamper]"),
        org.junit.jupiter.params.provider.Arguments.of("step longer than the repeat period",
            head + "schedule: {repeat: PT30S}\nsteps:\n  - target: c\n    for: PT40S\n    silence: true\nexpect: []\n",
            "s.yaml:9: steps[0].for: the step ends PT40S into the occurrence, after the next repeat (PT30S)"),
        org.junit.jupiter.params.provider.Arguments.of("expectation after an unknown step",
            head + step + "expect:\n  - {policy: SAF-01, target: c, after: later}\n",
            "s.yaml:10: expect[0].after: no step has id 'later'"),
        org.junit.jupiter.params.provider.Arguments.of("not a policy id",
            head + step + "expect:\n  - {policy: overheat, target: c}\n",
            "s.yaml:10: expect[0].policy: expected a policy id such as SAF-01, got 'overheat'"),
        org.junit.jupiter.params.provider.Arguments.of("ramp without duration",
            head + "steps:\n  - target: c\n    ramp: {metric: m, to: 3}\nexpect: []\n",
            "s.yaml:7: steps[0].for: a ramp needs a duration to ramp over"),
        org.junit.jupiter.params.provider.Arguments.of("invalid YAML",
            head + "steps: [\n",
            "s.yaml:7: invalid YAML: expected the node content, but found '<stream end>'"),
        org.junit.jupiter.params.provider.Arguments.of("forbidden incident on an unknown target",
            head + step + "expect: []\nforbid:\n  - {policy: SAF-01, target: chiller}\n",
            "s.yaml:11: forbid[0].target: unknown target 'chiller'; targets are [c]"),
        org.junit.jupiter.params.provider.Arguments.of("forbidden incident that is not a policy id",
            head + step + "expect: []\nforbid:\n  - policy: overheat\n",
            "s.yaml:11: forbid[0].policy: expected a policy id such as SAF-01, got 'overheat'"),
        org.junit.jupiter.params.provider.Arguments.of("forbidden entry with an unknown field",
            head + step + "expect: []\nforbid:\n  - {policy: SAF-01, within: PT1M}\n",
            "s.yaml:11: forbid[0].within: unknown field; expected one of [policy, target]"),
        org.junit.jupiter.params.provider.Arguments.of("forbid is not a list",
            head + step + "expect: []\nforbid: SAF-01\n",
            "s.yaml:10: forbid: expected a list, got 'SAF-01'"),
        org.junit.jupiter.params.provider.Arguments.of("incident both expected and forbidden",
            head + step + "expect:\n  - {policy: SAF-01, target: c}\nforbid:\n  - {policy: SAF-01}\n",
            "s.yaml:12: forbid[0].policy: SAF-01 on c is expected (line 10) and forbidden at once"),
        org.junit.jupiter.params.provider.Arguments.of("missing expectations",
            head + step,
            "s.yaml:1: expect: required field is missing"));
  }

  @Test
  void aFileMustBeNamedAfterItsScenario(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("other.yaml");
    Files.writeString(file, VALID);

    ScenarioFormatException e = assertThrows(ScenarioFormatException.class, () -> ScenarioFile.read(file));
    assertTrue(e.getMessage().endsWith("other.yaml:1: name: scenario 'sample' must be in a file named sample.yaml"),
        e.getMessage());
  }

  @Test
  void selectionRebindsTheDeviceTargetAndMovesTheStart() {
    ScenarioLibrary library = new ScenarioLibrary(SHIPPED);

    Scenario moved = library.select("chiller-overheat:chiller-11@PT1M");

    assertEquals(new Target.Device("chiller-11"), moved.targets().get("chiller"));
    assertEquals(Duration.ofMinutes(1), moved.schedule().start());
    assertEquals(Duration.ofMinutes(2), moved.schedule().repeat(), "the repeat is kept");
  }

  @Test
  void selectingAnUnknownScenarioListsTheKnownOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ScenarioLibrary(SHIPPED).select("chiller-melt"));
    assertTrue(e.getMessage().startsWith("unknown scenario 'chiller-melt' (known: "), e.getMessage());
    assertTrue(e.getMessage().contains("chiller-overheat"), e.getMessage());
  }
}
