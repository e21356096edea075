package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.CheckState;
import io.fleetwatch.avro.Sample;
import io.fleetwatch.schemas.yaml.YamlMap;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Windowed event count per device (YAML {@code type: count}): the check raises when at least {@code threshold}
 * observations matching {@code signal} (or, with {@code distinct}, that many distinct values of that event
 * attribute, e.g. auth_failure sources) fall inside the sliding event-time window ending at the latest
 * observation of the device, and clears when the count drops below the threshold.
 *
 * <p>Every message of the device advances the window, so a burst clears once it has aged out even when no
 * further matching event comes. Late matching events are counted by their own event time as long as they are
 * still inside the window. State: at most {@code threshold} samples (the newest), which is all the condition
 * needs.
 *
 * @param signal what is counted
 * @param window the sliding window
 * @param threshold the count that raises ({@code >= 1})
 * @param distinct event attribute whose distinct values are counted, or {@code null} to count events
 */
public record WindowedCount(SignalMatch signal, Duration window, int threshold, String distinct) implements Rule {
  public static final String TYPE = "count";
  private static final String MISSING_KEY = "(none)";

  public WindowedCount {
    Objects.requireNonNull(signal, "signal");
    Require.positive("window", window);
    Require.atLeast("threshold", threshold, 1, "");
    Require.that(distinct == null || signal instanceof SignalMatch.Event, "distinct",
        "distinct attribute values can only be counted for an event signal");
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
    Instant at = observation.eventTime();
    boolean matches = signal.matches(observation);
    if (!matches && previous == null) {
      return Evaluation.unchanged(null);
    }
    Instant latest = previous == null || at.isAfter(previous.getLastEventTime()) ? at : previous.getLastEventTime();
    Instant horizon = latest.minus(window);
    if (!matches) {
      List<Sample> kept = previous.getSamples();
      boolean nothingExpires = kept.isEmpty() || kept.get(0).getAt().isAfter(horizon);
      if (nothingExpires) {
        return Evaluation.unchanged(previous); // the common case: allocation-free
      }
    }
    CheckState state = CheckStates.copyOrFresh(previous, TYPE, at);
    state.setLastEventTime(latest);
    List<Sample> samples = new ArrayList<>(state.getSamples().size() + 1);
    for (Sample s : state.getSamples()) {
      if (s.getAt().isAfter(horizon)) {
        samples.add(s);
      }
    }
    String key = null;
    if (matches && at.isAfter(horizon)) {
      if (distinct != null) {
        String value = observation.attributes().get(distinct);
        key = value == null ? MISSING_KEY : value;
        String k = key;
        samples.removeIf(s -> k.equals(s.getKey()) && !s.getAt().isAfter(at));
        if (samples.stream().anyMatch(s -> k.equals(s.getKey()))) {
          key = null; // a newer sample of this key is already counted
        }
      }
      if (distinct == null || key != null) {
        int i = samples.size();
        while (i > 0 && samples.get(i - 1).getAt().isAfter(at)) {
          i--; // late: insert in event-time order
        }
        samples.add(i, new Sample(at, 1.0, key));
      }
    }
    while (samples.size() > threshold) {
      samples.remove(0);
    }
    state.setSamples(samples);
    int count = samples.size();
    Supplier<String> text = () -> count + " "
        + (distinct == null ? signal.describe() : "distinct " + distinct + " of " + signal.describe())
        + " within " + window;
    if (count >= threshold && !state.getActive()) {
      state.setActive(true);
      return new Evaluation(state, Outcome.RAISED, (double) count, key,
          () -> text.get() + " (threshold " + threshold + ")");
    }
    if (count < threshold && state.getActive()) {
      state.setActive(false);
      return new Evaluation(state, Outcome.CLEARED, (double) count, key,
          () -> text.get() + ", below " + threshold + " again");
    }
    Outcome outcome = state.getActive() ? Outcome.HOLD : count > 0 ? Outcome.PENDING : Outcome.NONE;
    return new Evaluation(state, outcome, matches ? (double) count : null, key, matches ? text : () -> "");
  }

  /** Reads the {@code rule:} fields of a policy file; errors name the file, line and field. */
  static WindowedCount read(YamlMap rule) {
    rule.allowOnly("type", "signal", "window", "threshold", "distinct");
    return new WindowedCount(SignalMatch.read(rule.requiredMapping("signal")), rule.duration("window"),
        rule.requiredInt("threshold"), rule.optionalIdentifier("distinct"));
  }
}
