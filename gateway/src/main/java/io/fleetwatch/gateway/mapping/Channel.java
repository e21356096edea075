package io.fleetwatch.gateway.mapping;

/**
 * The MQTT channel of a device message: the last topic segment. Its {@link #tag()} is the value of the
 * {@code channel} metric tag; {@link #UNKNOWN_TAG} stands for messages whose topic names no valid channel.
 */
public enum Channel {
  TELEMETRY("telemetry"),
  EVENT("event"),
  STATE("state");

  /** Metric tag value for messages whose channel could not be determined. */
  public static final String UNKNOWN_TAG = "unknown";

  private final String segment;

  Channel(String segment) {
    this.segment = segment;
  }

  /** The topic segment, also used as the metric tag value. */
  public String tag() {
    return segment;
  }

  /** The channel named by a topic segment, or {@code null} when the segment names none. */
  public static Channel fromSegment(String segment) {
    switch (segment) {
      case "telemetry":
        return TELEMETRY;
      case "event":
        return EVENT;
      case "state":
        return STATE;
      default:
        return null;
    }
  }
}
