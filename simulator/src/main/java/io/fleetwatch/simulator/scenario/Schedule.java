package io.fleetwatch.simulator.scenario;

import java.time.Duration;
import java.util.Objects;

/**
 * When a scenario's steps run: the first occurrence begins {@code start} after the simulator starts; with a
 * non-zero {@code repeat} the steps run again every {@code repeat}, {@code times} times in all (0: until the
 * simulator stops).
 *
 * @param start offset of the first occurrence
 * @param repeat period of the occurrences, or zero to run once
 * @param times number of occurrences when repeating (0 = unbounded)
 */
public record Schedule(Duration start, Duration repeat, int times) {
  /** Once, right at the start. */
  public static final Schedule ONCE_AT_START = new Schedule(Duration.ZERO, Duration.ZERO, 0);

  public Schedule {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(repeat, "repeat");
    if (start.isNegative() || repeat.isNegative() || times < 0) {
      throw new IllegalArgumentException("schedule start, repeat and times must not be negative");
    }
  }

  public boolean repeats() {
    return !repeat.isZero();
  }

  /** The same schedule starting at another offset. */
  public Schedule startingAt(Duration offset) {
    return new Schedule(offset, repeat, times);
  }
}
