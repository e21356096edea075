package io.fleetwatch.gateway.mapping;

import io.fleetwatch.avro.DeviceEvent;
import io.fleetwatch.avro.DeviceState;
import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.schemas.DeviceChannel;
import java.time.Instant;
import java.util.Map;

/**
 * Builds the contract's Avro records (design.md) as accepted parse results, the same way for the native JSON topics
 * and for every other payload source: site and device id from where the message came, device time {@code ts},
 * gateway receive time, optional sequence number. Values are taken as given; callers validate them first.
 */
public final class ContractRecords {
  private ContractRecords() {}

  /** A {@link Telemetry} record on the telemetry channel. */
  public static ParseResult.Accepted telemetry(String site, String deviceId, long ts, long receivedAt, Long seq,
      Map<String, Double> metrics) {
    Telemetry value = Telemetry.newBuilder()
        .setDeviceId(deviceId)
        .setSite(site)
        .setTs(Instant.ofEpochMilli(ts))
        .setReceivedAt(Instant.ofEpochMilli(receivedAt))
        .setSeq(seq)
        .setMetrics(metrics)
        .build();
    return new ParseResult.Accepted(DeviceChannel.TELEMETRY, deviceId, site, value);
  }

  /** A {@link DeviceEvent} record on the event channel. */
  public static ParseResult.Accepted event(String site, String deviceId, long ts, long receivedAt, Long seq,
      String type, Map<String, String> attributes) {
    DeviceEvent value = DeviceEvent.newBuilder()
        .setDeviceId(deviceId)
        .setSite(site)
        .setTs(Instant.ofEpochMilli(ts))
        .setReceivedAt(Instant.ofEpochMilli(receivedAt))
        .setSeq(seq)
        .setType(type)
        .setAttributes(attributes)
        .build();
    return new ParseResult.Accepted(DeviceChannel.EVENT, deviceId, site, value);
  }

  /** A {@link DeviceState} builder with site, device id and receive time set; finish it with {@link #state}. */
  public static DeviceState.Builder stateBuilder(String site, String deviceId, long receivedAt) {
    return DeviceState.newBuilder()
        .setDeviceId(deviceId)
        .setSite(site)
        .setReceivedAt(Instant.ofEpochMilli(receivedAt));
  }

  /** The {@link DeviceState} record of a builder from {@link #stateBuilder}, at device time {@code ts}. */
  public static ParseResult.Accepted state(DeviceState.Builder builder, long ts) {
    DeviceState value = builder.setTs(Instant.ofEpochMilli(ts)).build();
    return new ParseResult.Accepted(DeviceChannel.STATE, value.getDeviceId(), value.getSite(), value);
  }
}
