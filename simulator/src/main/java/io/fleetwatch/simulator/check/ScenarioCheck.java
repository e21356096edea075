package io.fleetwatch.simulator.check;

import io.fleetwatch.simulator.scenario.FaultPlan.ResolvedExpectation;
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
 * + {@code within}) has passed. An incident matches when policy and device (or, site-wide, policy and site) agree
 * and the pipeline detected it at or after the injection, or it was still open and saw a violation after it.
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

  /**
   * Waits for the expectations.
   *
   * @param startedAt the simulator's start (origin of every injection offset)
   */
  public CheckReport await(Instant startedAt, List<ResolvedExpectation> expectations) throws InterruptedException {
    Map<ResolvedExpectation, CheckReport.Outcome> done = new LinkedHashMap<>();
    List<ResolvedExpectation> pending = new ArrayList<>(expectations);
    IOException lastFailure = null;
    while (!pending.isEmpty()) {
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
      if (!pending.isEmpty()) {
        Thread.sleep(pollInterval.toMillis());
      }
    }
    return new CheckReport(expectations.stream().map(done::get).toList());
  }

  static CheckReport.Outcome match(ResolvedExpectation e, Instant injected, List<IncidentSighting> seen) {
    CheckReport.Outcome stillOpen = null;
    for (IncidentSighting s : seen) {
      if (!e.policy().equals(s.policyId())) {
        continue;
      }
      boolean subject = e.deviceId() != null ? e.deviceId().equals(s.deviceId()) : e.site().equals(s.site());
      if (!subject) {
        continue;
      }
      if (s.detectedAt() != null && !s.detectedAt().isBefore(injected)) {
        return new CheckReport.Outcome(e, s.id(), Duration.between(injected, s.detectedAt()));
      }
      if (s.active() && s.lastSeenAt() != null && !s.lastSeenAt().isBefore(injected)) {
        stillOpen = new CheckReport.Outcome(e, s.id(), null);
      }
    }
    return stillOpen;
  }
}
