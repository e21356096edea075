package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.CheckState;
import io.fleetwatch.avro.Sample;
import io.fleetwatch.schemas.yaml.YamlMap;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The same value on several devices (YAML {@code type: shared-value}), e.g. one credential fingerprint used by more
 * than one device: a device's current value is the latest (by event time) it reported through {@code selector};
 * when at least {@code minDevices} devices currently carry the same value, the check is raised on each of them, and
 * it clears on a device when that device's value changes, or when the others' change so that fewer than
 * {@code minDevices} remain.
 *
 * <p>Device side: the device's current value ({@code reference}, with its event time) in its routing state; a newer
 * report with another value sends LEAVE to the old value's group and JOIN to the new one; a report older than the
 * current value is late and changes nothing. Group side (keyed by the value): the devices carrying it (samples:
 * key {@code deviceId|site}, time joined); findings are qualified by the value, so the same device raising on a
 * new value and clearing on its old one are two independent findings whatever order they arrive in.
 *
 * @param selector where the value is read (an event attribute or a reported-state field)
 * @param minDevices how many devices sharing a value raise ({@code >= 2})
 */
public record SharedValue(Selector selector, int minDevices) implements GroupRule {
  public static final String TYPE = "shared-value";

  public SharedValue {
    Objects.requireNonNull(selector, "selector");
    Require.atLeast("minDevices", minDevices, 2, "(a value is shared by at least two devices)");
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Set<Channel> routedChannels() {
    return EnumSet.of(selector.channel());
  }

  @Override
  public boolean siteLevel() {
    return false;
  }

  @Override
  public Routing route(CheckState previous, Observation observation, String deviceId, String site) {
    List<String> values = selector.values(observation);
    if (values == null || values.isEmpty()) {
      return Routing.unchanged(previous);
    }
    String value = String.join(",", values);
    Instant at = observation.eventTime();
    if (CheckStates.isLate(previous, at)) {
      return Routing.unchanged(previous);
    }
    String current = previous == null ? null : previous.getReference();
    CheckState state = CheckStates.copyOrFresh(previous, TYPE, at);
    state.setLastEventTime(at);
    state.setReference(value);
    if (value.equals(current)) {
      return new Routing(state, List.of());
    }
    List<GroupInput> inputs = new ArrayList<>(2);
    if (current != null) {
      inputs.add(new GroupInput(current, GroupInput.Kind.LEAVE, deviceId, site, at, null));
    }
    inputs.add(new GroupInput(value, GroupInput.Kind.JOIN, deviceId, site, at, null));
    return new Routing(state, inputs);
  }

  @Override
  public GroupEvaluation evaluateGroup(CheckState previous, GroupInput input) {
    List<Sample> members = previous == null ? new ArrayList<>() : new ArrayList<>(previous.getSamples());
    String member = input.deviceId() + "|" + input.site();
    int index = indexOf(members, input.deviceId());
    boolean wasShared = members.size() >= minDevices;
    List<Finding> findings = new ArrayList<>();
    switch (input.kind()) {
      case JOIN -> {
        if (index >= 0) {
          return new GroupEvaluation(previous, List.of()); // already a member
        }
        members.add(new Sample(input.at(), 1.0, member));
        if (members.size() >= minDevices) {
          String detail = selector.describe() + " " + input.group() + " is shared by " + members.size()
              + " devices: " + devices(members);
          for (Sample s : wasShared ? List.of(members.get(members.size() - 1)) : members) {
            findings.add(finding(s, input.group(), Outcome.RAISED, members.size(), detail));
          }
        }
      }
      case LEAVE -> {
        if (index < 0) {
          return new GroupEvaluation(previous, List.of());
        }
        Sample left = members.remove(index);
        if (wasShared) {
          findings.add(finding(left, input.group(), Outcome.CLEARED, members.size(),
              input.deviceId() + " no longer uses " + selector.describe() + " " + input.group()));
          if (members.size() < minDevices) {
            for (Sample s : members) {
              findings.add(finding(s, input.group(), Outcome.CLEARED, members.size(), selector.describe() + " "
                  + input.group() + " is no longer shared (" + input.deviceId() + " changed it)"));
            }
          }
        }
      }
      default -> {
        return new GroupEvaluation(previous, List.of());
      }
    }
    if (members.isEmpty()) {
      return new GroupEvaluation(null, findings);
    }
    CheckState state = CheckStates.copyOrFresh(previous, TYPE, input.at());
    state.setSamples(members);
    state.setActive(members.size() >= minDevices);
    if (input.at().isAfter(state.getLastEventTime())) {
      state.setLastEventTime(input.at());
    }
    return new GroupEvaluation(state, findings);
  }

  private static int indexOf(List<Sample> members, String deviceId) {
    String prefix = deviceId + "|";
    for (int i = 0; i < members.size(); i++) {
      if (members.get(i).getKey().startsWith(prefix)) {
        return i;
      }
    }
    return -1;
  }

  private static List<String> devices(List<Sample> members) {
    List<String> ids = new ArrayList<>(members.size());
    members.forEach(s -> ids.add(s.getKey().substring(0, s.getKey().indexOf('|'))));
    return ids;
  }

  private static Finding finding(Sample member, String value, Outcome outcome, int sharing, String detail) {
    String key = member.getKey();
    int bar = key.indexOf('|');
    return new Finding(key.substring(0, bar), key.substring(bar + 1), value,
        new Evaluation(null, outcome, (double) sharing, value, detail));
  }

  /** Reads the {@code rule:} fields of a policy file; errors name the file, line and field. */
  static SharedValue read(YamlMap rule) {
    rule.allowOnly("type", "field", "event", "attribute", "minDevices");
    return new SharedValue(Selector.read(rule), rule.optionalInt("minDevices", 2));
  }
}
