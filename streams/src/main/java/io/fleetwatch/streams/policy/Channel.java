package io.fleetwatch.streams.policy;

import io.fleetwatch.schemas.DeviceChannel;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Where an observation comes from, as rules listen to it: a device channel (the {@link DeviceChannel} it stands for),
 * or a violation raised/cleared on the device.
 */
public enum Channel {
  /** Measurements ({@code fleet.telemetry}). */
  TELEMETRY(DeviceChannel.TELEMETRY),
  /** Discrete device events ({@code fleet.events}). */
  EVENT(DeviceChannel.EVENT),
  /** Reported state ({@code fleet.state}). */
  STATE(DeviceChannel.STATE),
  /** A transition of another check on the same device, fed back for sequence rules (FLT-04). */
  VIOLATION(null);

  /** The device channels: what a rule listens to when any device message counts. */
  public static final Set<Channel> DEVICE;
  /** The device channels by their {@link DeviceChannel#segment()}: the policy YAML {@code channel:} values. */
  public static final Map<String, Channel> BY_SEGMENT;

  static {
    Set<Channel> device = EnumSet.noneOf(Channel.class);
    Map<String, Channel> bySegment = new LinkedHashMap<>();
    for (Channel channel : values()) {
      if (channel.device != null) {
        device.add(channel);
        bySegment.put(channel.device.segment(), channel);
      }
    }
    DEVICE = Collections.unmodifiableSet(device);
    BY_SEGMENT = Collections.unmodifiableMap(bySegment);
  }

  private final DeviceChannel device;

  Channel(DeviceChannel device) {
    this.device = device;
  }

  /** The device channel this stands for, or {@code null} ({@link #VIOLATION}). */
  public DeviceChannel device() {
    return device;
  }
}
