package io.fleetwatch.streams.incident;

import io.fleetwatch.avro.BusinessImpact;
import io.fleetwatch.avro.BusinessService;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentAction;
import io.fleetwatch.avro.IncidentStatus;
import io.fleetwatch.avro.PolicyKind;
import io.fleetwatch.avro.RoutedStakeholder;
import io.fleetwatch.avro.Stakeholder;
import io.fleetwatch.avro.StakeholderRef;
import io.fleetwatch.avro.Transition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Pure enrichment of an incident with its business context: IoT-SSF placement and computed severity
 * ({@link SeverityCalculator}), business impact ({@link ImpactCalculator}), escalation level (recorded in the
 * history when it changes; back to 0 once the checks cleared or the incident resolved), stakeholders by role with
 * contacts and whether the routing rules route to them, and actions P1..P4 from the templates.
 */
public final class IncidentAssessor {
  static final String GROUPED_IN = "grouped-in";
  static final String ATTACK = "attack";

  private final IncidentRules rules;
  private final SeverityCalculator severity;

  public IncidentAssessor(IncidentRules rules) {
    this.rules = rules;
    this.severity = new SeverityCalculator(rules);
  }

  public IncidentRules rules() {
    return rules;
  }

  /**
   * Returns a copy of {@code incident} assessed against {@code context} at wall-clock {@code now}.
   */
  public Incident assess(Incident incident, AssetContext context, Instant now) {
    Incident next = Incident.newBuilder(incident).build();
    next.setZone(context.zone());
    next.setModel(context.model());
    next.setSafetyFunction(context.safetyFunction());
    if (next.getBaseSeverity() == null) {
      next.setBaseSeverity(incident.getSeverity());
    }
    boolean correlated = incident.getLinks().stream().anyMatch(l -> GROUPED_IN.equals(l.getRelation()));
    SeverityCalculator.Result result = severity.assess(next.getBaseSeverity(), incident.getKind(),
        context.recovery(), context.economic(), context.safetyFunction(),
        new SeverityCalculator.Signals(incident.getKnownExploited(), correlated, ATTACK.equals(incident.getAssessment())));
    next.setSeverity(result.severity());
    next.setSsf(result.ssf());
    next.setSeverityFactors(result.factors());

    boolean stopped = incident.getStatus() == IncidentStatus.RESOLVED || incident.getClearedAt() != null;
    Instant until = incident.getStatus() == IncidentStatus.RESOLVED && incident.getResolvedAt() != null
        ? incident.getResolvedAt() : incident.getClearedAt() != null ? incident.getClearedAt() : now;
    BusinessImpact impact = ImpactCalculator.assess(context.services(), incident.getOpenedAt(), until, now);
    next.setImpact(impact);

    int level = stopped ? 0 : ImpactCalculator.escalationLevel(impact, rules.escalation());
    if (level != incident.getEscalationLevel()) {
      next.setEscalationLevel(level);
      next.setEscalatedAt(now);
      String why = level > incident.getEscalationLevel()
          ? "escalated to level " + level + ": " + (impact.getDowntimeSeconds() / 60) + " min down of RTO "
              + (impact.getRtoSeconds() / 60) + " min"
          : "de-escalated to level " + level + (stopped ? ": impact stopped (checks cleared)" : "");
      next.setHistory(IncidentLifecycle.append(next.getHistory(),
          new Transition(next.getStatus(), now, why, null)));
    }
    String category = result.ssf().getCategory();
    next.setStakeholders(route(context, category, incident.getKind(), next.getEscalationLevel()));
    next.setActions(actions(incident, category, context));
    return next;
  }

  private List<RoutedStakeholder> route(AssetContext context, String category, PolicyKind kind, int level) {
    Set<String> roles = new LinkedHashSet<>(rules.routing().byCategory().getOrDefault(category, List.of()));
    if (kind == PolicyKind.SECURITY || kind == PolicyKind.SAFETY_SECURITY) {
      roles.addAll(rules.routing().security());
    }
    if (level > 0) {
      roles.addAll(rules.routing().escalated());
    }
    List<RoutedStakeholder> result = new ArrayList<>();
    for (StakeholderRef ref : context.stakeholderRefs()) {
      Stakeholder s = context.stakeholders().get(ref.getStakeholderId());
      result.add(RoutedStakeholder.newBuilder()
          .setRole(ref.getRole())
          .setStakeholderId(ref.getStakeholderId())
          .setName(s == null ? null : s.getName())
          .setEmail(s == null ? null : s.getEmail())
          .setPhone(s == null ? null : s.getPhone())
          .setUrl(s == null ? null : s.getUrl())
          .setSecurityTxt(s == null ? null : s.getSecurityTxt())
          .setRouted(roles.contains(ref.getRole()))
          .build());
    }
    return result;
  }

  private List<IncidentAction> actions(Incident incident, String category, AssetContext context) {
    String kind = incident.getKind().name().toLowerCase(Locale.ROOT).replace('_', '-');
    String services = context.services().isEmpty() ? "the affected services"
        : context.services().stream().map(BusinessService::getName).collect(Collectors.joining(", "));
    String fallback = context.services().stream().map(BusinessService::getFallback)
        .filter(f -> f != null && !f.isBlank()).findFirst().orElse("no manual fallback registered");
    String device = incident.getDeviceId() == null ? "the devices of " + incident.getSite() : incident.getDeviceId();
    List<IncidentAction> result = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (ActionTemplate template : rules.actions()) {
      if (!template.matches(incident.getPolicyId(), kind, category)) {
        continue;
      }
      for (IncidentAction a : template.actions()) {
        String text = a.getText().replace("{device}", device).replace("{site}", incident.getSite())
            .replace("{services}", services).replace("{fallback}", fallback);
        if (seen.add(a.getPerspective() + "|" + text)) {
          result.add(new IncidentAction(a.getPerspective(), text, a.getTlp()));
        }
      }
    }
    result.sort(Comparator.comparing(IncidentAction::getPerspective));
    return result;
  }
}
