package io.fleetwatch.gateway.mapping;

import io.fleetwatch.avro.DeadLetterReason;
import io.fleetwatch.schemas.DeviceChannel;
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
   * @param value the channel's record ({@link DeviceChannel#valueType()})
   */
  record Accepted(DeviceChannel channel, String deviceId, String site, SpecificRecord value) implements ParseResult {
    public Accepted {
      Objects.requireNonNull(channel, "channel");
      Objects.requireNonNull(deviceId, "deviceId");
      Objects.requireNonNull(site, "site");
      Objects.requireNonNull(value, "value");
      if (!channel.valueType().isInstance(value)) {
        throw new IllegalArgumentException("the value of channel " + channel.segment() + " must be a "
            + channel.valueType().getSimpleName() + ", got " + value.getClass().getSimpleName());
      }
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
