package io.fleetwatch.simulator.scenario;

import java.time.Duration;
import java.util.Objects;

/**
 * An incident a scenario should cause: policy {@code policy} on the target (per device, or per site for a site
 * target), at most {@code within} after the fault injection, i.e. the first occurrence of step {@code after}
 * (or of the scenario's first step when null).
 *
 * @param policy policy id, e.g. {@code SAF-01}
 * @param target name of one of the scenario's targets
 * @param within detection deadline counted from the fault injection
 * @param after id of the step that injects the fault, or null for the first step
 * @param line line of the expectation in its file
 */
public record Expectation(String policy, String target, Duration within, String after, int line) {
  public Expectation {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(within, "within");
  }
}
