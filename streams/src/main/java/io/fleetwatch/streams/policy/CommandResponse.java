package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.CheckState;
import io.fleetwatch.schemas.yaml.YamlMap;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Command/feedback mismatch (YAML {@code type: command-response}): after an event of type {@code command} with a
 * numeric attribute {@code setpointAttribute} (and, when present, attribute {@code metric} naming this rule's
 * metric), the measured {@code metric} must come within {@code tolerance} of the setpoint no later than
 * {@code settle} of event time after the command. A reading past the settle time that is still off raises; a
 * reading within tolerance satisfies the command (and clears a raised check). A newer command replaces the
 * pending one; readings older than the command do not count.
 *
 * @param command event type of commands
 * @param setpointAttribute attribute carrying the commanded value
 * @param metric the measured response
 * @param tolerance how close counts as reached
 * @param settle time allowed to reach it
 */
public record CommandResponse(String command, String setpointAttribute, String metric, double tolerance,
    Duration settle) implements Rule {
  public static final String TYPE = "command-response";

  public CommandResponse {
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(setpointAttribute, "setpointAttribute");
    Objects.requireNonNull(metric, "metric");
    Require.notNegative("tolerance", tolerance);
    Require.notNegative("settle", settle);
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Set<String> metrics() {
    return Set.of(metric);
  }

  @Override
  public Set<Channel> channels() {
    return EnumSet.of(Channel.TELEMETRY, Channel.EVENT);
  }

  @Override
  public Evaluation evaluate(CheckState previous, Observation o) {
    Instant at = o.eventTime();
    if (o.isEvent(command)) {
      return commanded(previous, o, at);
    }
    Double value = o.metricOrNull(metric);
    if (value == null || value.isNaN() || previous == null || previous.getArmedAt() == null
        || previous.getLow() == null || at.isBefore(previous.getArmedAt())) {
      return Evaluation.unchanged(previous);
    }
    CheckState state = CheckStates.copy(previous);
    if (at.isAfter(state.getLastEventTime())) {
      state.setLastEventTime(at);
    }
    double setpoint = state.getLow();
    Duration elapsed = Duration.between(state.getArmedAt(), at);
    String text = metric + " " + value + " vs setpoint " + setpoint + " " + CheckStates.seconds(elapsed)
        + "s after the command";
    if (Math.abs(value - setpoint) <= tolerance) {
      state.setArmedAt(null);
      if (state.getActive()) {
        state.setActive(false);
        return new Evaluation(state, Outcome.CLEARED, value, null, text + ": reached");
      }
      return new Evaluation(state, Outcome.NONE, value, null, "");
    }
    if (elapsed.compareTo(settle) > 0 && !state.getActive()) {
      state.setActive(true);
      return new Evaluation(state, Outcome.RAISED, value, null,
          text + ": not within " + tolerance + " after the settle time " + settle);
    }
    return new Evaluation(state, state.getActive() ? Outcome.HOLD : Outcome.PENDING, value, null, text);
  }

  private Evaluation commanded(CheckState previous, Observation o, Instant at) {
    String named = o.attributes().get("metric");
    String text = o.attributes().get(setpointAttribute);
    if ((named != null && !named.equals(metric)) || text == null) {
      return Evaluation.unchanged(previous);
    }
    double setpoint;
    try {
      setpoint = Double.parseDouble(text.strip());
    } catch (NumberFormatException e) {
      return Evaluation.unchanged(previous);
    }
    if (previous != null && previous.getArmedAt() != null && at.isBefore(previous.getArmedAt())) {
      return Evaluation.unchanged(previous); // an older command than the pending one
    }
    CheckState state = CheckStates.copyOrFresh(previous, TYPE, at);
    state.setArmedAt(at);
    state.setLow(setpoint);
    if (at.isAfter(state.getLastEventTime())) {
      state.setLastEventTime(at);
    }
    return new Evaluation(state, state.getActive() ? Outcome.HOLD : Outcome.PENDING, setpoint, null,
        command + " " + metric + " to " + setpoint);
  }

  /** Reads the {@code rule:} fields of a policy file; errors name the file, line and field. */
  static CommandResponse read(YamlMap rule) {
    rule.allowOnly("type", "command", "setpointAttribute", "metric", "tolerance", "settle");
    return new CommandResponse(rule.identifier("command"), rule.identifier("setpointAttribute"),
        rule.identifier("metric"), rule.requiredNumber("tolerance"), rule.duration("settle"));
  }
}
