package io.fleetwatch.streams.incident;

import io.fleetwatch.avro.PolicyKind;
import io.fleetwatch.avro.Severity;
import io.fleetwatch.avro.SeverityFactor;
import io.fleetwatch.avro.SsfAssessment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Pure severity computation: the policy's default severity moved by the IoT-SSF category of the asset, a safety
 * function, and extra signals (known-exploited vulnerability, correlated site incident, attack indicators), each
 * step recorded as a {@link SeverityFactor}. The result stays within INFO..CRITICAL.
 */
public final class SeverityCalculator {
  private final SsfMatrix matrix;
  private final SeverityFactors factors;

  public SeverityCalculator(IncidentRules rules) {
    this.matrix = rules.matrix();
    this.factors = rules.factors();
  }

  /** What raises or lowers one incident's severity. */
  public record Signals(boolean knownExploited, boolean correlatedSite, boolean attack) {
    public static final Signals NONE = new Signals(false, false, false);
  }

  /** The computed severity, the IoT-SSF placement it used and every factor in order. */
  public record Result(Severity severity, SsfAssessment ssf, List<SeverityFactor> factors) {}

  /**
   * @param base the policy's default severity
   * @param kind the incident's kind; a safety function only matters for safety and safety-security incidents
   * @param recovery the asset's recovery-difficulty level (0 = not assessed)
   * @param economic the asset's economic-impact level (0 = not assessed)
   * @param safetyFunction whether the asset serves a safety function
   * @param signals extra signals
   */
  public Result assess(Severity base, PolicyKind kind, int recovery, int economic, boolean safetyFunction,
      Signals signals) {
    List<SeverityFactor> steps = new ArrayList<>();
    Severity start = base == null || base == Severity.UNKNOWN ? Severity.MEDIUM : base;
    steps.add(new SeverityFactor("policy-default", 0, "policy default " + lower(start)));
    boolean safetyInvolved = safetyFunction && (kind == PolicyKind.SAFETY || kind == PolicyKind.SAFETY_SECURITY);
    int raisedRecovery = recovery;
    if (safetyInvolved && recovery > 0 && factors.safetyFunctionRaisesRecovery() > 0) {
      raisedRecovery = Math.min(recovery + factors.safetyFunctionRaisesRecovery(), matrix.topRecoveryLevel());
    }
    SsfAssessment ssf = matrix.assess(raisedRecovery, economic);
    int total = 0;
    if (SsfMatrix.NONE.equals(ssf.getCategory())) {
      steps.add(new SeverityFactor("category", 0, "asset not assessed on the IoT-SSF axes"));
    } else {
      int shift = factors.forCategory(ssf.getCategory());
      total += shift;
      steps.add(new SeverityFactor("category", shift, "IoT-SSF category " + ssf.getCategory() + " (recovery "
          + ssf.getRecoveryDifficulty() + " " + ssf.getRecoveryDifficultyName()
          + (raisedRecovery != recovery ? ", raised from " + recovery + " by the safety function" : "")
          + " x economic " + ssf.getEconomicImpact() + " " + ssf.getEconomicImpactName() + ")"));
    }
    if (safetyInvolved) {
      total += factors.safetyFunction();
      steps.add(new SeverityFactor("safety-function", factors.safetyFunction(),
          "the asset serves a safety function"));
    }
    if (signals.knownExploited()) {
      total += factors.knownExploited();
      steps.add(new SeverityFactor("known-exploited", factors.knownExploited(),
          "a known-exploited vulnerability is involved"));
    }
    if (signals.correlatedSite()) {
      total += factors.correlatedSite();
      steps.add(new SeverityFactor("correlated-site", factors.correlatedSite(),
          "part of a correlated site incident"));
    }
    if (signals.attack()) {
      total += factors.attack();
      steps.add(new SeverityFactor("attack-indicators", factors.attack(),
          "security incidents accompany it at the site"));
    }
    return new Result(shift(start, total), ssf, steps);
  }

  /** {@code severity} moved by {@code steps}, clamped to INFO..CRITICAL. */
  public static Severity shift(Severity severity, int steps) {
    int index = Math.max(Severity.INFO.ordinal(), Math.min(Severity.CRITICAL.ordinal(), severity.ordinal() + steps));
    return Severity.values()[index];
  }

  private static String lower(Severity s) {
    return s.name().toLowerCase(Locale.ROOT);
  }
}
