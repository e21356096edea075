package io.fleetwatch.streams.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetwatch.avro.PolicyKind;
import io.fleetwatch.avro.Severity;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A policy record's checks are stated once, in its constructor: a value the constructor refuses in code is refused
 * in a policy file with the same reason, at the field's line and path ({@code file:line: checks[0].rule.field: why}),
 * without a second copy of the check in the reader. One case per rule kind that checks its values (and the nested
 * triggers and signals), so a kind added without one fails {@link #everyKindThatChecksItsValuesHasACase}.
 */
class RecordChecksInFilesTest {
  /** A policy with one check, whose rule's fields follow. */
  private static final String HEAD = PolicyLoaderTest.HEAD;
  /** Line of the first field of the rule mapping (its {@code type:}) after {@link #HEAD}. */
  private static final int RULE_LINE = 13;
  /** Kinds whose records accept every value the reader can give them (parsing alone can fail). */
  private static final Set<String> WITHOUT_CHECKS =
      Set.of(VersionBelow.TYPE, SupportEnded.TYPE, VulnerableComponent.TYPE);

  private static final Trigger ONCE = Trigger.afterConsecutive(1);
  private static final Duration MINUTE = Duration.ofMinutes(1);
  private static final SignalMatch.Event FAILURE = SignalMatch.Event.ofType("auth_failure");

  private final PolicyLoader loader = new PolicyLoader();

  /**
   * One refused value.
   *
   * @param blamed the field path below the rule, e.g. {@code maxRate} or {@code raise.consecutive}
   * @param lines the rule's fields in the file, the one to blame among them (or absent: then the rule's line)
   * @param inCode the same values given to the constructor in code
   */
  record Case(String blamed, List<String> lines, Supplier<?> inCode) {
    String kind() {
      return lines.get(0).substring("type: ".length());
    }

    int line() {
      String key = blamed.split("\\.")[0] + ":";
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).startsWith(key)) {
          return RULE_LINE + i;
        }
      }
      return RULE_LINE;
    }

    @Override
    public String toString() {
      return kind() + " " + blamed;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case("max", List.of("type: envelope", "metric: t", "min: 5", "max: 4", "raise: {consecutive: 1}",
            "clear: {consecutive: 1}"), () -> new Envelope("t", 5.0, 4.0, ONCE, ONCE, 0.0)),
        new Case("hysteresis", List.of("type: envelope", "metric: t", "min: 4", "max: 12", "raise: {consecutive: 1}",
            "clear: {consecutive: 1}", "hysteresis: 5"), () -> new Envelope("t", 4.0, 12.0, ONCE, ONCE, 5.0)),
        new Case("maxRate", List.of("type: rate-of-change", "metric: t", "maxRate: 0", "window: PT10M"),
            () -> new RateOfChange("t", 0.0, Duration.ofSeconds(1), Duration.ofMinutes(10), Duration.ZERO, ONCE,
                ONCE)),
        new Case("minSpan", List.of("type: rate-of-change", "metric: t", "maxRate: 1", "window: PT10M",
            "minSpan: PT11M"), () -> new RateOfChange("t", 1.0, Duration.ofSeconds(1), Duration.ofMinutes(10),
                Duration.ofMinutes(11), ONCE, ONCE)),
        new Case("window", List.of("type: stuck", "metric: t", "window: PT0S", "minSamples: 3"),
            () -> new StuckSensor("t", Duration.ZERO, 3, 0.0)),
        new Case("minSamples", List.of("type: stuck", "metric: t", "window: PT5M", "minSamples: 1"),
            () -> new StuckSensor("t", Duration.ofMinutes(5), 1, 0.0)),
        new Case("otherMetric", List.of("type: redundant-disagree", "metric: t", "otherMetric: t", "maxDifference: 1"),
            () -> new RedundantSensors("t", "t", 1.0, ONCE, ONCE)),
        new Case("threshold", List.of("type: count", "signal: {event: auth_failure}", "window: PT5M", "threshold: 0"),
            () -> new WindowedCount(FAILURE, Duration.ofMinutes(5), 0, null)),
        new Case("distinct", List.of("type: count", "signal: {state: tls, in: [none]}", "window: PT5M", "threshold: 2",
            "distinct: source"), () -> new WindowedCount(new SignalMatch.State(StateField.TLS, Set.of("none"),
                Set.of()), Duration.ofMinutes(5), 2, "source")),
        new Case("signal.attribute", List.of("type: count", "signal: {event: auth_failure, in: [x]}", "window: PT5M",
            "threshold: 2"), () -> new SignalMatch.Event("auth_failure", null, Set.of("x"), Set.of())),
        new Case("expectedInterval", List.of("type: absence", "expectedInterval: PT0S", "missedIntervals: 3"),
            () -> new Absence(Duration.ZERO, 3)),
        new Case("missedIntervals", List.of("type: absence", "expectedInterval: PT1M", "missedIntervals: 0"),
            () -> new Absence(MINUTE, 0)),
        new Case("in", List.of("type: predicate", "field: tls", "in: [none]", "notIn: [\"1.3\"]"),
            () -> new StatePredicate(new Selector.OfState(StateField.TLS), Set.of("none"), Set.of("1.3"), ONCE,
                ONCE)),
        new Case("baselines", List.of("type: change", "detect: baseline"),
            () -> ChangeDetection.baseline(Map.of(), false)),
        new Case("raise.consecutive", List.of("type: clock-skew", "maxSkew: PT5S", "raise: {consecutive: 0}"),
            () -> new Trigger(0, null)),
        new Case("clear", List.of("type: sequence", "first: {event: open}", "then: {event: command}"),
            () -> new Sequence(SignalMatch.Event.ofType("open"), SignalMatch.Event.ofType("command"), null, null, null,
                false, false)),
        new Case("tolerance", List.of("type: command-response", "command: set", "setpointAttribute: sp",
            "metric: t", "tolerance: -1", "settle: PT1M"), () -> new CommandResponse("set", "sp", "t", -1.0, MINUTE)),
        new Case("smoothing", List.of("type: rate-baseline", "bucket: PT1M", "warmup: 3", "smoothing: 1.5",
            "factor: 2", "floor: 5"), () -> new RateBaseline(MINUTE, 3, 1.5, 2.0, 5)),
        new Case("threshold", List.of("type: site-count", "signal: {event: auth_failure}", "window: PT10M",
            "threshold: 0"), () -> new SiteCount(FAILURE, Duration.ofMinutes(10), 0, null)),
        new Case("minDevices", List.of("type: shared-value", "event: auth_success", "attribute: credential",
            "minDevices: 1"), () -> new SharedValue(new Selector.OfEvent("auth_success", "credential"), 1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void aValueTheConstructorRefusesIsAFileErrorAtItsField(Case c) {
    // Given the constructor's refusal of the values in code
    InvalidFieldException inCode = assertThrows(InvalidFieldException.class, c.inCode()::get);
    assertEquals(c.blamed().substring(c.blamed().lastIndexOf('.') + 1), inCode.field());
    // When the same values come from a file
    String rule = c.lines().stream().map(line -> "      " + line + "\n").collect(Collectors.joining());
    PolicyFormatException inFile = assertThrows(PolicyFormatException.class, () -> loader.parse("r.yaml", HEAD + rule));
    // Then the file error is that refusal, at the field's line and path
    assertEquals("r.yaml:" + c.line() + ": checks[0].rule." + c.blamed() + ": " + inCode.reason(),
        inFile.getMessage());
  }

  @Test
  void everyKindThatChecksItsValuesHasACase() {
    Set<String> covered = cases().map(Case::kind).collect(Collectors.toCollection(TreeSet::new));
    covered.addAll(WITHOUT_CHECKS);
    assertEquals(new TreeSet<>(RuleKinds.BY_TYPE.keySet()), covered);
  }

  @Test
  void aPolicyValueItsConstructorRefusesIsAFileErrorAtItsField() {
    InvalidFieldException inCode = assertThrows(InvalidFieldException.class, () -> new Policy("SEC-98", 0, "Test",
        PolicyKind.SECURITY, Severity.LOW, List.of(), "Fix it.",
        List.of(new Check("c", Scope.ALL, new Absence(MINUTE, 3))), "r.yaml"));
    PolicyFormatException inFile = assertThrows(PolicyFormatException.class, () -> loader.parse("r.yaml",
        HEAD.replace("version: 1", "version: 0") + "      type: absence\n      expectedInterval: PT1M\n"
            + "      missedIntervals: 3\n"));
    assertEquals("r.yaml:4: version: " + inCode.reason(), inFile.getMessage());
  }
}
