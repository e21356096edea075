package io.fleetwatch.simulator.scenario;

import java.util.Objects;

/**
 * An incident a scenario must not cause: policy {@code policy} on the target (per device, or anywhere at the site
 * for a site target), or on any device or site when {@code target} is null, detected from the scenario's start until
 * the check ends. Guards a scenario against false positives (a frozen reading is not an overheat; a site that goes
 * dark without any security event is not an attack).
 *
 * @param policy policy id, e.g. {@code SAF-01}
 * @param target name of one of the scenario's targets, or null for anywhere
 * @param line line of the entry in its file
 */
public record Forbidden(String policy, String target, int line) {
  public Forbidden {
    Objects.requireNonNull(policy, "policy");
  }
}
