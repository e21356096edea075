package io.fleetwatch.gateway.mapping;

import java.util.Objects;

/**
 * Topic and payload parsing of one MQTT message in one call.
 *
 * <p>Input: MQTT topic name, raw payload bytes, receive time. Output: {@link ParseResult.Accepted} with the Avro
 * value for the topic's channel, or {@link ParseResult.Rejected} with the first problem found (topic problems
 * before payload problems). Never throws. Thread-safe.
 */
public final class MessageParser {
  private final MqttTopicParser topics;
  private final PayloadParser payloads;

  public MessageParser(MqttTopicParser topics, PayloadParser payloads) {
    this.topics = Objects.requireNonNull(topics, "topics");
    this.payloads = Objects.requireNonNull(payloads, "payloads");
  }

  /** Default root {@code fleet} and the default payload rules. */
  public static MessageParser withDefaults() {
    return new MessageParser(MqttTopicParser.withDefaultRoot(), PayloadParser.withDefaults());
  }

  public MqttTopicParser topics() {
    return topics;
  }

  public PayloadParser payloads() {
    return payloads;
  }

  /** Parses one message; never throws. */
  public ParseResult parse(String mqttTopic, byte[] payload, long receivedAtMillis) {
    TopicParseResult topic = topics.parse(mqttTopic);
    if (topic instanceof ParseResult.Rejected) {
      return (ParseResult.Rejected) topic;
    }
    return payloads.parse((MqttTopic) topic, payload, receivedAtMillis);
  }
}
