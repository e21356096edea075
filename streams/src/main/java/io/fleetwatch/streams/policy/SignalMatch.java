package io.fleetwatch.streams.policy;

import io.fleetwatch.schemas.yaml.YamlMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A condition on one observation, used by windowed counts and sequence rules: an event (optionally with an
 * attribute value in / not in a set), a reported-state field value in / not in a set, a violation of given
 * policies, or any message at all.
 */
public sealed interface SignalMatch {

  /** Channels whose observations can match. */
  Set<Channel> channels();

  boolean matches(Observation observation);

  /** For messages, e.g. {@code interlock state in [open]}. */
  String describe();

  /** Whether {@code value} satisfies an in / not-in condition (both empty: any value). */
  static boolean accepts(String value, Set<String> in, Set<String> notIn) {
    if (!in.isEmpty() && !in.contains(value)) {
      return false;
    }
    return notIn.isEmpty() || !notIn.contains(value);
  }

  private static String condition(Set<String> in, Set<String> notIn) {
    if (!in.isEmpty()) {
      return " in " + in.stream().sorted().toList();
    }
    return notIn.isEmpty() ? "" : " not in " + notIn.stream().sorted().toList();
  }

  /** An event of one type; with an attribute, its value must satisfy in / notIn (a missing value only notIn). */
  record Event(String type, String attribute, Set<String> in, Set<String> notIn) implements SignalMatch {
    public Event {
      Objects.requireNonNull(type, "type");
      in = Set.copyOf(in);
      notIn = Set.copyOf(notIn);
      Require.that(attribute != null || (in.isEmpty() && notIn.isEmpty()), "attribute",
          "in/notIn need the attribute they apply to");
    }

    public static Event ofType(String type) {
      return new Event(type, null, Set.of(), Set.of());
    }

    @Override
    public Set<Channel> channels() {
      return EnumSet.of(Channel.EVENT);
    }

    @Override
    public boolean matches(Observation o) {
      if (!o.isEvent(type)) {
        return false;
      }
      if (attribute == null) {
        return true;
      }
      String value = o.attributes().get(attribute);
      // A missing attribute satisfies a pure not-in condition (it is not one of the excluded values).
      return value == null ? in.isEmpty() : accepts(value, in, notIn);
    }

    @Override
    public String describe() {
      return attribute == null ? type : type + " " + attribute + condition(in, notIn);
    }
  }

  /** A reported state whose field value satisfies in / notIn (a report without the field: no match). */
  record State(StateField field, Set<String> in, Set<String> notIn) implements SignalMatch {
    public State {
      Objects.requireNonNull(field, "field");
      in = Set.copyOf(in);
      notIn = Set.copyOf(notIn);
      Require.that(!(in.isEmpty() && notIn.isEmpty()), "state", "a state signal needs in and/or notIn");
    }

    @Override
    public Set<Channel> channels() {
      return EnumSet.of(Channel.STATE);
    }

    @Override
    public boolean matches(Observation o) {
      if (o.reported() == null) {
        return false;
      }
      List<String> values = field.values(o.reported());
      if (values == null) {
        return false;
      }
      for (String value : values) {
        if (!accepts(value, in, notIn)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public String describe() {
      return field.yamlName() + condition(in, notIn);
    }
  }

  /** A violation of one of {@code policies} (empty: any policy), raised or cleared. */
  record Violation(Set<String> policies, boolean raised) implements SignalMatch {
    public Violation {
      policies = Set.copyOf(policies);
    }

    @Override
    public Set<Channel> channels() {
      return EnumSet.of(Channel.VIOLATION);
    }

    @Override
    public boolean matches(Observation o) {
      ViolationSignal v = o.violation();
      return v != null && v.raised() == raised && (policies.isEmpty() || policies.contains(v.policyId()));
    }

    @Override
    public String describe() {
      return (policies.isEmpty() ? "any policy" : policies.stream().sorted().toList().toString())
          + (raised ? " raised" : " cleared");
    }
  }

  /** Any device message (telemetry, event or state). */
  record AnyMessage() implements SignalMatch {
    @Override
    public Set<Channel> channels() {
      return Channel.DEVICE;
    }

    @Override
    public boolean matches(Observation o) {
      return o.channel() != Channel.VIOLATION;
    }

    @Override
    public String describe() {
      return "message";
    }
  }

  /** The signal at {@code key} of a rule's fields, {@code null} when absent. */
  static SignalMatch optional(YamlMap rule, String key) {
    return rule.has(key) ? read(rule.requiredMapping(key)) : null;
  }

  /** A signal: exactly one of {@code event}, {@code state}, {@code violation}, {@code message}. */
  static SignalMatch read(YamlMap signal) {
    int kinds = (signal.has("event") ? 1 : 0) + (signal.has("state") ? 1 : 0) + (signal.has("violation") ? 1 : 0)
        + (signal.has("message") ? 1 : 0);
    if (kinds != 1) {
      throw signal.error("", "a signal needs exactly one of event, state, violation, message");
    }
    if (signal.has("event")) {
      signal.allowOnly("event", "attribute", "in", "notIn");
      String type = signal.identifier("event");
      String attribute = signal.optionalIdentifier("attribute");
      Set<String> in = signal.textSet("in");
      Set<String> notIn = signal.textSet("notIn");
      return InvalidFieldException.reportedAt(signal, () -> new SignalMatch.Event(type, attribute, in, notIn));
    }
    if (signal.has("state")) {
      signal.allowOnly("state", "in", "notIn");
      StateField field = signal.oneOf("state", StateField.BY_NAME);
      Set<String> in = signal.textSet("in");
      Set<String> notIn = signal.textSet("notIn");
      return InvalidFieldException.reportedAt(signal, () -> new SignalMatch.State(field, in, notIn));
    }
    if (signal.has("violation")) {
      signal.allowOnly("violation", "policies");
      boolean raised = signal.oneOf("violation", Map.of("raised", true, "cleared", false));
      return new SignalMatch.Violation(signal.identifierSet("policies"), raised);
    }
    signal.allowOnly("message");
    signal.oneOf("message", Map.of("any", true));
    return new SignalMatch.AnyMessage();
  }
}
