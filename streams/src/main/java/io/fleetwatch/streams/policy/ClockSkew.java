package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.CheckState;
import io.fleetwatch.schemas.yaml.YamlMap;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * Clock skew (YAML {@code type: clock-skew}): {@code |device ts - gateway receivedAt| > maxSkew}. Every message is
 * a measurement, evaluated in arrival order (a late message is not ignored: its skew is as real as any other);
 * messages without a receive time are not applicable. Raises and clears with the triggers, which also absorb a
 * single store-and-forward message whose device time is legitimately old.
 *
 * @param maxSkew largest acceptable difference
 * @param raise when skewed messages raise the check
 * @param clear when in-sync messages clear it
 */
public record ClockSkew(Duration maxSkew, Trigger raise, Trigger clear) implements Rule {
  public static final String TYPE = "clock-skew";

  public ClockSkew {
    Require.notNegative("maxSkew", maxSkew);
    Objects.requireNonNull(raise, "raise");
    Objects.requireNonNull(clear, "clear");
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Set<Channel> channels() {
    return Channel.DEVICE;
  }

  @Override
  public Evaluation evaluate(CheckState previous, Observation observation) {
    Instant received = observation.receivedAt();
    if (received == null) {
      return Evaluation.unchanged(previous);
    }
    Instant at = observation.eventTime();
    Duration skew = Duration.between(received, at);
    CheckState state = CheckStates.copyOrFresh(previous, TYPE, at);
    if (at.isAfter(state.getLastEventTime())) {
      state.setLastEventTime(at);
    }
    double seconds = CheckStates.seconds(skew);
    // not skew.abs(): Duration negates through BigDecimal, and a device clock is usually a little behind
    Duration size = skew.isNegative() ? Duration.between(at, received) : skew;
    return CheckStates.debounce(state, size.compareTo(maxSkew) > 0, received, raise, clear, seconds, null,
        () -> text(skew, seconds) + ", above " + maxSkew, () -> text(skew, seconds) + ", within " + maxSkew);
  }

  private static String text(Duration skew, double seconds) {
    return "device clock " + (skew.isNegative() ? "behind" : "ahead") + " by " + Math.abs(seconds) + "s";
  }

  /** Reads the {@code rule:} fields of a policy file; errors name the file, line and field. */
  static ClockSkew read(YamlMap rule) {
    rule.allowOnly("type", "maxSkew", "raise", "clear");
    return new ClockSkew(rule.duration("maxSkew"), Trigger.optional(rule, "raise"), Trigger.optional(rule, "clear"));
  }
}
