package io.fleetwatch.streams.incident;

import io.fleetwatch.avro.Evidence;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentStatus;
import io.fleetwatch.avro.Transition;
import io.fleetwatch.avro.Violation;
import io.fleetwatch.avro.ViolationStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Pure incident lifecycle for device incidents, one per dedup key {@code policyId|deviceId}: a RAISED
 * violation without an open incident opens one (id {@code <policyId>.<deviceId>.<openedAt epoch ms>}, so an
 * exactly-once replay yields the same id), further RAISED checks of the same policy join its active checks,
 * CLEARED removes them, and when none is left the incident is RESOLVED at the clearing event time.
 */
public final class IncidentLifecycle {
  /** Evidence kept per incident; the oldest raising observations are the ones kept. */
  public static final int MAX_EVIDENCE = 20;

  /** Dedup key of the incident a violation belongs to. */
  public static String dedupKey(Violation violation) {
    return violation.getPolicyId() + "|" + violation.getDeviceId();
  }

  /** Incident id, deterministic from the dedup key parts and the opening event time. */
  public static String incidentId(String policyId, String deviceId, Instant openedAt) {
    return policyId + "." + deviceId + "." + openedAt.toEpochMilli();
  }

  /**
   * Applies one violation.
   *
   * @param open the open incident of the violation's dedup key, or {@code null}
   * @param violation the transition of one check
   * @param now wall-clock time, used only as {@code detectedAt} of a new incident
   */
  public IncidentChange apply(Incident open, Violation violation, Instant now) {
    if (violation.getStatus() == ViolationStatus.RAISED) {
      return open == null ? opened(violation, now) : raisedAgain(open, violation);
    }
    if (violation.getStatus() == ViolationStatus.CLEARED && open != null) {
      return cleared(open, violation);
    }
    return IncidentChange.ignored();
  }

  private IncidentChange opened(Violation v, Instant now) {
    Instant at = v.getEventTime();
    List<Evidence> evidence = new ArrayList<>();
    if (v.getEvidence() != null) {
      evidence.add(v.getEvidence());
    }
    List<Transition> history = new ArrayList<>();
    history.add(new Transition(IncidentStatus.OPEN, at, v.getCheckId() + ": " + v.getDetail()));
    Incident incident = Incident.newBuilder()
        .setId(incidentId(v.getPolicyId(), v.getDeviceId(), at))
        .setDedupKey(dedupKey(v))
        .setStatus(IncidentStatus.OPEN)
        .setPolicyId(v.getPolicyId())
        .setTitle(v.getTitle())
        .setKind(v.getKind())
        .setSeverity(v.getSeverity())
        .setDeviceId(v.getDeviceId())
        .setSite(v.getSite())
        .setAssetClass(v.getAssetClass())
        .setOpenedAt(at)
        .setLastSeenAt(at)
        .setResolvedAt(null)
        .setDetectedAt(now)
        .setActiveChecks(new ArrayList<>(List.of(v.getCheckId())))
        .setSummary(v.getDetail())
        .setReferences(new ArrayList<>(v.getReferences()))
        .setEvidence(evidence)
        .setHistory(history)
        .build();
    return new IncidentChange(IncidentChange.Type.OPENED, incident);
  }

  private IncidentChange raisedAgain(Incident open, Violation v) {
    Incident next = Incident.newBuilder(open).build();
    List<String> checks = new ArrayList<>(next.getActiveChecks());
    if (!checks.contains(v.getCheckId())) {
      checks.add(v.getCheckId());
    }
    next.setActiveChecks(checks);
    next.setLastSeenAt(latest(next.getLastSeenAt(), v.getEventTime()));
    next.setSummary(v.getDetail());
    if (v.getEvidence() != null && next.getEvidence().size() < MAX_EVIDENCE) {
      List<Evidence> evidence = new ArrayList<>(next.getEvidence());
      evidence.add(v.getEvidence());
      next.setEvidence(evidence);
    }
    return new IncidentChange(IncidentChange.Type.UPDATED, next);
  }

  private IncidentChange cleared(Incident open, Violation v) {
    Incident next = Incident.newBuilder(open).build();
    List<String> checks = new ArrayList<>(next.getActiveChecks());
    checks.remove(v.getCheckId());
    next.setActiveChecks(checks);
    next.setLastSeenAt(latest(next.getLastSeenAt(), v.getEventTime()));
    next.setSummary(v.getDetail());
    if (!checks.isEmpty()) {
      return new IncidentChange(IncidentChange.Type.UPDATED, next);
    }
    next.setStatus(IncidentStatus.RESOLVED);
    next.setResolvedAt(v.getEventTime());
    List<Transition> history = new ArrayList<>(next.getHistory());
    history.add(new Transition(IncidentStatus.RESOLVED, v.getEventTime(), v.getCheckId() + ": " + v.getDetail()));
    next.setHistory(history);
    return new IncidentChange(IncidentChange.Type.RESOLVED, next);
  }

  private static Instant latest(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
