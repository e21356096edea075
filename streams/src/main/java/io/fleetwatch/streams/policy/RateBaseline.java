package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.CheckState;
import io.fleetwatch.schemas.yaml.YamlMap;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * Message rate above the device's own learned baseline (YAML {@code type: rate-baseline}): every message of the
 * device is counted into fixed event-time buckets ({@code bucket}, e.g. one minute); each completed bucket teaches
 * an exponentially weighted moving average of the count ({@code smoothing} = weight of the newest bucket; buckets
 * without a message count as zero). Once {@code warmup} buckets have been learned, the check raises as soon as the
 * count of the current bucket exceeds {@code factor × baseline} and at least {@code floor} messages, and clears when
 * a bucket completes within that limit (or a bucket passes without any message). Buckets above the limit are not
 * learned, so a flood does not teach itself as normal.
 *
 * <p>Device time only. A late message of an already completed bucket is not counted (its bucket's count is
 * learned already); messages are never counted twice. State: the current bucket's start ({@code armedAt}) and
 * count ({@code breachCount}), the baseline ({@code low}) and the number of buckets learned ({@code okCount}).
 *
 * @param bucket the counting interval
 * @param warmup completed buckets to learn before the baseline is trusted ({@code >= 1})
 * @param smoothing EWMA weight of the newest bucket, in (0, 1]
 * @param factor how many times the baseline a bucket may reach ({@code > 1})
 * @param floor the least count that raises, whatever the baseline ({@code >= 1})
 */
public record RateBaseline(Duration bucket, int warmup, double smoothing, double factor, int floor) implements Rule {
  public static final String TYPE = "rate-baseline";

  public RateBaseline {
    Require.positive("bucket", bucket);
    Require.atLeast("warmup", warmup, 1, "completed bucket");
    Require.that(smoothing > 0 && smoothing <= 1, "smoothing",
        "must be in (0, 1] (weight of the newest bucket), got " + smoothing);
    Require.that(factor > 1, "factor", "must be > 1 (times the learned baseline), got " + factor);
    Require.atLeast("floor", floor, 1, "message per bucket");
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Set<Channel> channels() {
    return Channel.DEVICE;
  }

  /** The count a bucket may reach with this baseline. */
  public double limit(double baseline) {
    return Math.max(factor * baseline, floor);
  }

  @Override
  public Evaluation evaluate(CheckState previous, Observation observation) {
    Instant at = observation.eventTime();
    long size = bucket.toMillis();
    Instant start = Instant.ofEpochMilli(Math.floorDiv(at.toEpochMilli(), size) * size);
    if (previous == null || previous.getArmedAt() == null) {
      CheckState state = CheckStates.copyOrFresh(previous, TYPE, at);
      state.setArmedAt(start);
      state.setBreachCount(1);
      return new Evaluation(state, Outcome.NONE, null, "");
    }
    Instant current = previous.getArmedAt();
    if (start.isBefore(current)) {
      return Evaluation.unchanged(previous); // late: its bucket is complete and learned
    }
    CheckState state = CheckStates.copyOrFresh(previous, TYPE, at);
    if (at.isAfter(state.getLastEventTime())) {
      state.setLastEventTime(at);
    }
    Outcome closing = Outcome.NONE;
    String closingText = "";
    if (start.isAfter(current)) {
      long empty = Duration.between(current, start).toMillis() / size - 1;
      closingText = complete(state, state.getBreachCount(), empty);
      if (state.getActive() && closingText.isEmpty()) {
        state.setActive(false);
        closing = Outcome.CLEARED;
      }
      state.setArmedAt(start);
      state.setBreachCount(0);
    }
    int count = state.getBreachCount() + 1;
    state.setBreachCount(count);
    if (closing == Outcome.CLEARED) {
      return new Evaluation(state, Outcome.CLEARED, (double) count, "rate back within "
          + describeLimit(state) + " per " + bucket);
    }
    if (!warm(state) || count <= limit(state.getLow())) {
      return new Evaluation(state, state.getActive() ? Outcome.HOLD : Outcome.NONE, null, closingText);
    }
    if (state.getActive()) {
      return new Evaluation(state, Outcome.HOLD, (double) count, closingText);
    }
    state.setActive(true);
    return new Evaluation(state, Outcome.RAISED, (double) count, count + " messages in the " + bucket
        + " from " + start + ", above " + describeLimit(state) + " (learned baseline "
        + Math.round(state.getLow() * 100) / 100.0 + " over " + state.getOkCount() + " buckets)");
  }

  /**
   * Learns a completed bucket of {@code count} messages followed by {@code empty} buckets without any.
   *
   * @return empty when the completed bucket was within the limit (or the baseline is still warming up), else why not
   */
  private String complete(CheckState state, int count, long empty) {
    boolean above = warm(state) && count > limit(state.getLow());
    if (!above) {
      learn(state, count);
    }
    if (empty > 0) {
      // Zero-count buckets: the average decays by (1 - smoothing) per bucket, learned in closed form.
      double baseline = state.getLow() == null ? 0.0 : state.getLow() * Math.pow(1 - smoothing, empty);
      state.setLow(baseline);
      state.setOkCount((int) Math.min(Integer.MAX_VALUE, state.getOkCount() + empty));
      return "";
    }
    return above ? "completed bucket of " + count + " messages stayed above " + describeLimit(state) : "";
  }

  private void learn(CheckState state, int count) {
    Double baseline = state.getLow();
    state.setLow(baseline == null ? count : smoothing * count + (1 - smoothing) * baseline);
    state.setOkCount(state.getOkCount() == Integer.MAX_VALUE ? Integer.MAX_VALUE : state.getOkCount() + 1);
  }

  private boolean warm(CheckState state) {
    return state.getLow() != null && state.getOkCount() >= warmup;
  }

  private String describeLimit(CheckState state) {
    double baseline = state.getLow() == null ? 0.0 : state.getLow();
    return "max(" + factor + " x " + Math.round(baseline * 100) / 100.0 + ", " + floor + ")";
  }

  /** Reads the {@code rule:} fields of a policy file; errors name the file, line and field. */
  static RateBaseline read(YamlMap rule) {
    rule.allowOnly("type", "bucket", "warmup", "smoothing", "factor", "floor");
    return new RateBaseline(rule.duration("bucket"), rule.requiredInt("warmup"), rule.requiredNumber("smoothing"),
        rule.requiredNumber("factor"), rule.requiredInt("floor"));
  }
}
