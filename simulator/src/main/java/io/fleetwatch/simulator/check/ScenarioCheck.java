package io.fleetwatch.simulator.check;

import io.fleetwatch.simulator.scenario.FaultPlan.ResolvedExpectation;
import io.fleetwatch.simulator.scenario.FaultPlan.ResolvedForbidden;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches an {@link IncidentSource} until every expected incident has appeared or its deadline (fault injection
 * + {@code within}) has passed, and at least for a minimum time. An incident matches when policy and device (or,
 * site-wide, policy and site) agree and the pipeline detected it at or after the injection, or it was still open and
 * saw a violation after it. Meanwhile, every incident matching a forbidden one (same rule, counted from the
 * scenario's start) is a breach.
 */
public final class ScenarioCheck {
  private static final Logger LOG = LoggerFactory.getLogger(ScenarioCheck.class);

  private final IncidentSource source;
  private final Clock clock;
  private final Duration pollInterval;

  public ScenarioCheck(IncidentSource source, Clock clock, Duration pollInterval) {
    this.source = source;
    this.clock = clock;
    this.pollInterval = pollInterval;
  }

  /** Waits for the expectations; no incident is forbidden. */
  public CheckReport await(Instant startedAt, List<ResolvedExpectation> expectations) throws InterruptedException {
    return await(startedAt, expectations, List.of(), Duration.ZERO);
  }

  /**
   * Waits for the expectations and watches for forbidden incidents. Polls the source at least once.
   *
   * @param startedAt the simulator's start (origin of every injection offset)
   * @param minimumWatch keep watching at least this long after {@code startedAt}, even when every expectation is
   *     settled (a check of forbidden incidents only)
   */
  public CheckReport await(Instant startedAt, List<ResolvedExpectation> expectations,
      List<ResolvedForbidden> forbidden, Duration minimumWatch) throws InterruptedException {
    Map<ResolvedExpectation, CheckReport.Outcome> done = new LinkedHashMap<>();
    List<ResolvedExpectation> pending = new ArrayList<>(expectations);
    Map<String, CheckReport.Breach> breaches = new LinkedHashMap<>();
    Instant watchUntil = startedAt.plus(minimumWatch);
    IOException lastFailure = null;
    while (true) {
      List<IncidentSighting> seen = List.of();
      try {
        seen = source.poll();
        lastFailure = null;
      } catch (IOException e) {
        if (lastFailure == null) {
          LOG.warn("cannot read incidents yet: {}", e.getMessage());
        }
        lastFailure = e;
      }
      Instant now = clock.instant();
      for (var it = pending.iterator(); it.hasNext();) {
        ResolvedExpectation e = it.next();
        Instant injected = startedAt.plus(e.injectedAfter());
        CheckReport.Outcome match = match(e, injected, seen);
        if (match != null) {
          done.put(e, match);
          it.remove();
          LOG.info("expected incident {} appeared: {}", e.subject(), match.incidentId());
        } else if (now.isAfter(injected.plus(e.within()))) {
          done.put(e, new CheckReport.Outcome(e, null, null));
          it.remove();
          LOG.warn("expected incident {} did not appear within {}", e.subject(), e.within());
        }
      }
      for (int i = 0; i < forbidden.size(); i++) {
        ResolvedForbidden f = forbidden.get(i);
        for (CheckReport.Breach b : breaches(f, startedAt.plus(f.from()), seen)) {
          if (breaches.putIfAbsent(i + "/" + b.incidentId(), b) == null) {
            LOG.warn("forbidden incident {} appeared: {}", f.subject(), b.incidentId());
          }
        }
      }
      if (pending.isEmpty() && !now.isBefore(watchUntil)) {
        break;
      }
      Thread.sleep(pollInterval.toMillis());
    }
    return new CheckReport(expectations.stream().map(done::get).toList(), forbidden,
        List.copyOf(breaches.values()));
  }

  static CheckReport.Outcome match(ResolvedExpectation e, Instant injected, List<IncidentSighting> seen) {
    CheckReport.Outcome stillOpen = null;
    for (IncidentSighting s : seen) {
      if (!concerns(s, e.policy(), e.deviceId(), e.site())) {
        continue;
      }
      if (s.detectedAt() != null && !s.detectedAt().isBefore(injected)) {
        return new CheckReport.Outcome(e, s.id(), Duration.between(injected, s.detectedAt()));
      }
      if (raisedAgainSince(s, injected)) {
        stillOpen = new CheckReport.Outcome(e, s.id(), null);
      }
    }
    return stillOpen;
  }

  /** The incidents of {@code seen} that break {@code f}: detected since {@code start}, or open and raised since. */
  static List<CheckReport.Breach> breaches(ResolvedForbidden f, Instant start, List<IncidentSighting> seen) {
    List<CheckReport.Breach> result = new ArrayList<>();
    for (IncidentSighting s : seen) {
      if (!concerns(s, f.policy(), f.deviceId(), f.site())) {
        continue;
      }
      if (s.detectedAt() != null && !s.detectedAt().isBefore(start)) {
        result.add(new CheckReport.Breach(f, s.id(), Duration.between(start, s.detectedAt())));
      } else if (raisedAgainSince(s, start)) {
        result.add(new CheckReport.Breach(f, s.id(), null));
      }
    }
    return result;
  }

  /** Same policy, and the device (or, with no device, the site; with neither, anywhere). */
  private static boolean concerns(IncidentSighting s, String policy, String deviceId, String site) {
    if (!policy.equals(s.policyId())) {
      return false;
    }
    if (deviceId != null) {
      return deviceId.equals(s.deviceId());
    }
    return site == null || site.equals(s.site());
  }

  private static boolean raisedAgainSince(IncidentSighting s, Instant since) {
    return s.active() && s.lastSeenAt() != null && !s.lastSeenAt().isBefore(since);
  }
}
