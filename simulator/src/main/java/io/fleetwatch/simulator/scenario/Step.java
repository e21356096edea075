package io.fleetwatch.simulator.scenario;

import java.time.Duration;
import java.util.Objects;

/**
 * One timed action of a scenario: {@code action} on target {@code target} from {@code at} (offset inside each
 * occurrence of the schedule) for {@code duration}. A null duration means: durable actions (force, ramp, freeze,
 * silence, skew, state) last until the simulator stops; discrete ones (events, replay) happen at once.
 *
 * @param id optional step id (expectations may name it as the fault injection)
 * @param at offset inside the occurrence
 * @param duration how long, or null (see above)
 * @param target name of the scenario target
 * @param action what happens
 * @param line line of the step in its file
 */
public record Step(String id, Duration at, Duration duration, String target, Action action, int line) {
  public Step {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(action, "action");
  }

  /** Whether the step has no end (a durable action without a duration). */
  public boolean open() {
    return duration == null && action.durable();
  }

  /** Offset inside the occurrence at which the step is over (for open steps: its start). */
  public Duration end() {
    return duration == null ? at : at.plus(duration);
  }
}
