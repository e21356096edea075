package io.fleetwatch.streams.policy;

import io.fleetwatch.schemas.yaml.YamlMap;
import java.util.List;
import java.util.Objects;

/** Where a rule reads a text value from: a reported-state field or an attribute of one event type. */
public sealed interface Selector {

  /** The channel this selector reads. */
  Channel channel();

  /** The selected value(s), or {@code null} when the observation does not carry them. */
  List<String> values(Observation observation);

  /** For messages, e.g. {@code tls} or {@code auth_success.method}. */
  String describe();

  /** A field of the reported state. */
  record OfState(StateField field) implements Selector {
    public OfState {
      Objects.requireNonNull(field, "field");
    }

    @Override
    public Channel channel() {
      return Channel.STATE;
    }

    @Override
    public List<String> values(Observation observation) {
      return observation.reported() == null ? null : field.values(observation.reported());
    }

    @Override
    public String describe() {
      return field.yamlName();
    }
  }

  /** An attribute of events of one type. */
  record OfEvent(String eventType, String attribute) implements Selector {
    public OfEvent {
      Objects.requireNonNull(eventType, "eventType");
      Objects.requireNonNull(attribute, "attribute");
    }

    @Override
    public Channel channel() {
      return Channel.EVENT;
    }

    @Override
    public List<String> values(Observation observation) {
      if (!observation.isEvent(eventType)) {
        return null;
      }
      String value = observation.attributes().get(attribute);
      return value == null ? null : List.of(value);
    }

    @Override
    public String describe() {
      return eventType + "." + attribute;
    }
  }

  /** Either {@code field} (a reported-state field) or {@code event} + {@code attribute}. */
  static Selector read(YamlMap rule) {
    if (rule.has("field") == rule.has("event")) {
      throw rule.error("field", "give either field (a reported-state field) or event + attribute");
    }
    if (rule.has("field")) {
      if (rule.has("attribute")) {
        throw rule.error("attribute", "attribute belongs to an event predicate, not to a field");
      }
      return new Selector.OfState(rule.oneOf("field", StateField.BY_NAME));
    }
    return new Selector.OfEvent(rule.identifier("event"), rule.identifier("attribute"));
  }
}
