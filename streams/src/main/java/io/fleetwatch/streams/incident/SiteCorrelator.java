package io.fleetwatch.streams.incident;

import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentLink;
import io.fleetwatch.avro.IncidentStatus;
import io.fleetwatch.avro.PolicyKind;
import io.fleetwatch.avro.Violation;
import io.fleetwatch.avro.ViolationStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * Pure site correlation. Given the incidents of one site, it derives the signals of the site incidents as
 * synthetic violations (check id = the device incident's id, device id = the site; a raise carries the grouped
 * incident's opening event and receive times), so that site incidents go
 * through the same {@link IncidentLifecycle} (quiet period, reopen, commands) as device incidents:
 *
 * <ul>
 *   <li>FLT-01: at least {@code minDevices} devices (or {@code minPercent} of the site's registered devices, and
 *       at least two) with unresolved incidents of the counted kinds opened within the window → one site incident
 *       grouping them; later device incidents join it; each grouped one leaves it when it resolves.</li>
 *   <li>FLT-03: the same for heartbeat-loss incidents (mass offline); {@link #massOfflineAssessment} says
 *       {@code attack} when security incidents accompany the silence at the site, else {@code outage}.</li>
 * </ul>
 * Linking (grouped-in / groups, FLT-04's security-change / safety-effect / explained-by) is {@link #link}.
 */
public final class SiteCorrelator {
  public static final String GROUPS = "groups";
  public static final String GROUPED_IN = IncidentAssessor.GROUPED_IN;
  public static final String SECURITY_CHANGE = "security-change";
  public static final String SAFETY_EFFECT = "safety-effect";
  public static final String EXPLAINED_BY = "explained-by";

  private final Correlation rules;

  public SiteCorrelator(IncidentRules rules) {
    this.rules = rules.correlation();
  }

  public Correlation rules() {
    return rules;
  }

  /** Whether an incident is a site incident of this correlator (FLT-01 or FLT-03). */
  public boolean isSitePolicy(String policyId) {
    return rules.siteIncident().policyId().equals(policyId) || rules.massOffline().policyId().equals(policyId);
  }

  /**
   * The synthetic violations that bring the site incidents up to date after {@code trigger} changed.
   *
   * @param siteIncidents every stored incident of the trigger's site (device and site incidents)
   * @param registeredDevices registered devices at the site (for the percentage thresholds); asked only when a
   *     threshold or a detail needs it, since counting them reads the whole registry
   * @param trigger the device incident that just changed
   */
  public List<Violation> signals(Collection<Incident> siteIncidents, IntSupplier registeredDevices, Incident trigger) {
    if (trigger.getDeviceId() == null) {
      return List.of();
    }
    List<Violation> result = new ArrayList<>();
    Correlation.SiteIncident flt01 = rules.siteIncident();
    result.addAll(group(siteIncidents, registeredDevices, trigger, flt01.policyId(), flt01.title(),
        PolicyKind.SECURITY, flt01.severity(), flt01.minDevices(), flt01.minPercent(), flt01.window().toMillis(),
        i -> flt01.kinds().contains(kind(i)) && !flt01.excludePolicies().contains(i.getPolicyId())
            && !isSitePolicy(i.getPolicyId()),
        "devices with security incidents"));
    Correlation.MassOffline flt03 = rules.massOffline();
    result.addAll(group(siteIncidents, registeredDevices, trigger, flt03.policyId(), flt03.title(),
        PolicyKind.SAFETY_SECURITY, flt03.severity(), flt03.minDevices(), flt03.minPercent(),
        flt03.window().toMillis(), i -> flt03.heartbeatPolicy().equals(i.getPolicyId()), "devices silent"));
    return result;
  }

  /** FLT-03: {@code attack} when unresolved security incidents (other than silence) accompany it, else {@code outage}. */
  public String massOfflineAssessment(Collection<Incident> siteIncidents) {
    boolean security = siteIncidents.stream().anyMatch(i -> i.getDeviceId() != null
        && i.getStatus() != IncidentStatus.RESOLVED
        && (i.getKind() == PolicyKind.SECURITY || i.getKind() == PolicyKind.SAFETY_SECURITY)
        && !rules.massOffline().heartbeatPolicy().equals(i.getPolicyId()) && !isSitePolicy(i.getPolicyId()));
    return security ? IncidentAssessor.ATTACK : "outage";
  }

  /** FLT-04: the incidents on the same device that the safety-after-change incident explains. */
  public List<IncidentLink> safetyAfterChangeLinks(Incident flt04, Collection<Incident> siteIncidents) {
    List<IncidentLink> links = new ArrayList<>();
    for (Incident i : siteIncidents) {
      if (i.getDeviceId() == null || !i.getDeviceId().equals(flt04.getDeviceId()) || i.getId().equals(flt04.getId())) {
        continue;
      }
      if (rules.safetyAfterChange().changePolicies().contains(i.getPolicyId())) {
        links.add(new IncidentLink(i.getId(), SECURITY_CHANGE));
      } else if (rules.safetyAfterChange().safetyPolicies().contains(i.getPolicyId())) {
        links.add(new IncidentLink(i.getId(), SAFETY_EFFECT));
      }
    }
    return links;
  }

  /** A copy of {@code incident} with a link to {@code otherId} (no duplicate). */
  public static Incident link(Incident incident, String otherId, String relation) {
    boolean present = incident.getLinks().stream()
        .anyMatch(l -> l.getIncidentId().equals(otherId) && l.getRelation().equals(relation));
    if (present) {
      return incident;
    }
    Incident next = Incident.newBuilder(incident).build();
    List<IncidentLink> links = new ArrayList<>(incident.getLinks());
    links.add(new IncidentLink(otherId, relation));
    next.setLinks(links);
    return next;
  }

  private interface Counted {
    boolean test(Incident incident);
  }

  private static List<Violation> group(Collection<Incident> siteIncidents, IntSupplier registered, Incident trigger,
      String policyId, String title, PolicyKind kind, io.fleetwatch.avro.Severity severity, int minDevices,
      int minPercent, long windowMs, Counted counted, String what) {
    Optional<Incident> site = siteIncidents.stream()
        .filter(i -> i.getDeviceId() == null && policyId.equals(i.getPolicyId())).findFirst();
    boolean siteOpen = site.isPresent() && site.get().getStatus() != IncidentStatus.RESOLVED;
    Set<String> grouped = siteOpen ? new LinkedHashSet<>(site.get().getActiveChecks()) : Set.of();
    List<Violation> result = new ArrayList<>();
    if (counted.test(trigger) && trigger.getStatus() == IncidentStatus.RESOLVED && grouped.contains(trigger.getId())) {
      result.add(synthetic(policyId, title, kind, severity, trigger.getSite(), trigger.getId(),
          ViolationStatus.CLEARED, trigger.getResolvedAt() == null ? trigger.getLastSeenAt() : trigger.getResolvedAt(),
          null, "device incident " + trigger.getId() + " resolved"));
      return result;
    }
    if (!counted.test(trigger) || trigger.getStatus() == IncidentStatus.RESOLVED) {
      return result;
    }
    Instant reference = trigger.getOpenedAt();
    List<Incident> members = siteIncidents.stream()
        .filter(i -> i.getDeviceId() != null && i.getStatus() != IncidentStatus.RESOLVED && counted.test(i))
        .filter(i -> grouped.contains(i.getId())
            || Math.abs(i.getOpenedAt().toEpochMilli() - reference.toEpochMilli()) <= windowMs)
        .toList();
    long devices = members.stream().map(Incident::getDeviceId).distinct().count();
    boolean reached = devices >= minDevices || (minPercent > 0 && devices >= 2 && registered.getAsInt() > 0
        && devices * 100 >= (long) minPercent * registered.getAsInt());
    if (!siteOpen && !reached) {
      return result;
    }
    int registeredDevices = registered.getAsInt();
    String detail = devices + " " + what + " at " + trigger.getSite() + " within " + (windowMs / 60000) + " min"
        + (registeredDevices > 0 ? " (of " + registeredDevices + " registered)" : "");
    for (Incident member : members) {
      if (!grouped.contains(member.getId())) {
        result.add(synthetic(policyId, title, kind, severity, trigger.getSite(), member.getId(),
            ViolationStatus.RAISED, member.getOpenedAt(), member.getOpenedReceivedAt(), detail));
      }
    }
    return result;
  }

  private static Violation synthetic(String policyId, String title, PolicyKind kind, io.fleetwatch.avro.Severity severity,
      String site, String checkId, ViolationStatus status, Instant at, Instant receivedAt, String detail) {
    return Violation.newBuilder()
        .setPolicyId(policyId)
        .setCheckId(checkId)
        .setTitle(title)
        .setKind(kind)
        .setStatus(status)
        .setSeverity(severity)
        .setDeviceId(site)
        .setSite(site)
        .setAssetClass(null)
        .setRegistered(true)
        .setEventTime(at)
        .setReceivedAt(receivedAt)
        .setDetail(detail)
        .build();
  }

  private static String kind(Incident i) {
    return i.getKind().name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
