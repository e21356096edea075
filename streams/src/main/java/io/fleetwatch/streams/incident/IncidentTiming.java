package io.fleetwatch.streams.incident;

import java.time.Duration;
import java.util.Objects;

/**
 * Timing of the incident lifecycle (from the streams app configuration).
 *
 * @param quietPeriod after all checks cleared, how long an incident waits before it resolves; a raise in between
 *     keeps it open (flapping suppression). Zero resolves at once.
 * @param reopenWindow a raise this soon (event time) after the resolution reopens the incident instead of opening
 *     a new one. Zero never reopens.
 * @param scanInterval how often the wall-clock punctuator resolves quiet incidents, re-assesses business impact and
 *     escalates
 * @param impactRefresh an open incident is re-published at least this often so its downtime and cost stay current
 */
public record IncidentTiming(Duration quietPeriod, Duration reopenWindow, Duration scanInterval,
    Duration impactRefresh) {
  public static final IncidentTiming IMMEDIATE = new IncidentTiming(Duration.ZERO, Duration.ZERO,
      Duration.ofSeconds(10), Duration.ofMinutes(1));

  public IncidentTiming {
    requireNotNegative(quietPeriod, "quietPeriod");
    requireNotNegative(reopenWindow, "reopenWindow");
    requireNotNegative(scanInterval, "scanInterval");
    requireNotNegative(impactRefresh, "impactRefresh");
    if (scanInterval.isZero()) {
      throw new IllegalArgumentException("scanInterval must be positive");
    }
  }

  private static void requireNotNegative(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, got " + d);
    }
  }
}
