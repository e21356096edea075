package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.CheckState;
import io.fleetwatch.schemas.yaml.YamlMap;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Out of support period (YAML {@code type: support-ended}): the event time of a state report is on or after the
 * end of the support period of the reported model (dates in UTC). The end comes from the registry's model catalogue
 * ({@code supportEndsOn} of the reported model, topic {@code fleet.models}); the policy's {@code supportEnds} is
 * only a fallback for models the registry gives no end (registry wins). A model with no end anywhere is not
 * applicable. Raises on the first such report, clears when a report shows a supported model; late reports are
 * ignored. A registry change applies from the next report on.
 *
 * @param supportEnds fallback: model to the first day it is no longer supported (may be empty)
 */
public record SupportEnded(Map<String, LocalDate> supportEnds) implements Rule {
  public static final String TYPE = "support-ended";
  private static final Trigger IMMEDIATELY = Trigger.afterConsecutive(1);

  public SupportEnded {
    supportEnds = Map.copyOf(Objects.requireNonNull(supportEnds, "supportEnds"));
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
    LocalDate registered = observation.model() == null ? null : observation.model().getSupportEndsOn();
    LocalDate end = registered != null ? registered : model == null ? null : supportEnds.get(model);
    if (end == null || CheckStates.isLate(previous, at)) {
      return Evaluation.unchanged(previous);
    }
    CheckState state = CheckStates.copyOrFresh(previous, TYPE, at);
    state.setLastEventTime(at);
    boolean ended = !at.isBefore(end.atStartOfDay(ZoneOffset.UTC).toInstant());
    return CheckStates.debounce(state, ended, at, IMMEDIATELY, IMMEDIATELY, null, model,
        () -> "model " + model + " out of support since " + end, () -> "model " + model + " supported until " + end);
  }

  /** Reads the {@code rule:} fields of a policy file; errors name the file, line and field. */
  static SupportEnded read(YamlMap rule) {
    rule.allowOnly("type", "supportEnds");
    Map<String, LocalDate> ends = new LinkedHashMap<>();
    Map<String, String> texts = rule.textMap("supportEnds");
    texts.forEach((model, text) -> {
      try {
        ends.put(model, LocalDate.parse(text));
      } catch (DateTimeParseException e) {
        throw rule.error("supportEnds", "model " + model + ": expected a date such as 2027-03-31, got '" + text + "'");
      }
    });
    return new SupportEnded(ends);
  }
}
