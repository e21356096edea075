package io.fleetwatch.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.fleetwatch.avro.DeviceEvent;
import io.fleetwatch.avro.DeviceState;
import io.fleetwatch.avro.Telemetry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DeviceChannelTest {
  private static final Instant TS = Instant.ofEpochMilli(1_764_100_000_123L);
  private static final Instant RECEIVED = Instant.ofEpochMilli(1_764_100_000_200L);

  @Test
  void contractSegmentsTopicsAndRecordsStayAsPublished() {
    Topics topics = new Topics("fleet.");

    assertEquals(List.of("telemetry", "event", "state"),
        List.of(DeviceChannel.values()).stream().map(DeviceChannel::segment).toList());
    assertEquals(List.of("fleet.telemetry", "fleet.events", "fleet.state"),
        topics.channels().stream().map(Topic::name).toList());
    assertEquals(List.of(Telemetry.class, DeviceEvent.class, DeviceState.class),
        List.of(DeviceChannel.values()).stream().map(DeviceChannel::valueType).toList());
    assertEquals("telemetry, event, state", DeviceChannel.SEGMENTS);
  }

  @Test
  void typedTopicsAreTheChannelTopics() {
    Topics topics = new Topics("x.");

    assertSame(topics.telemetry(), topics.channel(DeviceChannel.TELEMETRY));
    assertSame(topics.events(), topics.channel(DeviceChannel.EVENT));
    assertSame(topics.state(), topics.channel(DeviceChannel.STATE));
    assertEquals(topics.channels(), topics.all().subList(0, DeviceChannel.values().length));
  }

  @ParameterizedTest
  @EnumSource(DeviceChannel.class)
  void segmentNamesItsChannelAndBuildsItsMqttTopic(DeviceChannel channel) {
    assertSame(channel, DeviceChannel.fromSegment(channel.segment()));
    assertEquals("fleet/hq/chiller-01/" + channel.segment(), channel.mqttTopic("fleet", "hq", "chiller-01"));
    assertEquals(channel.valueType().getSimpleName(), channel.schema().getName());
  }

  @Test
  void unknownSegmentNamesNoChannel() {
    assertNull(DeviceChannel.fromSegment("events"));
    assertNull(DeviceChannel.fromSegment("Telemetry"));
    assertNull(DeviceChannel.fromSegment(""));
  }

  @ParameterizedTest
  @EnumSource(DeviceChannel.class)
  void envelopeReadsFromEveryChannelsRecord(DeviceChannel channel) {
    SpecificRecord value = switch (channel) {
      case TELEMETRY -> Telemetry.newBuilder().setDeviceId("d-" + channel).setSite("s-" + channel).setTs(TS)
          .setReceivedAt(RECEIVED).setSeq(7L).setMetrics(Map.of()).build();
      case EVENT -> DeviceEvent.newBuilder().setDeviceId("d-" + channel).setSite("s-" + channel).setTs(TS)
          .setReceivedAt(RECEIVED).setSeq(7L).setType("boot").build();
      case STATE -> DeviceState.newBuilder().setDeviceId("d-" + channel).setSite("s-" + channel).setTs(TS)
          .setReceivedAt(RECEIVED).setSeq(7L).build();
    };

    assertEquals("d-" + channel, channel.deviceId(value));
    assertEquals("s-" + channel, channel.site(value));
    assertEquals(TS, channel.ts(value));
    assertEquals(RECEIVED, channel.receivedAt(value));
    assertEquals(7L, channel.seq(value));
  }
}
