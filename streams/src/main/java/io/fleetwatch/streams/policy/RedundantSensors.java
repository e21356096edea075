package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.CheckState;
import io.fleetwatch.schemas.yaml.YamlMap;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Redundant sensors disagree (YAML {@code type: redundant-disagree}): two metrics that measure the same
 * quantity, reported in the same telemetry record, differ by more than {@code maxDifference}. Raises and clears
 * with the triggers; a record without both metrics is not applicable; late records are ignored.
 *
 * @param metric the first sensor
 * @param otherMetric the redundant sensor
 * @param maxDifference largest acceptable absolute difference
 * @param raise when a run of disagreeing readings raises the check
 * @param clear when a run of agreeing readings clears it
 */
public record RedundantSensors(String metric, String otherMetric, double maxDifference, Trigger raise,
    Trigger clear) implements Rule {
  public static final String TYPE = "redundant-disagree";

  public RedundantSensors {
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(otherMetric, "otherMetric");
    Objects.requireNonNull(raise, "raise");
    Objects.requireNonNull(clear, "clear");
    Require.that(!metric.equals(otherMetric), "otherMetric", "must differ from metric '" + metric + "'");
    Require.notNegative("maxDifference", maxDifference);
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Set<String> metrics() {
    return Set.of(metric, otherMetric);
  }

  @Override
  public Set<Channel> channels() {
    return EnumSet.of(Channel.TELEMETRY);
  }

  @Override
  public Evaluation evaluate(CheckState previous, Observation observation) {
    Instant at = observation.eventTime();
    Double a = observation.metricOrNull(metric);
    Double b = observation.metricOrNull(otherMetric);
    if (a == null || b == null || a.isNaN() || b.isNaN() || CheckStates.isLate(previous, at)) {
      return Evaluation.unchanged(previous);
    }
    CheckState state = CheckStates.copyOrFresh(previous, TYPE, at);
    state.setLastEventTime(at);
    double difference = Math.abs(a - b);
    Supplier<String> text = () -> metric + " " + a + " vs " + otherMetric + " " + b + ": difference " + difference;
    return CheckStates.debounce(state, difference > maxDifference, at, raise, clear, difference, null,
        () -> text.get() + " above " + maxDifference, () -> text.get() + " within " + maxDifference);
  }

  /** Reads the {@code rule:} fields of a policy file; errors name the file, line and field. */
  static RedundantSensors read(YamlMap rule) {
    rule.allowOnly("type", "metric", "otherMetric", "maxDifference", "raise", "clear");
    return new RedundantSensors(rule.identifier("metric"), rule.identifier("otherMetric"),
        rule.requiredNumber("maxDifference"), Trigger.optional(rule, "raise"), Trigger.optional(rule, "clear"));
  }
}
