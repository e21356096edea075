package io.fleetwatch.streams.policy;

import io.fleetwatch.schemas.yaml.YamlMap;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * When a condition counts as established: after {@code consecutive} observations in a row, and/or after it
 * has held for {@code duration} of event time (first to last observation of the run). When both are given,
 * whichever is reached first fires (the domain's "for at least N samples or at least t seconds").
 *
 * @param consecutive number of consecutive observations, or {@code null}
 * @param duration event-time span of the run, or {@code null}
 */
public record Trigger(Integer consecutive, Duration duration) {
  public Trigger {
    Require.that(consecutive != null || duration != null, "", "a trigger needs consecutive and/or duration");
    if (consecutive != null) {
      Require.atLeast("consecutive", consecutive, 1, "");
    }
    if (duration != null) {
      Require.notNegative("duration", duration);
    }
  }

  public static Trigger afterConsecutive(int n) {
    return new Trigger(n, null);
  }

  public static Trigger afterDuration(Duration duration) {
    return new Trigger(null, Objects.requireNonNull(duration, "duration"));
  }

  /**
   * Whether a run of {@code count} observations spanning {@code elapsed} of event time fires the trigger.
   * A duration-only trigger needs at least two observations unless the duration is zero.
   */
  public boolean isMet(int count, Duration elapsed) {
    if (consecutive != null && count >= consecutive) {
      return true;
    }
    return duration != null && elapsed.compareTo(duration) >= 0;
  }

  public OptionalInt consecutiveCount() {
    return consecutive == null ? OptionalInt.empty() : OptionalInt.of(consecutive);
  }

  /** Reads a trigger ({@code consecutive} and/or {@code duration}) of a policy file. */
  static Trigger read(YamlMap trigger) {
    trigger.allowOnly("consecutive", "duration");
    Integer consecutive = trigger.has("consecutive") ? trigger.requiredInt("consecutive") : null;
    Duration duration = trigger.optionalDuration("duration", null);
    return InvalidFieldException.reportedAt(trigger, () -> new Trigger(consecutive, duration));
  }

  /** The trigger at {@code key} of a rule's fields; the first matching observation when absent. */
  static Trigger optional(YamlMap rule, String key) {
    return rule.has(key) ? read(rule.requiredMapping(key)) : afterConsecutive(1);
  }
}
