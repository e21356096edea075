package io.fleetwatch.streams.policy;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One device observation as the rules see it: its event time (device time from the record, never the wall
 * clock) and the measured values by metric name.
 *
 * @param eventTime device time of the observation
 * @param metrics metric name to value
 */
public record Observation(Instant eventTime, Map<String, Double> metrics) {
  public Observation {
    Objects.requireNonNull(eventTime, "eventTime");
    metrics = Map.copyOf(Objects.requireNonNull(metrics, "metrics"));
  }

  /** The value of one metric, when this observation carries it. */
  public Optional<Double> metric(String name) {
    return Optional.ofNullable(metrics.get(name));
  }
}
