package io.fleetwatch.streams.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.PolicyKind;
import io.fleetwatch.avro.Severity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyLoaderTest {
  private static final String VALID = """
      apiVersion: fleetwatch.io/v1
      kind: Policy
      id: SAF-99
      version: 2
      title: Test envelope
      policyKind: safety-security
      severity: medium
      references:
        - framework: iso-27400
          provision: safety
      remediation: Look at it.
      checks:
        - id: boiler-pressure
          scope:
            assetClasses: [boiler]
            sites: [hq]
          rule:
            type: envelope
            metric: pressure_kpa
            min: 50
            max: 300.5
            raise: {consecutive: 2, duration: PT30S}
            clear: {duration: PT1M}
            hysteresis: 10
      """;

  private final PolicyLoader loader = new PolicyLoader();

  @Test
  void parsesAValidPolicyIntoRecords() {
    Policy policy = loader.parse("p.yaml", VALID).get(0);
    assertEquals("SAF-99", policy.id());
    assertEquals(2, policy.version());
    assertEquals(PolicyKind.SAFETY_SECURITY, policy.kind());
    assertEquals(Severity.MEDIUM, policy.severity());
    assertEquals(List.of(new FrameworkReference("iso-27400", "safety")), policy.references());
    Check check = policy.checks().get(0);
    assertEquals(Set.of("boiler"), check.scope().assetClasses());
    assertEquals(Set.of("hq"), check.scope().sites());
    assertEquals(new Envelope("pressure_kpa", 50.0, 300.5, new Trigger(2, Duration.ofSeconds(30)),
        Trigger.afterDuration(Duration.ofMinutes(1)), 10.0), check.rule());
  }

  @Test
  void loadsTheShippedCatalogue() {
    PolicyCatalogue catalogue = loader.loadCatalogue(Path.of("../policies"));
    Policy saf01 = catalogue.policy("SAF-01").orElseThrow();
    assertEquals(Severity.HIGH, saf01.severity());
    assertEquals(PolicyKind.SAFETY, saf01.kind());
    Check chiller = saf01.checks().stream().filter(c -> c.id().equals("chiller-supply-temp")).findFirst()
        .orElseThrow();
    assertEquals(new Envelope("supply_temp_c", 4.0, 12.0, Trigger.afterConsecutive(3),
        Trigger.afterConsecutive(3), 0.0), chiller.rule());
    assertEquals(Set.of("chiller"), chiller.scope().assetClasses());
  }

  @Test
  void reportsMissingFieldWithFileLineAndField() {
    String text = VALID.lines().filter(line -> !line.contains("metric:"))
        .collect(java.util.stream.Collectors.joining("\n"));
    PolicyFormatException e = assertThrows(PolicyFormatException.class, () -> loader.parse("boiler.yaml", text));
    // the rule mapping starts on line 18 ("type: envelope"), the field is missing from it
    assertEquals("boiler.yaml:18: checks[0].rule.metric: required field is missing", e.getMessage());
  }

  @Test
  void reportsWrongTypeOnTheLineOfTheField() {
    String text = VALID.replace("min: 50", "min: fifty");
    PolicyFormatException e = assertThrows(PolicyFormatException.class, () -> loader.parse("boiler.yaml", text));
    assertEquals("boiler.yaml:20: checks[0].rule.min: expected a number, got 'fifty'", e.getMessage());
  }

  @Test
  void reportsNonIntegerVersion() {
    String text = VALID.replace("version: 2", "version: two");
    PolicyFormatException e = assertThrows(PolicyFormatException.class, () -> loader.parse("v.yaml", text));
    assertEquals("v.yaml:4: version: expected an integer, got 'two'", e.getMessage());
  }

  @Test
  void reportsUnknownRuleType() {
    String text = VALID.replace("type: envelope", "type: fourier");
    PolicyFormatException e = assertThrows(PolicyFormatException.class, () -> loader.parse("f.yaml", text));
    assertEquals("f.yaml:18: checks[0].rule.type: unknown rule type 'fourier', expected one of [absence, change, "
        + "clock-skew, command-response, count, envelope, predicate, rate-baseline, rate-of-change, "
        + "redundant-disagree, sequence, shared-value, site-count, stuck, support-ended, version-below, "
        + "vulnerable-component]",
        e.getMessage());
  }

  @Test
  void reportsBadSeverity() {
    String text = VALID.replace("severity: medium", "severity: severe");
    PolicyFormatException e = assertThrows(PolicyFormatException.class, () -> loader.parse("sev.yaml", text));
    assertEquals("sev.yaml:7: severity: 'severe' is not one of [critical, high, info, low, medium]",
        e.getMessage());
  }

  @Test
  void reportsUnknownFieldsSoTyposDoNotPassSilently() {
    String text = VALID.replace("hysteresis: 10", "hysterisis: 10");
    PolicyFormatException e = assertThrows(PolicyFormatException.class, () -> loader.parse("typo.yaml", text));
    assertTrue(e.getMessage().startsWith("typo.yaml:24: checks[0].rule.hysterisis: unknown field"),
        e.getMessage());
  }

  @Test
  void reportsTriggerWithoutCountOrDuration() {
    String text = VALID.replace("clear: {duration: PT1M}", "clear: {}");
    PolicyFormatException e = assertThrows(PolicyFormatException.class, () -> loader.parse("t.yaml", text));
    assertEquals("t.yaml:23: checks[0].rule.clear: a trigger needs consecutive and/or duration", e.getMessage());
  }

  @Test
  void reportsBadDuration() {
    String text = VALID.replace("duration: PT30S", "duration: 30 seconds");
    PolicyFormatException e = assertThrows(PolicyFormatException.class, () -> loader.parse("d.yaml", text));
    assertEquals("d.yaml:22: checks[0].rule.raise.duration: expected an ISO-8601 duration such as PT30S, "
        + "got '30 seconds'", e.getMessage());
  }

  @Test
  void reportsUnsupportedApiVersion() {
    String text = VALID.replace("fleetwatch.io/v1", "fleetwatch.io/v2");
    PolicyFormatException e = assertThrows(PolicyFormatException.class, () -> loader.parse("a.yaml", text));
    assertEquals("a.yaml:1: apiVersion: unsupported apiVersion 'fleetwatch.io/v2', expected fleetwatch.io/v1",
        e.getMessage());
  }

  @Test
  void reportsInvalidYamlWithItsLine() {
    String text = VALID.replace("title: Test envelope", "title: [unclosed");
    PolicyFormatException e = assertThrows(PolicyFormatException.class, () -> loader.parse("y.yaml", text));
    assertTrue(e.getMessage().startsWith("y.yaml:"), e.getMessage());
    assertTrue(e.line() >= 5, "line " + e.line());
  }

  @Test
  void namesTheFileWhenLoadingADirectory(@TempDir Path dir) throws IOException {
    // Given a directory with one good and one bad file
    Files.writeString(dir.resolve("a-good.yaml"), VALID);
    Files.writeString(dir.resolve("b-bad.yaml"), VALID.replace("SAF-99", "SAF-98").replace("severity: medium",
        "severity: 3"));
    Files.writeString(dir.resolve("notes.txt"), "not a policy");
    // When the directory is loaded, Then the error names the bad file, the line and the field
    PolicyFormatException e = assertThrows(PolicyFormatException.class, () -> loader.load(dir));
    assertEquals("b-bad.yaml:7: severity: expected a string, got number 3", e.getMessage());
  }

  @Test
  void rejectsTheSamePolicyIdInTwoFiles(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("one.yaml"), VALID);
    Files.writeString(dir.resolve("two.yaml"), VALID);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loader.loadCatalogue(dir));
    assertTrue(e.getMessage().contains("one.yaml") && e.getMessage().contains("two.yaml"), e.getMessage());
  }

  /** A policy whose one check's rule follows: the rule's fields start on line 13, indented by six spaces. */
  static final String HEAD = """
      apiVersion: fleetwatch.io/v1
      kind: Policy
      id: SEC-98
      version: 1
      title: Test
      policyKind: security
      severity: low
      references: [{framework: nist-sp-800-171, provision: "3.4.7"}]
      remediation: Fix it.
      checks:
        - id: c
          rule:
      """;

  private PolicyFormatException ruleError(String rule) {
    return assertThrows(PolicyFormatException.class, () -> loader.parse("r.yaml", HEAD + rule));
  }

  @Test
  void reportsAnUnknownStateFieldWithTheAcceptedOnes() {
    PolicyFormatException e = ruleError("      type: predicate\n      field: colour\n      in: [red]\n");
    assertEquals("r.yaml:14: checks[0].rule.field: 'colour' is not one of [configHash, firmware, mode, model, "
        + "openPorts, securityState, tls, vendor]", e.getMessage());
  }

  @Test
  void reportsAPredicateWithBothInAndNotIn() {
    PolicyFormatException e = ruleError("      type: predicate\n      field: tls\n      in: [none]\n"
        + "      notIn: [\"1.3\"]\n");
    assertEquals("r.yaml:15: checks[0].rule.in: give exactly one of in (values that violate) or notIn (the "
        + "allowlist), with at least one value", e.getMessage());
  }

  @Test
  void reportsABadMinimumVersionAndABadWindow() {
    PolicyFormatException version = ruleError("      type: version-below\n      minimums: {CH-200: latest}\n");
    assertEquals("r.yaml:14: checks[0].rule.minimums: expected a version such as 2.4.1, got 'latest'",
        version.getMessage());
    PolicyFormatException window = ruleError("      type: count\n      signal: {event: boot}\n      window: 15m\n"
        + "      threshold: 3\n");
    assertEquals("r.yaml:15: checks[0].rule.window: expected an ISO-8601 duration such as PT30S, got '15m'",
        window.getMessage());
  }

  @Test
  void versionBelowWithoutATableTakesEveryMinimumFromTheRegistry() {
    Policy p = loader.parse("r.yaml", HEAD + "      type: version-below\n").get(0);
    assertEquals(VersionBelow.fromRegistry(), p.checks().get(0).rule());
  }

  @Test
  void reportsAVulnerableComponentRuleWithParametersAndABadMaintenanceWindowFlag() {
    PolicyFormatException extra = ruleError("      type: vulnerable-component\n      minimums: {CH-200: 1.0}\n");
    assertTrue(extra.getMessage().startsWith("r.yaml:14: checks[0].rule.minimums: unknown field"), extra.getMessage());
    PolicyFormatException flag = ruleError("      type: sequence\n      first: {state: mode, notIn: [maintenance]}\n"
        + "      then: {event: tamper}\n      clear: {event: tamper, attribute: state, in: [closed]}\n"
        + "      exceptMaintenanceWindows: sometimes\n");
    assertEquals("r.yaml:17: checks[0].rule.exceptMaintenanceWindows: expected true or false, got 'sometimes'",
        flag.getMessage());
  }

  @Test
  void reportsASignalWithTwoKindsAndASequenceThatCouldNeverClear() {
    PolicyFormatException signal = ruleError("      type: count\n      signal: {event: boot, state: mode}\n"
        + "      window: PT1M\n      threshold: 3\n");
    assertEquals("r.yaml:14: checks[0].rule.signal: a signal needs exactly one of event, state, violation, message",
        signal.getMessage());
    PolicyFormatException sequence = ruleError("      type: sequence\n      first: {event: a}\n"
        + "      then: {event: b}\n");
    assertEquals("r.yaml:13: checks[0].rule.clear: a sequence needs disarm and/or clear, or it could never clear",
        sequence.getMessage());
  }

  @Test
  void splitsAMultiDocumentFileIntoPublishableDocuments() {
    String two = VALID + "---\n" + VALID.replace("id: SAF-99", "id: SAF-98");
    List<PolicyDocument> documents = loader.documents("two.yaml", two);
    assertEquals(List.of("SAF-99", "SAF-98"), documents.stream().map(d -> d.policy().id()).toList());
    assertEquals("SAF-98", loader.parse("doc", documents.get(1).yaml()).get(0).id());
  }

  /** {@link #VALID} with its rule replaced by {@code lines} (the rule's fields start on line 18). */
  private static String withRule(String... lines) {
    StringBuilder text = new StringBuilder(VALID.substring(0, VALID.indexOf("    rule:"))).append("    rule:\n");
    for (String line : lines) {
      text.append("      ").append(line).append('\n');
    }
    return text.toString();
  }

  @Test
  void parsesTheGroupAndLearnedRuleKinds() {
    assertEquals(new SiteCount(SignalMatch.Event.ofType("auth_failure"), Duration.ofMinutes(10), 10, "source"),
        loader.parse("p.yaml", withRule("type: site-count", "signal: {event: auth_failure}", "distinct: source",
            "window: PT10M", "threshold: 10")).get(0).checks().get(0).rule());
    assertEquals(new SharedValue(new Selector.OfEvent("auth_success", "credential"), 2),
        loader.parse("p.yaml", withRule("type: shared-value", "event: auth_success", "attribute: credential"))
            .get(0).checks().get(0).rule());
    assertEquals(new SharedValue(new Selector.OfState(StateField.CONFIG_HASH), 3),
        loader.parse("p.yaml", withRule("type: shared-value", "field: configHash", "minDevices: 3"))
            .get(0).checks().get(0).rule());
    assertEquals(new RateBaseline(Duration.ofMinutes(1), 10, 0.2, 4.0, 30),
        loader.parse("p.yaml", withRule("type: rate-baseline", "bucket: PT1M", "warmup: 10", "smoothing: 0.2",
            "factor: 4", "floor: 30")).get(0).checks().get(0).rule());
  }

  @Test
  void reportsBadGroupAndLearnedRulesWithFileLineAndField() {
    assertEquals("s.yaml:19: checks[0].rule.signal: a site count counts events: give {event: TYPE}",
        assertThrows(PolicyFormatException.class, () -> loader.parse("s.yaml", withRule("type: site-count",
            "signal: {message: any}", "window: PT10M", "threshold: 10"))).getMessage());
    assertEquals("s.yaml:19: checks[0].rule.minDevices: must be >= 2 (a value is shared by at least two devices), "
        + "got 1", assertThrows(PolicyFormatException.class, () -> loader.parse("s.yaml", withRule(
            "type: shared-value", "minDevices: 1", "event: auth_success", "attribute: credential"))).getMessage());
    assertEquals("s.yaml:18: checks[0].rule.field: give either field (a reported-state field) or event + attribute",
        assertThrows(PolicyFormatException.class, () -> loader.parse("s.yaml", withRule("type: shared-value",
            "minDevices: 2"))).getMessage());
    assertEquals("r.yaml:21: checks[0].rule.smoothing: must be in (0, 1] (weight of the newest bucket), got 1.5",
        assertThrows(PolicyFormatException.class, () -> loader.parse("r.yaml", withRule("type: rate-baseline",
            "bucket: PT1M", "warmup: 10", "smoothing: 1.5", "factor: 4", "floor: 30"))).getMessage());
    assertEquals("r.yaml:22: checks[0].rule.factor: must be > 1 (times the learned baseline), got 1.0",
        assertThrows(PolicyFormatException.class, () -> loader.parse("r.yaml", withRule("type: rate-baseline",
            "bucket: PT1M", "warmup: 10", "smoothing: 0.2", "factor: 1", "floor: 30"))).getMessage());
    assertEquals("r.yaml:18: checks[0].rule.floor: required field is missing",
        assertThrows(PolicyFormatException.class, () -> loader.parse("r.yaml", withRule("type: rate-baseline",
            "bucket: PT1M", "warmup: 10", "smoothing: 0.2", "factor: 4"))).getMessage());
  }
}
