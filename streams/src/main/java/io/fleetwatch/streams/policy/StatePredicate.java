package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.CheckState;
import io.fleetwatch.schemas.yaml.YamlMap;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Value in / not in a set (YAML {@code type: predicate}): a reported-state field (tls, securityState, mode,
 * openPorts, ...) or an event attribute violates the check when a value is in {@code in}, or is not in
 * {@code notIn} (for multi-valued fields such as open ports: when any value does). Raises and clears with the
 * triggers. Observations that do not carry the value are not applicable; late ones (older than the latest
 * applied) are ignored, so a stale report cannot overwrite a newer one.
 *
 * @param selector where the value comes from
 * @param in values that violate (exclusive with notIn)
 * @param notIn the allowlist: any other value violates
 * @param raise when violating observations raise the check
 * @param clear when compliant observations clear it
 */
public record StatePredicate(Selector selector, Set<String> in, Set<String> notIn, Trigger raise, Trigger clear)
    implements Rule {
  public static final String TYPE = "predicate";

  public StatePredicate {
    Objects.requireNonNull(selector, "selector");
    Objects.requireNonNull(raise, "raise");
    Objects.requireNonNull(clear, "clear");
    in = Set.copyOf(in);
    notIn = Set.copyOf(notIn);
    Require.that(in.isEmpty() != notIn.isEmpty(), "in",
        "give exactly one of in (values that violate) or notIn (the allowlist), with at least one value");
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Set<Channel> channels() {
    return EnumSet.of(selector.channel());
  }

  /** The first value that violates the check, or {@code null}. */
  public String violating(List<String> values) {
    for (String value : values) {
      if (in.isEmpty() ? !notIn.contains(value) : in.contains(value)) {
        return value;
      }
    }
    return null;
  }

  @Override
  public Evaluation evaluate(CheckState previous, Observation observation) {
    Instant at = observation.eventTime();
    List<String> values = selector.values(observation);
    if (values == null || CheckStates.isLate(previous, at)) {
      return Evaluation.unchanged(previous);
    }
    CheckState state = CheckStates.copyOrFresh(previous, TYPE, at);
    state.setLastEventTime(at);
    String bad = violating(values);
    String shown = String.join(",", values);
    return CheckStates.debounce(state, bad != null, at, raise, clear, null, bad != null ? bad : shown,
        () -> selector.describe() + " " + bad + " " + (in.isEmpty()
            ? "not in the allowlist " + notIn.stream().sorted().toList() : "in " + in.stream().sorted().toList()),
        () -> selector.describe() + " " + (shown.isEmpty() ? "(none)" : shown) + " compliant");
  }

  /** Reads the {@code rule:} fields of a policy file; errors name the file, line and field. */
  static StatePredicate read(YamlMap rule) {
    rule.allowOnly("type", "field", "event", "attribute", "in", "notIn", "raise", "clear");
    return new StatePredicate(Selector.read(rule), rule.textSet("in"), rule.textSet("notIn"),
        Trigger.optional(rule, "raise"), Trigger.optional(rule, "clear"));
  }
}
