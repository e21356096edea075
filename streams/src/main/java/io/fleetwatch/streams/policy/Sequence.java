package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.CheckState;
import io.fleetwatch.schemas.yaml.YamlMap;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Sequence over two signals on one device (YAML {@code type: sequence}): the {@code first} signal arms the check
 * (e.g. interlock open, a security violation), {@code disarm} disarms it (interlock closed); a {@code then}
 * signal while armed, at or after the arming event time and, with {@code within}, no later than that after it,
 * raises the check (command ON while the interlock is open; a safety violation within 30 minutes after a
 * security change, FLT-04). {@code clear} clears a raised check; without {@code clear}, {@code disarm} does.
 * With {@code armedInitially} the check starts armed (e.g. tamper outside a maintenance window: armed unless the
 * device reports maintenance mode). With {@code exceptMaintenanceWindows}, a {@code then} whose event time falls in
 * a scheduled maintenance window of the device's asset (registry {@code maintenanceWindows:}, see
 * {@link RegistrySchedules#inMaintenanceWindow}) does not raise either.
 *
 * <p>Event time decides: a {@code then} older than the arming signal does not raise, a late {@code first} does
 * not raise retroactively for an earlier {@code then}, a late {@code disarm} older than the arming is ignored.
 * A new {@code first} while armed re-arms at the newer time (the latest security change starts the window).
 *
 * @param first the arming signal
 * @param then the signal that raises while armed
 * @param within longest time from arming to {@code then}, or {@code null} (while armed)
 * @param disarm the disarming signal, or {@code null}
 * @param clear the clearing signal, or {@code null} (then {@code disarm} clears)
 * @param armedInitially whether a device with no history counts as armed
 * @param exceptMaintenanceWindows whether a {@code then} in a scheduled maintenance window of the asset is ignored
 */
public record Sequence(SignalMatch first, SignalMatch then, Duration within, SignalMatch disarm, SignalMatch clear,
    boolean armedInitially, boolean exceptMaintenanceWindows) implements Rule {
  public static final String TYPE = "sequence";

  public Sequence {
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(then, "then");
    if (within != null) {
      Require.notNegative("within", within);
    }
    Require.that(disarm != null || clear != null, "clear",
        "a sequence needs disarm and/or clear, or it could never clear");
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Set<Channel> channels() {
    Set<Channel> channels = EnumSet.noneOf(Channel.class);
    channels.addAll(first.channels());
    channels.addAll(then.channels());
    if (disarm != null) {
      channels.addAll(disarm.channels());
    }
    if (clear != null) {
      channels.addAll(clear.channels());
    }
    return channels;
  }

  @Override
  public Evaluation evaluate(CheckState previous, Observation o) {
    boolean isFirst = first.matches(o);
    boolean isThen = then.matches(o);
    boolean isDisarm = disarm != null && disarm.matches(o);
    boolean isClear = clear != null && clear.matches(o);
    if (!(isFirst || isThen || isDisarm || isClear)) {
      return Evaluation.unchanged(previous);
    }
    Instant at = o.eventTime();
    CheckState state = previous;
    if (state == null) {
      state = CheckStates.fresh(TYPE, at);
      state.setLastEventTime(Instant.EPOCH);
      state.setArmedAt(armedInitially ? Instant.EPOCH : null);
    } else {
      state = CheckStates.copy(previous);
    }
    if (at.isAfter(state.getLastEventTime())) {
      state.setLastEventTime(at);
    }
    Instant armedAt = state.getArmedAt();
    if (isClear && state.getActive()) {
      state.setActive(false);
      return new Evaluation(state, Outcome.CLEARED, null, label(o), clear.describe() + ": cleared");
    }
    if (isDisarm && (armedAt == null || !at.isBefore(armedAt))) {
      state.setArmedAt(null);
      if (clear == null && state.getActive()) {
        state.setActive(false);
        return new Evaluation(state, Outcome.CLEARED, null, label(o), disarm.describe() + ": disarmed and cleared");
      }
      return new Evaluation(state, state.getActive() ? Outcome.HOLD : Outcome.NONE, null, label(o), "disarmed");
    }
    if (isFirst) {
      if (armedAt == null || at.isAfter(armedAt)) {
        state.setArmedAt(at);
      }
      if (!isThen) {
        return new Evaluation(state, state.getActive() ? Outcome.HOLD : Outcome.PENDING, null, label(o),
            first.describe() + ": armed");
      }
      armedAt = state.getArmedAt();
    }
    if (!isThen) {
      return new Evaluation(state, state.getActive() ? Outcome.HOLD : Outcome.NONE, null, label(o), "");
    }
    boolean inWindow = armedAt != null && !at.isBefore(armedAt)
        && (within == null || Duration.between(armedAt, at).compareTo(within) <= 0);
    if (!inWindow || state.getActive()) {
      return new Evaluation(state, state.getActive() ? Outcome.HOLD : Outcome.NONE, null, label(o), "");
    }
    if (exceptMaintenanceWindows && RegistrySchedules.inMaintenanceWindow(o.asset(), at)) {
      return new Evaluation(state, Outcome.NONE, null, label(o),
          then.describe() + " in a scheduled maintenance window");
    }
    state.setActive(true);
    String since = armedAt.equals(Instant.EPOCH) ? "" : " (armed by " + first.describe() + " at " + armedAt + ")";
    return new Evaluation(state, Outcome.RAISED, null, label(o), then.describe() + since
        + (within == null ? "" : ", within " + within));
  }

  private static String label(Observation o) {
    return switch (o.channel()) {
      case EVENT -> o.eventType() + (o.attributes().isEmpty() ? "" : " " + o.attributes());
      case VIOLATION -> o.violation().policyId() + (o.violation().raised() ? " raised" : " cleared");
      case STATE -> "state " + o.reported().getMode();
      case TELEMETRY -> "telemetry";
    };
  }

  /** Reads the {@code rule:} fields of a policy file; errors name the file, line and field. */
  static Sequence read(YamlMap rule) {
    rule.allowOnly("type", "first", "then", "within", "disarm", "clear", "armedInitially", "exceptMaintenanceWindows");
    return new Sequence(SignalMatch.read(rule.requiredMapping("first")), SignalMatch.read(rule.requiredMapping("then")),
        rule.optionalDuration("within", null), SignalMatch.optional(rule, "disarm"),
        SignalMatch.optional(rule, "clear"),
        rule.optionalBoolean("armedInitially", false), rule.optionalBoolean("exceptMaintenanceWindows", false));
  }
}
