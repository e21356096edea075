package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.CheckState;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Out of support period (YAML {@code type: support-ended}): the event time of a state report is on or after the
 * end of the support period of the reported model ({@code supportEnds}, dates in UTC). Models not listed are not
 * applicable. Raises on the first such report, clears when a report shows a supported model; late reports are
 * ignored.
 *
 * @param supportEnds model to the first day it is no longer supported
 */
public record SupportEnded(Map<String, LocalDate> supportEnds) implements Rule {
  public static final String TYPE = "support-ended";
  private static final Trigger IMMEDIATELY = Trigger.afterConsecutive(1);

  public SupportEnded {
    supportEnds = Map.copyOf(Objects.requireNonNull(supportEnds, "supportEnds"));
    if (supportEnds.isEmpty()) {
      throw new IllegalArgumentException("support-ended needs at least one model");
    }
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Set<Channel> channels() {
    return EnumSet.of(Channel.STATE);
  }

  @Override
  public Evaluation evaluate(CheckState previous, Observation observation) {
    Instant at = observation.eventTime();
    String model = observation.reported() == null ? null : observation.reported().getModel();
    LocalDate end = model == null ? null : supportEnds.get(model);
    if (end == null || CheckStates.isLate(previous, at)) {
      return Evaluation.unchanged(previous);
    }
    CheckState state = CheckStates.copyOrFresh(previous, TYPE, at);
    state.setLastEventTime(at);
    boolean ended = !at.isBefore(end.atStartOfDay(ZoneOffset.UTC).toInstant());
    return CheckStates.debounce(state, ended, at, IMMEDIATELY, IMMEDIATELY, null, model,
        "model " + model + " out of support since " + end, "model " + model + " supported until " + end);
  }
}
