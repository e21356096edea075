package io.fleetwatch.simulator.check;

import java.time.Instant;

/**
 * An incident as the check sees it, from the HTTP API or {@code fleet.incidents}.
 *
 * @param id incident id
 * @param policyId policy that raised it
 * @param deviceId device, or null for a site-level incident
 * @param site site
 * @param status open, acknowledged or resolved
 * @param detectedAt wall-clock time the pipeline opened it
 * @param lastSeenAt event time of the latest violation, or null
 */
public record IncidentSighting(String id, String policyId, String deviceId, String site, String status,
    Instant detectedAt, Instant lastSeenAt) {

  /** Whether the incident is still open (open or acknowledged). */
  public boolean active() {
    return !"resolved".equals(status);
  }
}
