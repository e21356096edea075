package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.CheckState;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Firmware below minimum (YAML {@code type: version-below}): the reported firmware version (see {@link Version})
 * is lower than the minimum for the reported model ({@code minimums}), or {@code otherwise} for models not
 * listed (none: not applicable). Raises on the first such report and clears on the first report at or above the
 * minimum; late reports are ignored.
 *
 * @param minimums model to minimum version
 * @param otherwise minimum for other models, or {@code null}
 */
public record VersionBelow(Map<String, Version> minimums, Version otherwise) implements Rule {
  public static final String TYPE = "version-below";
  private static final Trigger IMMEDIATELY = Trigger.afterConsecutive(1);

  public VersionBelow {
    minimums = Map.copyOf(minimums);
    if (minimums.isEmpty() && otherwise == null) {
      throw new IllegalArgumentException("version-below needs minimums and/or otherwise");
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
    if (observation.reported() == null || observation.reported().getFirmware() == null
        || CheckStates.isLate(previous, at)) {
      return Evaluation.unchanged(previous);
    }
    String model = observation.reported().getModel();
    Version minimum = model == null ? otherwise : minimums.getOrDefault(model, otherwise);
    if (minimum == null) {
      return Evaluation.unchanged(previous);
    }
    String firmware = observation.reported().getFirmware();
    boolean below;
    try {
      below = Version.parse(firmware).compareTo(minimum) < 0;
    } catch (IllegalArgumentException e) {
      below = true; // an unparseable version cannot prove it is patched
    }
    CheckState state = CheckStates.copyOrFresh(previous, TYPE, at);
    state.setLastEventTime(at);
    String text = "firmware " + firmware + " of model " + model;
    return CheckStates.debounce(state, below, at, IMMEDIATELY, IMMEDIATELY, null, firmware,
        text + " below the minimum " + minimum, text + " at or above the minimum " + minimum);
  }
}
