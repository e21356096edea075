package io.fleetwatch.simulator.scenario;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The generic primitives scenarios are made of, so a new scenario is a data file, not code. Each record is
 * one key of a step in the scenario file ({@code force:}, {@code ramp:}, ...).
 */
public sealed interface Action permits Action.Force, Action.Ramp, Action.Freeze, Action.Events, Action.ReportState,
    Action.Silence, Action.Replay, Action.Skew {

  /** Whether the action holds for a while (true) or happens at instants (false). */
  boolean durable();

  /** The metric a telemetry action changes, or null. */
  default String metric() {
    return null;
  }

  /** Reports {@code value} (plus Gaussian noise of standard deviation {@code noise}) instead of the reading. */
  record Force(String metric, double value, double noise) implements Action {
    public Force {
      Objects.requireNonNull(metric, "metric");
    }

    @Override
    public boolean durable() {
      return true;
    }
  }

  /** Moves the reading linearly from {@code from} (null: the normal reading) to {@code to} over the step. */
  record Ramp(String metric, Double from, double to) implements Action {
    public Ramp {
      Objects.requireNonNull(metric, "metric");
    }

    @Override
    public boolean durable() {
      return true;
    }
  }

  /** Repeats the first reading of the step unchanged: a stuck sensor. */
  record Freeze(String metric) implements Action {
    public Freeze {
      Objects.requireNonNull(metric, "metric");
    }

    @Override
    public boolean durable() {
      return true;
    }
  }

  /**
   * Emits {@code count} events of {@code type} per target device, spread evenly over the step (all at once
   * without a duration). In attribute values, {@code {n}} becomes the event's index (0, 1, ...) in the occurrence.
   */
  record Events(String type, Map<String, String> attributes, int count) implements Action {
    public Events {
      Objects.requireNonNull(type, "type");
      attributes = Map.copyOf(attributes);
      if (count < 1) {
        throw new IllegalArgumentException("count must be >= 1");
      }
    }

    @Override
    public boolean durable() {
      return false;
    }
  }

  /** Reports changed state fields (published at once, and in every periodic state report while active). */
  record ReportState(StateChange change) implements Action {
    public ReportState {
      Objects.requireNonNull(change, "change");
    }

    @Override
    public boolean durable() {
      return true;
    }
  }

  /** The target publishes nothing on any channel. */
  record Silence() implements Action {
    @Override
    public boolean durable() {
      return true;
    }
  }

  /** Publishes the target's last {@code count} telemetry messages again, byte for byte (old ts and seq). */
  record Replay(int count) implements Action {
    public Replay {
      if (count < 1) {
        throw new IllegalArgumentException("count must be >= 1");
      }
    }

    @Override
    public boolean durable() {
      return false;
    }
  }

  /** The target's clock runs {@code offset} off: every {@code ts} it publishes is shifted. */
  record Skew(Duration offset) implements Action {
    public Skew {
      Objects.requireNonNull(offset, "offset");
    }

    @Override
    public boolean durable() {
      return true;
    }
  }

  /** All actions' keys in scenario files. */
  List<String> KEYS = List.of("force", "ramp", "freeze", "events", "state", "silence", "replay", "skew");
}
