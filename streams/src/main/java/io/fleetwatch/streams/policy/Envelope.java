package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.CheckState;
import io.fleetwatch.schemas.yaml.YamlMap;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Safe operating envelope of one metric (YAML {@code type: envelope}): the check raises when the value stays
 * outside {@code [min, max]} for the {@code raise} trigger and clears when it stays inside the clearing band
 * {@code [min + hysteresis, max - hysteresis]} for the {@code clear} trigger. Either bound may be absent,
 * not both.
 *
 * <p>Event time only: an observation whose event time is older than the last one applied to this check is
 * ignored (outcome {@link Outcome#NONE}, state unchanged, nothing logged), so a late or replayed reading can
 * neither extend nor break a run. Equal event times are applied. An observation without the metric is not
 * applicable and leaves the state unchanged.
 *
 * @param metric the metric name, e.g. {@code supply_temp_c}
 * @param min lower bound (inclusive), or {@code null}
 * @param max upper bound (inclusive), or {@code null}
 * @param raise when a breach run raises the check
 * @param clear when a run back inside the clearing band clears it
 * @param hysteresis margin inside the bounds a value must reach to count towards clearing ({@code >= 0})
 */
public record Envelope(String metric, Double min, Double max, Trigger raise, Trigger clear, double hysteresis)
    implements MetricRule {

  public static final String TYPE = "envelope";

  public Envelope {
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(raise, "raise");
    Objects.requireNonNull(clear, "clear");
    Require.that(!metric.isBlank(), "metric", "must not be blank");
    Require.that(min != null || max != null, "min", "an envelope needs min and/or max");
    if (min != null) {
      Require.finite("min", min);
    }
    if (max != null) {
      Require.finite("max", max);
    }
    Require.notNegative("hysteresis", hysteresis);
    if (min != null && max != null) {
      Require.that(min <= max, "max", "must not be below min " + min + ", got " + max);
      Require.that(min + hysteresis <= max - hysteresis, "hysteresis", hysteresis + " leaves an empty clearing band"
          + " inside [" + min + ", " + max + "]; the check could never clear");
    }
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** Whether {@code value} lies outside the envelope. */
  public boolean breaches(double value) {
    return (min != null && value < min) || (max != null && value > max);
  }

  /** Whether {@code value} lies inside the clearing band (the envelope narrowed by the hysteresis). */
  public boolean insideClearingBand(double value) {
    return (min == null || value >= min + hysteresis) && (max == null || value <= max - hysteresis);
  }

  @Override
  public Evaluation apply(CheckState state, double value, Instant at) {
    return state.getActive() ? whileRaised(state, value, at) : whileClear(state, value, at);
  }

  private Evaluation whileClear(CheckState state, double value, Instant at) {
    state.setOkCount(0);
    state.setOkSince(null);
    if (!breaches(value)) {
      state.setBreachCount(0);
      state.setBreachSince(null);
      return new Evaluation(state, Outcome.NONE, value, "");
    }
    int count = state.getBreachCount() + 1;
    Instant since = state.getBreachSince() == null ? at : state.getBreachSince();
    Duration elapsed = Duration.between(since, at);
    if (raise.isMet(count, elapsed)) {
      state.setActive(true);
      state.setBreachCount(0);
      state.setBreachSince(null);
      return new Evaluation(state, Outcome.RAISED, value,
          metric + " " + format(value) + " " + breachText() + " " + runText(count, elapsed));
    }
    state.setBreachCount(count);
    state.setBreachSince(since);
    return new Evaluation(state, Outcome.PENDING, value,
        metric + " " + format(value) + " " + breachText() + ", " + count + " reading(s) so far");
  }

  private Evaluation whileRaised(CheckState state, double value, Instant at) {
    state.setBreachCount(0);
    state.setBreachSince(null);
    if (!insideClearingBand(value)) {
      state.setOkCount(0);
      state.setOkSince(null);
      return new Evaluation(state, Outcome.HOLD, value, metric + " " + format(value) + " " + breachText());
    }
    int count = state.getOkCount() + 1;
    Instant since = state.getOkSince() == null ? at : state.getOkSince();
    Duration elapsed = Duration.between(since, at);
    if (clear.isMet(count, elapsed)) {
      state.setActive(false);
      state.setOkCount(0);
      state.setOkSince(null);
      return new Evaluation(state, Outcome.CLEARED, value,
          metric + " " + format(value) + " back inside " + bandText() + " " + runText(count, elapsed));
    }
    state.setOkCount(count);
    state.setOkSince(since);
    return new Evaluation(state, Outcome.HOLD, value,
        metric + " " + format(value) + " inside " + bandText() + ", " + count + " reading(s) so far");
  }

  private String breachText() {
    if (min != null && max != null) {
      return "outside [" + format(min) + ", " + format(max) + "]";
    }
    return min != null ? "below minimum " + format(min) : "above maximum " + format(max);
  }

  private String bandText() {
    String low = min == null ? "-inf" : format(min + hysteresis);
    String high = max == null ? "+inf" : format(max - hysteresis);
    return "[" + low + ", " + high + "]";
  }

  private static String runText(int count, Duration elapsed) {
    String readings = count == 1 ? "1 reading" : count + " consecutive readings";
    return elapsed.isZero() ? "for " + readings : "for " + readings + " over " + elapsed.toMillis() / 1000.0 + "s";
  }

  private static String format(double value) {
    return String.valueOf(value);
  }

  /** Reads the {@code rule:} fields of a policy file; errors name the file, line and field. */
  static Envelope read(YamlMap rule) {
    rule.allowOnly("type", "metric", "min", "max", "raise", "clear", "hysteresis");
    Double hysteresis = rule.optionalNumber("hysteresis");
    return new Envelope(rule.identifier("metric"), rule.optionalNumber("min"), rule.optionalNumber("max"),
        Trigger.read(rule.requiredMapping("raise")), Trigger.read(rule.requiredMapping("clear")),
        hysteresis == null ? 0.0 : hysteresis);
  }
}
