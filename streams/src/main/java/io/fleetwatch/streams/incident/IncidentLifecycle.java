package io.fleetwatch.streams.incident;

import io.fleetwatch.avro.Evidence;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentCommand;
import io.fleetwatch.avro.IncidentStatus;
import io.fleetwatch.avro.Transition;
import io.fleetwatch.avro.Verification;
import io.fleetwatch.avro.Violation;
import io.fleetwatch.avro.ViolationStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Pure incident lifecycle, one incident per dedup key ({@code policyId|deviceId}, or {@code policyId|site} for site
 * incidents): open → acknowledged → resolved.
 *
 * <ul>
 *   <li>A RAISED violation without an incident opens one (id {@code <policyId>.<deviceId>.<openedAt epoch ms>}, so
 *       an exactly-once replay yields the same id) with the violation's event time ({@code openedAt}) and gateway
 *       receive time ({@code openedReceivedAt}, may be null); further RAISED checks of the same policy join its
 *       active checks.</li>
 *   <li>CLEARED removes the check. When none is left the incident resolves at once (quiet period zero) or records
 *       {@code clearedAt} and resolves in {@link #tick} once the quiet period has passed; a RAISED in between
 *       keeps it open (flapping suppression).</li>
 *   <li>A RAISED within the reopen window (event time) after the resolution reopens the same incident.</li>
 *   <li>Responders' commands: acknowledge (open only), assign and resolve (not resolved), verify (any status).</li>
 * </ul>
 * Every change appends to the bounded history.
 */
public final class IncidentLifecycle {
  /** Evidence kept per incident; the oldest raising observations are the ones kept. */
  public static final int MAX_EVIDENCE = 20;
  /** History entries kept; the opening entry always stays, the oldest after it are dropped. */
  public static final int MAX_HISTORY = 100;

  private final IncidentTiming timing;

  /** Lifecycle without quiet period or reopen window. */
  public IncidentLifecycle() {
    this(IncidentTiming.IMMEDIATE);
  }

  public IncidentLifecycle(IncidentTiming timing) {
    this.timing = Objects.requireNonNull(timing, "timing");
  }

  public IncidentTiming timing() {
    return timing;
  }

  /** Dedup key of the device incident a violation belongs to. */
  public static String dedupKey(Violation violation) {
    return violation.getPolicyId() + "|" + violation.getDeviceId();
  }

  /**
   * Whether a violation is a site-level finding rather than about one device: its device id is its site, as in the
   * synthetic signals of {@link SiteCorrelator} and the site-level group checks (e.g. SEC-01's distinct sources per
   * site). Its incident is a site incident ({@code policyId|site}, no device). A device must therefore not be named
   * like its own site.
   */
  public static boolean isSiteFinding(Violation violation) {
    return violation.getDeviceId().equals(violation.getSite());
  }

  /** Dedup key of a site incident. */
  public static String siteDedupKey(String policyId, String site) {
    return policyId + "|" + site;
  }

  /** Incident id, deterministic from the dedup key parts and the opening event time. */
  public static String incidentId(String policyId, String deviceOrSite, Instant openedAt) {
    return policyId + "." + deviceOrSite + "." + openedAt.toEpochMilli();
  }

  /**
   * Applies one violation.
   *
   * @param current the incident of the violation's dedup key (open, waiting out its quiet period, or resolved
   *     within the reopen window), or {@code null}
   * @param violation the transition of one check
   * @param now wall-clock time, used only as {@code detectedAt} of a new incident
   */
  public IncidentChange apply(Incident current, Violation violation, Instant now) {
    if (violation.getStatus() == ViolationStatus.RAISED) {
      if (current == null) {
        return opened(violation, now);
      }
      if (current.getStatus() == IncidentStatus.RESOLVED) {
        return withinReopenWindow(current, violation.getEventTime()) ? reopened(current, violation)
            : opened(violation, now);
      }
      return raisedAgain(current, violation);
    }
    if (violation.getStatus() == ViolationStatus.CLEARED && current != null
        && current.getStatus() != IncidentStatus.RESOLVED) {
      return cleared(current, violation);
    }
    return IncidentChange.ignored();
  }

  /**
   * Wall-clock punctuation for one stored incident: resolves it once its checks have been clear for the quiet period.
   *
   * @param now wall-clock time of the punctuation
   */
  public IncidentChange tick(Incident current, Instant now) {
    if (current.getStatus() == IncidentStatus.RESOLVED || current.getClearedAt() == null
        || now.isBefore(current.getClearedAt().plus(timing.quietPeriod()))) {
      return IncidentChange.ignored();
    }
    return resolve(Incident.newBuilder(current).build(), current.getClearedAt(),
        "all checks clear for the quiet period " + timing.quietPeriod(), null);
  }

  /** Whether a resolved incident can be forgotten: its reopen window has passed at wall-clock {@code now}. */
  public boolean expired(Incident current, Instant now) {
    return current.getStatus() == IncidentStatus.RESOLVED && current.getResolvedAt() != null
        && !now.isBefore(current.getResolvedAt().plus(timing.reopenWindow()));
  }

  /**
   * Applies a responder's command, or says why not.
   *
   * @param current the incident the command names, or {@code null} when it is unknown
   */
  public CommandResult command(Incident current, IncidentCommand command) {
    if (current == null) {
      return CommandResult.rejected("unknown incident " + command.getIncidentId());
    }
    if (command.getActor() == null || command.getActor().isBlank()) {
      return CommandResult.rejected("actor is required");
    }
    Incident next = Incident.newBuilder(current).build();
    Instant at = command.getIssuedAt();
    String reason = command.getReason() == null || command.getReason().isBlank() ? "" : ": " + command.getReason();
    IncidentStatus status = current.getStatus();
    switch (command.getType()) {
      case ACKNOWLEDGE -> {
        if (status != IncidentStatus.OPEN) {
          return CommandResult.rejected("cannot acknowledge an incident that is " + lower(status));
        }
        next.setStatus(IncidentStatus.ACKNOWLEDGED);
        next.setAcknowledgedAt(at);
        next.setAcknowledgedBy(command.getActor());
        record(next, at, "acknowledged by " + command.getActor() + reason, command.getActor());
      }
      case ASSIGN -> {
        if (status == IncidentStatus.RESOLVED) {
          return CommandResult.rejected("cannot assign an incident that is resolved");
        }
        if (command.getAssignee() == null || command.getAssignee().isBlank()) {
          return CommandResult.rejected("assign needs an assignee");
        }
        next.setAssignee(command.getAssignee());
        record(next, at, "assigned to " + command.getAssignee() + " by " + command.getActor() + reason,
            command.getActor());
      }
      case RESOLVE -> {
        if (status == IncidentStatus.RESOLVED) {
          return CommandResult.rejected("the incident is already resolved");
        }
        next.setResolvedBy(command.getActor());
        return CommandResult.applied(resolve(next, at, "resolved by " + command.getActor() + reason,
            command.getActor()).incident());
      }
      case VERIFY -> {
        Verification verdict = command.getVerification();
        if (verdict == null || verdict == Verification.UNKNOWN) {
          return CommandResult.rejected("verify needs a verification: true_positive, benign_positive or "
              + "false_positive");
        }
        next.setVerification(verdict);
        record(next, at, "verified " + lower(verdict) + " by " + command.getActor() + reason, command.getActor());
      }
      default -> {
        return CommandResult.rejected("unknown command type " + command.getType());
      }
    }
    return CommandResult.applied(next);
  }

  private boolean withinReopenWindow(Incident resolved, Instant raisedAt) {
    return !timing.reopenWindow().isZero() && resolved.getResolvedAt() != null
        && !raisedAt.isAfter(resolved.getResolvedAt().plus(timing.reopenWindow()));
  }

  private IncidentChange opened(Violation v, Instant now) {
    Instant at = v.getEventTime();
    List<Evidence> evidence = new ArrayList<>();
    if (v.getEvidence() != null) {
      evidence.add(v.getEvidence());
    }
    List<Transition> history = new ArrayList<>();
    history.add(new Transition(IncidentStatus.OPEN, at, v.getCheckId() + ": " + v.getDetail(), null));
    Incident incident = Incident.newBuilder()
        .setId(incidentId(v.getPolicyId(), v.getDeviceId(), at))
        .setDedupKey(dedupKey(v))
        .setStatus(IncidentStatus.OPEN)
        .setPolicyId(v.getPolicyId())
        .setTitle(v.getTitle())
        .setKind(v.getKind())
        .setSeverity(v.getSeverity())
        .setBaseSeverity(v.getSeverity())
        .setDeviceId(v.getDeviceId())
        .setSite(v.getSite())
        .setAssetClass(v.getAssetClass())
        .setOpenedAt(at)
        .setLastSeenAt(at)
        .setResolvedAt(null)
        .setDetectedAt(now)
        .setOpenedReceivedAt(v.getReceivedAt())
        .setActiveChecks(new ArrayList<>(List.of(v.getCheckId())))
        .setSummary(v.getDetail())
        .setReferences(new ArrayList<>(v.getReferences()))
        .setEvidence(evidence)
        .setHistory(history)
        .setKnownExploited(v.getKnownExploited())
        .build();
    return new IncidentChange(IncidentChange.Type.OPENED, incident);
  }

  private IncidentChange reopened(Incident resolved, Violation v) {
    Incident next = joined(resolved, v);
    next.setStatus(IncidentStatus.OPEN);
    next.setResolvedAt(null);
    next.setResolvedBy(null);
    next.setClearedAt(null);
    next.setReopenCount(resolved.getReopenCount() + 1);
    record(next, v.getEventTime(), "reopened within the reopen window " + timing.reopenWindow() + ": "
        + v.getCheckId() + ": " + v.getDetail(), null);
    return new IncidentChange(IncidentChange.Type.REOPENED, next);
  }

  private IncidentChange raisedAgain(Incident open, Violation v) {
    Incident next = joined(open, v);
    if (open.getClearedAt() != null) {
      next.setClearedAt(null);
      record(next, v.getEventTime(), "raised again within the quiet period (flapping suppressed): "
          + v.getCheckId(), null);
    }
    return new IncidentChange(IncidentChange.Type.UPDATED, next);
  }

  private static Incident joined(Incident incident, Violation v) {
    Incident next = Incident.newBuilder(incident).build();
    List<String> checks = new ArrayList<>(next.getActiveChecks());
    if (!checks.contains(v.getCheckId())) {
      checks.add(v.getCheckId());
    }
    next.setActiveChecks(checks);
    next.setLastSeenAt(latest(next.getLastSeenAt(), v.getEventTime()));
    next.setSummary(v.getDetail());
    next.setKnownExploited(next.getKnownExploited() || v.getKnownExploited());
    if (v.getEvidence() != null && next.getEvidence().size() < MAX_EVIDENCE) {
      List<Evidence> evidence = new ArrayList<>(next.getEvidence());
      evidence.add(v.getEvidence());
      next.setEvidence(evidence);
    }
    return next;
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
    if (timing.quietPeriod().isZero()) {
      return resolve(next, v.getEventTime(), v.getCheckId() + ": " + v.getDetail(), null);
    }
    next.setClearedAt(v.getEventTime());
    record(next, v.getEventTime(), "all checks cleared; resolves after " + timing.quietPeriod()
        + " unless raised again: " + v.getCheckId() + ": " + v.getDetail(), null);
    return new IncidentChange(IncidentChange.Type.UPDATED, next);
  }

  private static IncidentChange resolve(Incident next, Instant at, String reason, String actor) {
    next.setStatus(IncidentStatus.RESOLVED);
    next.setResolvedAt(at);
    next.setClearedAt(null);
    record(next, at, reason, actor);
    return new IncidentChange(IncidentChange.Type.RESOLVED, next);
  }

  /**
   * Notes a change made outside the lifecycle (e.g. a correlation's assessment) in the incident's bounded history, in
   * its current status and without an actor. The one place that caps the history is {@link #append}.
   */
  public static void note(Incident incident, Instant at, String reason) {
    record(incident, at, reason, null);
  }

  private static void record(Incident incident, Instant at, String reason, String actor) {
    incident.setHistory(append(incident.getHistory(), new Transition(incident.getStatus(), at, reason, actor)));
  }

  /** {@code history} plus {@code entry}, bounded to {@value #MAX_HISTORY} (the first entry always stays). */
  static List<Transition> append(List<Transition> history, Transition entry) {
    List<Transition> next = new ArrayList<>(history);
    next.add(entry);
    while (next.size() > MAX_HISTORY) {
      next.remove(1);
    }
    return next;
  }

  private static String lower(Enum<?> symbol) {
    return symbol.name().toLowerCase(Locale.ROOT);
  }

  private static Instant latest(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
