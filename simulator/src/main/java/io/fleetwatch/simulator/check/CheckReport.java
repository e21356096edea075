package io.fleetwatch.simulator.check;

import io.fleetwatch.simulator.scenario.FaultPlan.ResolvedExpectation;
import io.fleetwatch.simulator.scenario.FaultPlan.ResolvedForbidden;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The outcome of a scenario check: for each expected incident, whether it appeared in time and how long after the
 * fault injection the pipeline opened it; for the forbidden incidents watched, each one that appeared anyway.
 *
 * @param outcomes one per expected incident, in the order of the expectations
 * @param watched the forbidden incidents the check watched for
 * @param breaches forbidden incidents that appeared, in the order they were seen
 */
public record CheckReport(List<Outcome> outcomes, List<ResolvedForbidden> watched, List<Breach> breaches) {

  public CheckReport {
    outcomes = List.copyOf(outcomes);
    watched = List.copyOf(watched);
    breaches = List.copyOf(breaches);
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

  /**
   * A forbidden incident that appeared.
   *
   * @param forbidden what was forbidden
   * @param incidentId the incident that appeared
   * @param afterStart scenario start → incident detected (wall clock), or null when the incident was already open
   *     before the scenario started and saw a violation during it
   */
  public record Breach(ResolvedForbidden forbidden, String incidentId, Duration afterStart) {
  }

  /** Whether every expected incident appeared and no forbidden one did. */
  public boolean passed() {
    return outcomes.stream().allMatch(Outcome::found) && breaches.isEmpty();
  }

  public List<Outcome> missing() {
    return outcomes.stream().filter(o -> !o.found()).toList();
  }

  /** One line per expectation, then one per forbidden incident that appeared, for people. */
  public List<String> lines() {
    List<String> lines = new ArrayList<>();
    for (Outcome o : outcomes) {
      ResolvedExpectation e = o.expectation();
      if (!o.found()) {
        lines.add("MISSING  " + e.scenario() + ": " + e.subject() + " not raised within " + e.within().toSeconds()
            + " s of the fault injection");
        continue;
      }
      String latency = o.latency() == null ? "already open before the injection, still raised"
          : "detected " + seconds(o.latency()) + " s after injection";
      lines.add("OK       " + e.scenario() + ": " + e.subject() + " -> " + o.incidentId() + ", " + latency);
    }
    for (Breach b : breaches) {
      String when = b.afterStart() == null ? "open since before the scenario started, raised again during it"
          : "detected " + seconds(b.afterStart()) + " s after the scenario started";
      lines.add("FORBIDDEN " + b.forbidden().scenario() + ": " + b.forbidden().subject() + " -> " + b.incidentId()
          + ", " + when);
    }
    return lines;
  }

  /** The verdict, e.g. {@code PASSED: 3 of 3 expected incidents appeared, no forbidden incident (2 watched)}. */
  public String summary() {
    String verdict = (passed() ? "PASSED: " : "FAILED: ") + (outcomes.size() - missing().size()) + " of "
        + outcomes.size() + " expected incidents appeared";
    if (watched.isEmpty()) {
      return verdict;
    }
    return verdict + (breaches.isEmpty() ? ", no forbidden incident" : ", " + breaches.size()
        + " forbidden incident" + (breaches.size() == 1 ? "" : "s") + " appeared") + " (" + watched.size()
        + " watched)";
  }

  private static String seconds(Duration d) {
    return String.format("%.2f", d.toMillis() / 1000.0);
  }
}
