package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.CheckState;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * A rule over the readings of one telemetry metric ({@link Envelope}, {@link RateOfChange}, {@link StuckSensor}).
 * What they share is stated here once: they are offered telemetry only; a message without the metric, a {@code NaN}
 * reading or a reading older than the latest one applied (late, out of order) leaves the state as it was; any other
 * reading is applied to the rule's own copy of the state (a fresh one for the first reading), whose
 * {@code lastEventTime} is already the reading's event time.
 */
public sealed interface MetricRule extends Rule permits Envelope, RateOfChange, StuckSensor {
  /** The one channel of these rules. */
  Set<Channel> TELEMETRY_ONLY = Collections.unmodifiableSet(EnumSet.of(Channel.TELEMETRY));

  /** The metric this rule reads. */
  String metric();

  @Override
  default Set<String> metrics() {
    return Set.of(metric());
  }

  @Override
  default Set<Channel> channels() {
    return TELEMETRY_ONLY;
  }

  @Override
  default Evaluation evaluate(CheckState previous, Observation observation) {
    Instant at = observation.eventTime();
    Double reading = observation.metricOrNull(metric());
    if (reading == null || reading.isNaN() || CheckStates.isLate(previous, at)) {
      return Evaluation.unchanged(previous);
    }
    CheckState state = CheckStates.copyOrFresh(previous, type(), at);
    state.setLastEventTime(at);
    return apply(state, reading, at);
  }

  /**
   * Applies one reading.
   *
   * @param state the rule's own copy of the state, {@code lastEventTime} already {@code at}
   * @param value the reading (not {@code NaN})
   * @param at its event time
   * @return the new state (normally {@code state}) and the outcome
   */
  Evaluation apply(CheckState state, double value, Instant at);
}
