package io.fleetwatch.simulator.check;

import io.fleetwatch.simulator.scenario.FaultPlan.ResolvedExpectation;
import java.time.Duration;
import java.util.List;

/**
 * The outcome of a scenario check: for each expected incident, whether it appeared in time and how long after the
 * fault injection the pipeline opened it.
 */
public record CheckReport(List<Outcome> outcomes) {

  public CheckReport {
    outcomes = List.copyOf(outcomes);
  }

  /**
   * One expectation's outcome.
   *
   * @param expectation what was expected
   * @param incidentId the matching incident, or null when it did not appear
   * @param latency injection → incident detected (wall clock), or null when missing or unknown
   */
  public record Outcome(ResolvedExpectation expectation, String incidentId, Duration latency) {
    public boolean found() {
      return incidentId != null;
    }
  }

  /** Whether every expected incident appeared. */
  public boolean passed() {
    return outcomes.stream().allMatch(Outcome::found);
  }

  public List<Outcome> missing() {
    return outcomes.stream().filter(o -> !o.found()).toList();
  }

  /** One line per expectation, for people. */
  public List<String> lines() {
    return outcomes.stream().map(o -> {
      ResolvedExpectation e = o.expectation();
      if (!o.found()) {
        return "MISSING  " + e.scenario() + ": " + e.subject() + " not raised within " + e.within().toSeconds()
            + " s of the fault injection";
      }
      String latency = o.latency() == null ? "already open before the injection, still raised"
          : "detected " + String.format("%.2f", o.latency().toMillis() / 1000.0) + " s after injection";
      return "OK       " + e.scenario() + ": " + e.subject() + " -> " + o.incidentId() + ", " + latency;
    }).toList();
  }
}
