package io.fleetwatch.gateway.mapping;

import io.fleetwatch.avro.DeadLetterReason;
import io.fleetwatch.schemas.DeviceChannel;
import io.fleetwatch.schemas.Identifier;

/**
 * Splits a device topic {@code {root}/{site}/{deviceId}/{channel}} into a {@link MqttTopic}.
 *
 * <p>Input: the MQTT topic name as received. Output: the topic's parts, or a {@link ParseResult.Rejected} with
 * {@code BAD_TOPIC} (wrong shape or root), {@code BAD_IDENTIFIER} (site or device id not
 * {@value Identifier#SYNTAX}) or {@code UNKNOWN_CHANNEL}. Never throws. Thread-safe.
 */
public final class MqttTopicParser {
  /** Default first topic segment. */
  public static final String DEFAULT_ROOT = "fleet";
  private static final int MAX_ECHOED_TOPIC = 200;

  private final String root;

  /** A parser for topics under {@code root}, which must itself be a valid identifier. */
  public MqttTopicParser(String root) {
    if (root == null || !Identifier.isValid(root)) {
      throw new IllegalArgumentException("topic root must match " + Identifier.SYNTAX + ", got '" + root + "'");
    }
    this.root = root;
  }

  /** A parser for topics under {@value #DEFAULT_ROOT}. */
  public static MqttTopicParser withDefaultRoot() {
    return new MqttTopicParser(DEFAULT_ROOT);
  }

  public String root() {
    return root;
  }

  /** The subscription filter matching every device topic under the root: {@code root/+/+/+}. */
  public String subscriptionFilter() {
    return root + "/+/+/+";
  }

  /** Parses a topic name; never throws. */
  public TopicParseResult parse(String topic) {
    if (topic == null) {
      return new ParseResult.Rejected(DeadLetterReason.BAD_TOPIC, "topic is missing");
    }
    int first = topic.indexOf('/');
    int second = first < 0 ? -1 : topic.indexOf('/', first + 1);
    int third = second < 0 ? -1 : topic.indexOf('/', second + 1);
    if (third < 0 || topic.indexOf('/', third + 1) >= 0) {
      return new ParseResult.Rejected(DeadLetterReason.BAD_TOPIC,
          "topic '" + echo(topic) + "' must have 4 segments: " + root + "/{site}/{deviceId}/{channel}");
    }
    if (first != root.length() || !topic.startsWith(root)) {
      return new ParseResult.Rejected(DeadLetterReason.BAD_TOPIC,
          "topic '" + echo(topic) + "' must start with '" + root + "/'");
    }
    String site = topic.substring(first + 1, second);
    if (!Identifier.isValid(site)) {
      return new ParseResult.Rejected(DeadLetterReason.BAD_IDENTIFIER,
          "site '" + echo(site) + "' must match " + Identifier.SYNTAX);
    }
    String deviceId = topic.substring(second + 1, third);
    if (!Identifier.isValid(deviceId)) {
      return new ParseResult.Rejected(DeadLetterReason.BAD_IDENTIFIER,
          "deviceId '" + echo(deviceId) + "' must match " + Identifier.SYNTAX);
    }
    String segment = topic.substring(third + 1);
    DeviceChannel channel = DeviceChannel.fromSegment(segment);
    if (channel == null) {
      return new ParseResult.Rejected(DeadLetterReason.UNKNOWN_CHANNEL,
          "channel '" + echo(segment) + "' must be one of " + DeviceChannel.SEGMENTS);
    }
    return new MqttTopic(site, deviceId, channel);
  }

  private static String echo(String s) {
    return s.length() <= MAX_ECHOED_TOPIC ? s : s.substring(0, MAX_ECHOED_TOPIC) + "...";
  }
}
