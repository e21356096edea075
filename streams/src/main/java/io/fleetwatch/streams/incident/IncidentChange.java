package io.fleetwatch.streams.incident;

import io.fleetwatch.avro.Incident;

/**
 * What one violation did to the incident of its dedup key.
 *
 * @param type the kind of change
 * @param incident the incident's whole new state, or {@code null} when {@code type} is {@link Type#IGNORED}
 */
public record IncidentChange(Type type, Incident incident) {
  public enum Type {
    /** A new incident was opened. */
    OPENED,
    /** The open incident changed (checks added or removed, latest observation). */
    UPDATED,
    /** The last active check cleared: the incident is resolved and leaves the dedup store. */
    RESOLVED,
    /** Nothing to do, e.g. a clear without an open incident. */
    IGNORED
  }

  static IncidentChange ignored() {
    return new IncidentChange(Type.IGNORED, null);
  }
}
