package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.CheckState;
import io.fleetwatch.schemas.yaml.YamlMap;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Stuck sensor (YAML {@code type: stuck}): the metric stays within a band of width {@code tolerance} (0: exactly
 * constant, zero variance) for at least {@code minSamples} readings spanning at least {@code window} of event
 * time. The check raises when such a flat run is established and clears on the first reading outside the band
 * (a live sensor moves). Late readings are ignored. State: the run's start, count, lowest and highest value.
 *
 * @param metric the metric name
 * @param window minimum event-time span of a flat run
 * @param minSamples minimum readings in a flat run ({@code >= 2})
 * @param tolerance width of the band still counted as flat ({@code >= 0})
 */
public record StuckSensor(String metric, Duration window, int minSamples, double tolerance) implements MetricRule {
  public static final String TYPE = "stuck";

  public StuckSensor {
    Objects.requireNonNull(metric, "metric");
    Require.positive("window", window);
    Require.atLeast("minSamples", minSamples, 2, "");
    Require.notNegative("tolerance", tolerance);
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Evaluation apply(CheckState state, double value, Instant at) {
    Double low = state.getLow();
    Double high = state.getHigh();
    boolean inBand = low != null && high != null && state.getBreachSince() != null
        && Math.max(high, value) - Math.min(low, value) <= tolerance;
    if (inBand) {
      state.setLow(Math.min(low, value));
      state.setHigh(Math.max(high, value));
      state.setBreachCount(state.getBreachCount() + 1);
    } else {
      state.setLow(value);
      state.setHigh(value);
      state.setBreachCount(1);
      state.setBreachSince(at);
    }
    Duration span = Duration.between(state.getBreachSince(), at);
    boolean flat = state.getBreachCount() >= minSamples && span.compareTo(window) >= 0;
    if (flat && !state.getActive()) {
      state.setActive(true);
      return new Evaluation(state, Outcome.RAISED, value, null, flatText(state, span, ": sensor looks stuck"));
    }
    if (!flat && state.getActive()) {
      state.setActive(false);
      return new Evaluation(state, Outcome.CLEARED, value, null,
          () -> metric + " " + value + " moved: sensor is live again");
    }
    return flat ? new Evaluation(state, Outcome.HOLD, value, null, flatText(state, span, ""))
        : new Evaluation(state, Outcome.NONE, value, "");
  }

  /** The flat run's explanation, from the run's values now (the state is not changed after this evaluation). */
  private Supplier<String> flatText(CheckState state, Duration span, String suffix) {
    Double low = state.getLow();
    Double high = state.getHigh();
    int count = state.getBreachCount();
    return () -> metric + " stayed within [" + low + ", " + high + "] for " + count + " readings over "
        + CheckStates.seconds(span) + "s" + suffix;
  }

  /** Reads the {@code rule:} fields of a policy file; errors name the file, line and field. */
  static StuckSensor read(YamlMap rule) {
    rule.allowOnly("type", "metric", "window", "minSamples", "tolerance");
    Double tolerance = rule.optionalNumber("tolerance");
    return new StuckSensor(rule.identifier("metric"), rule.duration("window"), rule.requiredInt("minSamples"),
        tolerance == null ? 0.0 : tolerance);
  }
}
