package io.fleetwatch.streams.topology;

import io.fleetwatch.schemas.DeviceChannel;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;

/**
 * One record of a device channel (its {@link io.fleetwatch.schemas.Topics#channel} topic: {@code fleet.telemetry},
 * {@code fleet.events}, {@code fleet.state}) on its way from the merged sources to the evaluation processor (same
 * sub-topology, never serialized). The envelope (device id, site, times, sequence number) is read through the
 * channel's descriptor, so it needs no code per channel.
 *
 * @param channel the channel the record was read from
 * @param value the channel's record ({@link DeviceChannel#valueType()})
 */
record DeviceMessage(DeviceChannel channel, SpecificRecord value) {

  /** The message of a record read from {@code channel}'s topic, or {@code null} for a record without a value. */
  static DeviceMessage of(DeviceChannel channel, SpecificRecord value) {
    return value == null ? null : new DeviceMessage(channel, value);
  }

  String deviceId() {
    return channel.deviceId(value);
  }

  String site() {
    return channel.site(value);
  }

  Instant ts() {
    return channel.ts(value);
  }

  Instant receivedAt() {
    return channel.receivedAt(value);
  }

  Long seq() {
    return channel.seq(value);
  }
}
