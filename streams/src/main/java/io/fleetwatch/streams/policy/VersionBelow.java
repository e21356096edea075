package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.CheckState;
import io.fleetwatch.schemas.yaml.YamlMap;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Firmware below minimum (YAML {@code type: version-below}): the reported firmware version (see {@link Version})
 * is lower than the minimum for the reported model. The minimum comes from the registry's model catalogue
 * ({@code minimumFirmware} of the reported model, topic {@code fleet.models}); the policy's {@code minimums} and
 * {@code otherwise} are only a fallback for models the registry gives no minimum (registry wins). A model with no
 * minimum anywhere is not applicable. Raises on the first such report and clears on the first report at or above
 * the minimum; late reports are ignored. A registry change of the minimum applies from the next report on.
 *
 * @param minimums fallback: model to minimum version (may be empty)
 * @param otherwise fallback minimum for models without any other, or {@code null}
 */
public record VersionBelow(Map<String, Version> minimums, Version otherwise) implements Rule {
  public static final String TYPE = "version-below";
  private static final Trigger IMMEDIATELY = Trigger.afterConsecutive(1);

  public VersionBelow {
    minimums = Map.copyOf(minimums);
  }

  /** No fallback: every minimum comes from the registry. */
  public static VersionBelow fromRegistry() {
    return new VersionBelow(Map.of(), null);
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
    Version minimum = minimum(model, observation);
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
    Supplier<String> text = () -> "firmware " + firmware + " of model " + model;
    return CheckStates.debounce(state, below, at, IMMEDIATELY, IMMEDIATELY, null, firmware,
        () -> text.get() + " below the minimum " + minimum, () -> text.get() + " at or above the minimum " + minimum);
  }

  /** The registry's minimum of the model when it has one (and it parses), else the policy's fallback. */
  private Version minimum(String model, Observation observation) {
    String registered = observation.model() == null ? null : observation.model().getMinimumFirmware();
    if (registered != null && !registered.isBlank()) {
      try {
        return Version.parse(registered);
      } catch (IllegalArgumentException e) {
        // the registry loader rejects such versions; an older record falls back to the policy
      }
    }
    return model == null ? otherwise : minimums.getOrDefault(model, otherwise);
  }

  /** Reads the {@code rule:} fields of a policy file; errors name the file, line and field. */
  static VersionBelow read(YamlMap rule) {
    rule.allowOnly("type", "minimums", "otherwise");
    Map<String, Version> minimums = new LinkedHashMap<>();
    rule.textMap("minimums").forEach((model, text) -> minimums.put(model, version(rule, "minimums", text)));
    Version otherwise = rule.has("otherwise") ? version(rule, "otherwise", rule.requiredText("otherwise")) : null;
    return new VersionBelow(minimums, otherwise);
  }

  private static Version version(YamlMap rule, String key, String text) {
    try {
      return Version.parse(text);
    } catch (IllegalArgumentException e) {
      throw rule.error(key, "expected a version such as 2.4.1, got '" + text + "'");
    }
  }
}
