package io.fleetwatch.gateway.kafka;

import io.fleetwatch.avro.DeadLetter;
import io.fleetwatch.gateway.mapping.ParseResult;
import io.fleetwatch.schemas.Topic;
import io.fleetwatch.schemas.Topics;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Turns parse results into Kafka records with Avro single-object-encoded values.
 *
 * <p>Input: an accepted message, or a rejected one with its MQTT topic and raw payload. Output: a record for its
 * channel's topic ({@link Topics#channel}: {@code <prefix>telemetry|events|state}) keyed by device id, or for
 * {@code <prefix>deadletter} keyed by MQTT topic whose value keeps the raw payload (truncated to the payload limit),
 * its original size, the reason, the detail, the receive time and {@code component=gateway}. Thread-safe.
 */
public final class GatewayRecords {
  /** Value of {@code DeadLetter.component} for gateway rejections. */
  public static final String COMPONENT = "gateway";

  private final Topics topics;
  private final int maxStoredPayloadBytes;

  /**
   * @param topics topic catalogue (names and serdes)
   * @param maxStoredPayloadBytes dead letters keep at most this many payload bytes
   */
  public GatewayRecords(Topics topics, int maxStoredPayloadBytes) {
    this.topics = Objects.requireNonNull(topics, "topics");
    if (maxStoredPayloadBytes < 0) {
      throw new IllegalArgumentException("maxStoredPayloadBytes must be >= 0");
    }
    this.maxStoredPayloadBytes = maxStoredPayloadBytes;
  }

  /**
   * The data record of an accepted message.
   *
   * @throws org.apache.kafka.common.errors.SerializationException if the value cannot be encoded
   */
  public ProducerRecord<String, byte[]> data(ParseResult.Accepted accepted) {
    return channelRecord(topics.channel(accepted.channel()), accepted.deviceId(), accepted.value());
  }

  /** The dead-letter record of a rejected message; the key is the MQTT topic. */
  public ProducerRecord<String, byte[]> deadLetter(String mqttTopic, byte[] payload, ParseResult.Rejected rejected,
      long receivedAtMillis) {
    DeadLetter value = deadLetterValue(mqttTopic, payload, rejected, receivedAtMillis);
    return record(topics.deadLetter(), mqttTopic, value);
  }

  /** The dead-letter value of a rejected message. */
  public DeadLetter deadLetterValue(String mqttTopic, byte[] payload, ParseResult.Rejected rejected,
      long receivedAtMillis) {
    byte[] raw = payload == null ? new byte[0] : payload;
    int stored = Math.min(raw.length, maxStoredPayloadBytes);
    ByteBuffer bytes = ByteBuffer.wrap(stored == raw.length ? raw : java.util.Arrays.copyOf(raw, stored));
    return DeadLetter.newBuilder()
        .setReason(rejected.reason())
        .setDetail(rejected.detail())
        .setMqttTopic(mqttTopic)
        .setPayload(bytes)
        .setPayloadSize(raw.length)
        .setReceivedAt(Instant.ofEpochMilli(receivedAtMillis))
        .setComponent(COMPONENT)
        .setSource(null)
        .build();
  }

  public Topics topics() {
    return topics;
  }

  /** The record of a channel's value, whose type {@link ParseResult.Accepted} checked against the channel. */
  @SuppressWarnings("unchecked")
  private static <V extends SpecificRecord> ProducerRecord<String, byte[]> channelRecord(Topic<String, V> topic,
      String key, SpecificRecord value) {
    return record(topic, key, (V) value);
  }

  private static <V> ProducerRecord<String, byte[]> record(Topic<String, V> topic, String key, V value) {
    byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
    return new ProducerRecord<>(topic.name(), key, bytes);
  }
}
