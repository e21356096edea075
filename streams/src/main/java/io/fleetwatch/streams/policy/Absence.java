package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.CheckState;
import io.fleetwatch.schemas.yaml.YamlMap;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * Heartbeat loss (YAML {@code type: absence}): the device has been silent for more than
 * {@code missedIntervals × expectedInterval}. Silence is a matter of <em>wall-clock</em> time, the one place
 * where fleetwatch uses it: the topology's punctuator calls {@link #evaluateSilence} periodically with the
 * current wall-clock time and the gateway receive time of the device's latest message (both wall clock, so
 * device clock skew cannot hide or fake a silence). Any message of the device clears a raised check
 * ({@link #evaluate}), except an {@value #OFFLINE_EVENT} event: the device (or its gateway, e.g. a Sparkplug B
 * NDEATH / DDEATH) announced that it is gone, which raises the check at once instead of waiting for the silence.
 *
 * @param expectedInterval how often the device is expected to send something
 * @param missedIntervals how many intervals may be missed before it counts as lost ({@code >= 1})
 */
public record Absence(Duration expectedInterval, int missedIntervals) implements Rule {
  public static final String TYPE = "absence";
  /** Event type announcing that a device went offline (the gateway's Sparkplug B NDEATH / DDEATH). */
  public static final String OFFLINE_EVENT = "offline";

  public Absence {
    Require.positive("expectedInterval", expectedInterval);
    Require.atLeast("missedIntervals", missedIntervals, 1, "");
  }

  /** Silence longer than this raises. */
  public Duration limit() {
    return expectedInterval.multipliedBy(missedIntervals);
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Set<Channel> channels() {
    return Channel.DEVICE;
  }

  /** A message from the device: clears the check if it was raised; an offline event raises it. */
  @Override
  public Evaluation evaluate(CheckState previous, Observation observation) {
    if (observation.isEvent(OFFLINE_EVENT)) {
      return announcedOffline(previous, observation);
    }
    if (previous == null || !previous.getActive()) {
      return Evaluation.unchanged(previous);
    }
    CheckState state = CheckStates.copyOrFresh(previous, TYPE, observation.eventTime());
    state.setActive(false);
    Instant heard = observation.receivedAt() == null ? observation.eventTime() : observation.receivedAt();
    Duration silence = Duration.between(state.getArmedAt() == null ? heard : state.getArmedAt(), heard);
    state.setArmedAt(null);
    return new Evaluation(state, Outcome.CLEARED, CheckStates.seconds(silence), null,
        "device heard again after " + CheckStates.seconds(silence) + "s of silence");
  }

  private Evaluation announcedOffline(CheckState previous, Observation observation) {
    if (previous != null && previous.getActive()) {
      return Evaluation.unchanged(previous);
    }
    Instant heard = observation.receivedAt() == null ? observation.eventTime() : observation.receivedAt();
    CheckState state = CheckStates.copyOrFresh(previous, TYPE, observation.eventTime());
    state.setActive(true);
    state.setArmedAt(heard); // the silence is counted from the announcement
    return new Evaluation(state, Outcome.RAISED, 0.0, null, "device announced it went offline"
        + (observation.attributes().isEmpty() ? "" : " " + observation.attributes()));
  }

  /**
   * Punctuator-driven evaluation.
   *
   * @param previous the check state, or {@code null}
   * @param lastHeard gateway receive time of the device's latest message
   * @param now current wall-clock time
   */
  public Evaluation evaluateSilence(CheckState previous, Instant lastHeard, Instant now) {
    Duration silence = Duration.between(lastHeard, now);
    if ((previous != null && previous.getActive()) || silence.compareTo(limit()) <= 0) {
      return Evaluation.unchanged(previous);
    }
    CheckState state = CheckStates.copyOrFresh(previous, TYPE, now);
    state.setActive(true);
    state.setArmedAt(lastHeard); // remembered to report the length of the silence when it ends
    return new Evaluation(state, Outcome.RAISED, CheckStates.seconds(silence), null,
        "no message for " + CheckStates.seconds(silence) + "s (expected every " + expectedInterval
            + ", lost after " + limit() + ")");
  }

  /** Reads the {@code rule:} fields of a policy file; errors name the file, line and field. */
  static Absence read(YamlMap rule) {
    rule.allowOnly("type", "expectedInterval", "missedIntervals");
    return new Absence(rule.duration("expectedInterval"), rule.requiredInt("missedIntervals"));
  }
}
