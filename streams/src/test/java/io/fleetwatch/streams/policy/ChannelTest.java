package io.fleetwatch.streams.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fleetwatch.schemas.DeviceChannel;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChannelTest {

  @Test
  void policyYamlChannelValuesAreTheMqttSegmentsOfTheDeviceChannels() {
    assertEquals(Map.of("telemetry", Channel.TELEMETRY, "event", Channel.EVENT, "state", Channel.STATE),
        Channel.BY_SEGMENT);
    Channel.BY_SEGMENT.forEach((segment, channel) -> assertEquals(segment, channel.device().segment()));
  }

  @Test
  void deviceChannelsAreEveryChannelButViolations() {
    assertEquals(EnumSet.of(Channel.TELEMETRY, Channel.EVENT, Channel.STATE), Channel.DEVICE);
    assertNull(Channel.VIOLATION.device());
    assertEquals(DeviceChannel.values().length, Channel.DEVICE.size());
  }
}
