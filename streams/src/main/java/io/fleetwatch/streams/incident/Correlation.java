package io.fleetwatch.streams.incident;

import io.fleetwatch.avro.Severity;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Site correlation and linking rules (configuration).
 *
 * @param siteIncident FLT-01: many devices of one site with incidents in a window
 * @param massOffline FLT-03: many devices of one site silent in a window
 * @param safetyAfterChange FLT-04: which incidents on the same device a FLT-04 incident links
 */
public record Correlation(SiteIncident siteIncident, MassOffline massOffline, SafetyAfterChange safetyAfterChange) {

  /**
   * @param policyId id of the site incidents (FLT-01)
   * @param title their title
   * @param severity their default severity
   * @param kinds kinds of device incidents that count (security, safety-security, ...)
   * @param excludePolicies device incidents of these policies do not count (e.g. heartbeat loss, FLT-03's signal)
   * @param minDevices devices with a counting incident that open a site incident, or
   * @param minPercent percent of the site's registered devices (0 disables)
   * @param window device incidents opened within this event-time window count
   */
  public record SiteIncident(String policyId, String title, Severity severity, Set<String> kinds,
      Set<String> excludePolicies, int minDevices, int minPercent, Duration window) {
    public SiteIncident {
      kinds = Set.copyOf(kinds);
      excludePolicies = Set.copyOf(excludePolicies);
    }
  }

  /**
   * @param policyId id of the mass-offline site incidents (FLT-03)
   * @param title their title
   * @param severity their default severity
   * @param heartbeatPolicy device incidents of this policy count as "silent"
   * @param minDevices silent devices that open the site incident, or
   * @param minPercent percent of the site's registered devices (0 disables)
   * @param window heartbeat incidents opened within this window count
   */
  public record MassOffline(String policyId, String title, Severity severity, String heartbeatPolicy, int minDevices,
      int minPercent, Duration window) {}

  /**
   * @param policyId the device policy raising a safety violation after a cyber change (FLT-04)
   * @param changePolicies incidents of these policies on the device are the security change
   * @param safetyPolicies incidents of these policies on the device are the safety effect
   */
  public record SafetyAfterChange(String policyId, List<String> changePolicies, List<String> safetyPolicies) {
    public SafetyAfterChange {
      changePolicies = List.copyOf(changePolicies);
      safetyPolicies = List.copyOf(safetyPolicies);
    }
  }
}
