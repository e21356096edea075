package io.fleetwatch.streams.incident;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetwatch.avro.PolicyKind;
import io.fleetwatch.avro.Severity;
import io.fleetwatch.avro.SeverityFactor;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SeverityCalculatorTest {
  private final SeverityCalculator calculator = new SeverityCalculator(IncidentRules.defaults());

  @ParameterizedTest(name = "{0} on recovery {1} x economic {2} -> {3}")
  @CsvSource({
      "HIGH, 1, 1, MEDIUM",      // category I lowers one step
      "HIGH, 3, 4, HIGH",        // category III keeps it
      "HIGH, 4, 4, CRITICAL",    // category IV raises one step
      "CRITICAL, 4, 4, CRITICAL", // never above critical
      "INFO, 1, 1, INFO",        // never below info
      "MEDIUM, 0, 0, MEDIUM"})   // not assessed: the default
  void movesThePolicyDefaultByTheCategory(Severity base, int recovery, int economic, Severity expected) {
    assertEquals(expected, calculator.assess(base, PolicyKind.SECURITY, recovery, economic, false,
        SeverityCalculator.Signals.NONE).severity());
  }

  @Test
  void aSafetyFunctionRaisesRecoveryDifficultyAndSeverityAndRecordsEveryFactor() {
    // Given a safety incident on a safety-function asset at recovery 3 x economic 3 (category III)
    SeverityCalculator.Result result = calculator.assess(Severity.MEDIUM, PolicyKind.SAFETY, 3, 3, true,
        new SeverityCalculator.Signals(true, true, false));

    // Then recovery becomes 4 (category III stays), the safety function, known-exploited and correlation add 3
    assertEquals(4, result.ssf().getRecoveryDifficulty());
    assertEquals("III", result.ssf().getCategory());
    assertEquals(Severity.CRITICAL, result.severity());
    assertEquals(List.of("policy-default", "category", "safety-function", "known-exploited", "correlated-site"),
        result.factors().stream().map(SeverityFactor::getFactor).toList());
    assertEquals(List.of(0, 0, 1, 1, 1), result.factors().stream().map(SeverityFactor::getSteps).toList());
  }

  @Test
  void aSafetyFunctionDoesNotMatterForASecurityIncident() {
    SeverityCalculator.Result result = calculator.assess(Severity.MEDIUM, PolicyKind.SECURITY, 3, 3, true,
        SeverityCalculator.Signals.NONE);
    assertEquals(Severity.MEDIUM, result.severity());
    assertEquals(3, result.ssf().getRecoveryDifficulty());
  }
}
