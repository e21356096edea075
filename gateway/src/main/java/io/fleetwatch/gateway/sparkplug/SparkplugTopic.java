package io.fleetwatch.gateway.sparkplug;

import java.util.Objects;

/**
 * A Sparkplug B topic {@code spBv1.0/{group}/{type}/{edge node}[/{device}]}, split into its parts.
 *
 * @param group group id
 * @param type message type
 * @param edgeNode edge node id
 * @param device device id, or {@code null} for the edge node's own messages (N*)
 */
public record SparkplugTopic(String group, MessageType type, String edgeNode, String device) {
  /** First topic segment of Sparkplug B. */
  public static final String NAMESPACE = "spBv1.0";

  /** Sparkplug B message types. */
  public enum MessageType {
    NBIRTH, NDEATH, DBIRTH, DDEATH, NDATA, DDATA, NCMD, DCMD;

    /** Whether the type addresses a device (D*) rather than the edge node itself (N*). */
    public boolean deviceLevel() {
      return name().charAt(0) == 'D';
    }
  }

  public SparkplugTopic {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(edgeNode, "edgeNode");
  }

  /** Key of the edge node: {@code group/edge node}. */
  public String nodeKey() {
    return group + "/" + edgeNode;
  }

  /** Key of the metric table the message refers to: {@code group/edge node} or {@code group/edge node/device}. */
  public String scopeKey() {
    return device == null ? nodeKey() : nodeKey() + "/" + device;
  }

  /** Whether {@code topic} is in the Sparkplug B namespace. */
  public static boolean inNamespace(String topic) {
    return topic != null && topic.startsWith(NAMESPACE + "/");
  }

  /** Whether {@code id} can be a Sparkplug group, edge node or device id: non-empty, no {@code / + #}. */
  public static boolean isValidId(String id) {
    if (id == null || id.isEmpty()) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c == '/' || c == '+' || c == '#') {
        return false;
      }
    }
    return true;
  }

  /**
   * Parses a topic of the namespace.
   *
   * @throws IllegalArgumentException saying what is wrong with the topic
   */
  public static SparkplugTopic parse(String topic) {
    String[] parts = topic.split("/", -1);
    if (parts.length >= 2 && parts[1].equals("STATE")) {
      throw bad(topic, "host application STATE messages carry no device data");
    }
    if (parts.length < 4 || parts.length > 5 || !parts[0].equals(NAMESPACE)) {
      throw bad(topic, "expected spBv1.0/{group}/{type}/{edge node}[/{device}]");
    }
    MessageType type;
    try {
      type = MessageType.valueOf(parts[2]);
    } catch (IllegalArgumentException e) {
      throw bad(topic, "unknown message type '" + parts[2] + "'");
    }
    if (type.deviceLevel() != (parts.length == 5)) {
      throw bad(topic, type + (type.deviceLevel() ? " needs" : " takes no") + " device segment");
    }
    for (int i = 1; i < parts.length; i++) {
      if (i != 2 && !isValidId(parts[i])) {
        throw bad(topic, "empty group, edge node or device id");
      }
    }
    return new SparkplugTopic(parts[1], type, parts[3], parts.length == 5 ? parts[4] : null);
  }

  private static IllegalArgumentException bad(String topic, String why) {
    return new IllegalArgumentException("Sparkplug topic '" + topic + "': " + why);
  }
}
