package io.fleetwatch.gateway.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetwatch.avro.DeadLetter;
import io.fleetwatch.avro.DeadLetterReason;
import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.gateway.mapping.MqttTopicParser;
import io.fleetwatch.gateway.mapping.ParseResult;
import io.fleetwatch.gateway.mapping.PayloadParser;
import io.fleetwatch.schemas.AvroSerde;
import io.fleetwatch.schemas.DeviceChannel;
import io.fleetwatch.schemas.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GatewayRecordsTest {
  private final GatewayRecords records = new GatewayRecords(new Topics("test."), 16);

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "telemetry | test.telemetry | {\"ts\":1,\"metrics\":{\"t\":2}}",
      "event     | test.events    | {\"ts\":1,\"type\":\"boot\"}",
      "state     | test.state     | {\"ts\":1,\"mode\":\"running\"}"})
  void writesEachChannelsRecordToItsTopicDecodableWithItsSchema(String segment, String topic, String json) {
    ParseResult.Accepted accepted = (ParseResult.Accepted) PayloadParser.withDefaults().parse(
        MqttTopicParser.withDefaultRoot().parse("fleet/plant-1/chiller-7/" + segment),
        json.getBytes(StandardCharsets.UTF_8), 5);

    ProducerRecord<String, byte[]> record = records.data(accepted);

    assertEquals(topic, record.topic());
    assertEquals("chiller-7", record.key());
    DeviceChannel channel = accepted.channel();
    SpecificRecord value = AvroSerde.of(channel.valueType()).deserialize(record.topic(), record.value());
    assertEquals(accepted.value(), value);
    assertEquals("chiller-7", channel.deviceId(value));
  }

  @Test
  void writesAcceptedTelemetryToTheTelemetryTopicKeyedByDevice() {
    ParseResult.Accepted accepted = (ParseResult.Accepted) PayloadParser.withDefaults().parse(
        MqttTopicParser.withDefaultRoot().parse("fleet/plant-1/chiller-7/telemetry"),
        "{\"ts\":1,\"metrics\":{\"t\":2}}".getBytes(StandardCharsets.UTF_8), 5);

    ProducerRecord<String, byte[]> record = records.data(accepted);

    assertEquals("test.telemetry", record.topic());
    assertEquals("chiller-7", record.key());
    Telemetry value = AvroSerde.of(Telemetry.class).deserialize(record.topic(), record.value());
    assertEquals(Map.of("t", 2.0), value.getMetrics());
  }

  @Test
  void writesDeadLetterKeyedByMqttTopicWithTruncatedRawPayload() {
    byte[] payload = "{\"ts\":\"yesterday\",\"metrics\":{}}".getBytes(StandardCharsets.UTF_8);
    ParseResult.Rejected rejected = new ParseResult.Rejected(DeadLetterReason.INVALID_TIMESTAMP, "ts bad");

    ProducerRecord<String, byte[]> record = records.deadLetter("fleet/s/d/telemetry", payload, rejected, 1234L);

    assertEquals("test.deadletter", record.topic());
    assertEquals("fleet/s/d/telemetry", record.key());
    DeadLetter value = AvroSerde.of(DeadLetter.class).deserialize(record.topic(), record.value());
    assertEquals(DeadLetterReason.INVALID_TIMESTAMP, value.getReason());
    assertEquals("ts bad", value.getDetail());
    assertEquals("fleet/s/d/telemetry", value.getMqttTopic());
    assertArrayEquals(Arrays.copyOf(payload, 16), bytes(value.getPayload()));
    assertEquals(payload.length, value.getPayloadSize());
    assertEquals(Instant.ofEpochMilli(1234L), value.getReceivedAt());
    assertEquals("gateway", value.getComponent());
  }

  @Test
  void keepsWholePayloadWhenWithinTheLimit() {
    byte[] payload = {1, 2, 3};
    DeadLetter value = records.deadLetterValue("t", payload,
        new ParseResult.Rejected(DeadLetterReason.MALFORMED_JSON, "x"), 0L);

    assertArrayEquals(payload, bytes(value.getPayload()));
    assertEquals(3, value.getPayloadSize());
  }
}
