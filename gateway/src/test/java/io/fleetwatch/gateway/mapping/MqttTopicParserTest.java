package io.fleetwatch.gateway.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetwatch.avro.DeadLetterReason;
import io.fleetwatch.schemas.DeviceChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MqttTopicParserTest {
  private final MqttTopicParser parser = MqttTopicParser.withDefaultRoot();

  @ParameterizedTest
  @CsvSource({
      "fleet/plant-1/chiller-7/telemetry, plant-1, chiller-7, TELEMETRY",
      "fleet/S.2/dev_9/event, S.2, dev_9, EVENT",
      "fleet/a/b/state, a, b, STATE"})
  void splitsValidTopicIntoSiteDeviceAndChannel(String topic, String site, String device, DeviceChannel channel) {
    MqttTopic parsed = assertInstanceOf(MqttTopic.class, parser.parse(topic));

    assertEquals(new MqttTopic(site, device, channel), parsed);
  }

  @Test
  void acceptsIdentifiersOfExactly64Characters() {
    String id = "x".repeat(64);

    assertInstanceOf(MqttTopic.class, parser.parse("fleet/" + id + "/" + id + "/state"));
  }

  @Test
  void usesConfiguredRoot() {
    MqttTopicParser custom = new MqttTopicParser("plants");

    assertInstanceOf(MqttTopic.class, custom.parse("plants/s/d/telemetry"));
    assertEquals(DeadLetterReason.BAD_TOPIC,
        assertInstanceOf(ParseResult.Rejected.class, custom.parse("fleet/s/d/telemetry")).reason());
    assertEquals("plants/+/+/+", custom.subscriptionFilter());
  }

  @Test
  void rejectsRootThatIsOnlyAPrefixOfTheFirstSegment() {
    assertEquals(DeadLetterReason.BAD_TOPIC,
        assertInstanceOf(ParseResult.Rejected.class, parser.parse("fleetX/s/d/telemetry")).reason());
  }

  @Test
  void rejectsMissingTopic() {
    assertEquals(DeadLetterReason.BAD_TOPIC, assertInstanceOf(ParseResult.Rejected.class, parser.parse(null)).reason());
  }

  @Test
  void refusesInvalidRootAtConstruction() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MqttTopicParser("a/b"));

    assertEquals("topic root must match [A-Za-z0-9._-]{1,64}, got 'a/b'", e.getMessage());
  }
}
