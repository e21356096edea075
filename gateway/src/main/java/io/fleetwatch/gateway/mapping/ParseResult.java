package io.fleetwatch.gateway.mapping;

import io.fleetwatch.avro.DeadLetterReason;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * Outcome of parsing one MQTT message: an {@link Accepted} Avro value for the channel's data topic, or a
 * {@link Rejected} reason for the dead-letter topic.
 */
public sealed interface ParseResult permits ParseResult.Accepted, ParseResult.Rejected {

  /**
   * A valid message.
   *
   * @param channel channel the message arrived on
   * @param deviceId device id from the topic (the Kafka key)
   * @param site site id from the topic
   * @param value {@code Telemetry}, {@code DeviceEvent} or {@code DeviceState} matching the channel
   */
  record Accepted(Channel channel, String deviceId, String site, SpecificRecord value) implements ParseResult {
    public Accepted {
      Objects.requireNonNull(channel, "channel");
      Objects.requireNonNull(deviceId, "deviceId");
      Objects.requireNonNull(site, "site");
      Objects.requireNonNull(value, "value");
    }
  }

  /**
   * An invalid message.
   *
   * @param reason machine-readable reason
   * @param detail which field and what was expected
   */
  record Rejected(DeadLetterReason reason, String detail) implements ParseResult, TopicParseResult {
    public Rejected {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(detail, "detail");
    }
  }
}
