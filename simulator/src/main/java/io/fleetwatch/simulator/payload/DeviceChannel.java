package io.fleetwatch.simulator.payload;

/** The three device-facing MQTT channels and their topic names: {@code <root>/<site>/<device>/<channel>}. */
public enum DeviceChannel {
  TELEMETRY("telemetry"),
  EVENT("event"),
  STATE("state");

  private final String segment;

  DeviceChannel(String segment) {
    this.segment = segment;
  }

  /** The last topic segment. */
  public String segment() {
    return segment;
  }

  /** The MQTT topic of a device's message on this channel. */
  public String topic(String root, String site, String deviceId) {
    return root + "/" + site + "/" + deviceId + "/" + segment;
  }
}
