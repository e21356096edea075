package io.fleetwatch.streams.policy;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/** Where an observation comes from: the three device channels, or a violation raised/cleared on the device. */
public enum Channel {
  /** Measurements ({@code fleet.telemetry}). */
  TELEMETRY,
  /** Discrete device events ({@code fleet.events}). */
  EVENT,
  /** Reported state ({@code fleet.state}). */
  STATE,
  /** A transition of another check on the same device, fed back for sequence rules (FLT-04). */
  VIOLATION;

  /** The three device channels: what a rule listens to when any device message counts. */
  public static final Set<Channel> DEVICE = Collections.unmodifiableSet(EnumSet.of(TELEMETRY, EVENT, STATE));
}
