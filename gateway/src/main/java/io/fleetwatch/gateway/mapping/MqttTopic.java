package io.fleetwatch.gateway.mapping;

import io.fleetwatch.schemas.DeviceChannel;
import java.util.Objects;

/**
 * A valid device topic {@code {root}/{site}/{deviceId}/{channel}}, split into its parts.
 *
 * @param site site id
 * @param deviceId device id
 * @param channel channel
 */
public record MqttTopic(String site, String deviceId, DeviceChannel channel) implements TopicParseResult {
  public MqttTopic {
    Objects.requireNonNull(site, "site");
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(channel, "channel");
  }
}
