package io.fleetwatch.streams.incident;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Everything that turns a violation into an incident with business context, as data: the IoT-SSF matrix, severity
 * factors, escalation steps, routing, correlation rules and action templates. Read by {@link IncidentRulesLoader}
 * from {@code policies/iot-ssf.yaml} and {@code policies/iot-ssf-actions.yaml} (or their built-in copies).
 *
 * @param matrix the IoT-SSF map
 * @param factors severity steps per factor
 * @param escalation escalation steps, lowest level first
 * @param routing roles to route to
 * @param correlation site correlation (FLT-01, FLT-03) and FLT-04 linking
 * @param actions action templates by perspective
 */
public record IncidentRules(SsfMatrix matrix, SeverityFactors factors, List<EscalationStep> escalation,
    Routing routing, Correlation correlation, List<ActionTemplate> actions) {
  public IncidentRules {
    Objects.requireNonNull(matrix, "matrix");
    Objects.requireNonNull(factors, "factors");
    escalation = escalation.stream().sorted(Comparator.comparingDouble(EscalationStep::rtoElapsed)).toList();
    Objects.requireNonNull(routing, "routing");
    Objects.requireNonNull(correlation, "correlation");
    actions = List.copyOf(actions);
  }

  /** The shipped defaults (the built-in copies of {@code policies/iot-ssf.yaml} and {@code iot-ssf-actions.yaml}). */
  public static IncidentRules defaults() {
    return IncidentRulesLoader.builtIn();
  }

  /** The same rules with other action templates. */
  public IncidentRules withActions(List<ActionTemplate> templates) {
    return new IncidentRules(matrix, factors, escalation, routing, correlation, templates);
  }
}
