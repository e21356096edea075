package io.fleetwatch.streams.policy;

import java.time.Instant;
import java.util.Objects;

/**
 * What one device observation contributes to a group (see {@link GroupRule}).
 *
 * @param group the group key: a site id, or a shared value
 * @param kind what is contributed
 * @param deviceId the contributing device
 * @param site the device's site
 * @param at device event time of the observation
 * @param value the counted value of a {@link Kind#SAMPLE}, else {@code null}
 */
public record GroupInput(String group, Kind kind, String deviceId, String site, Instant at, String value) {
  public GroupInput {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(site, "site");
    Objects.requireNonNull(at, "at");
  }

  /** What a device contributes. */
  public enum Kind {
    /** A counted observation with its value (e.g. the source of an auth_failure). */
    SAMPLE,
    /** The device's event time moved a whole window past its last sample: lets the group's window move on. */
    TICK,
    /** The device now carries the group's value. */
    JOIN,
    /** The device no longer carries the group's value. */
    LEAVE
  }
}
