package io.fleetwatch.streams.incident;

import io.fleetwatch.avro.Incident;

/**
 * What one violation (or one punctuation) did to the incident of its dedup key.
 *
 * @param type the kind of change
 * @param incident the incident's whole new state, or {@code null} when {@code type} is {@link Type#IGNORED}
 */
public record IncidentChange(Type type, Incident incident) {
  public enum Type {
    /** A new incident was opened. */
    OPENED,
    /** A resolved incident was raised again within the reopen window and is open again (same id). */
    REOPENED,
    /** The incident changed (checks added or removed, cleared and waiting out the quiet period, flapping). */
    UPDATED,
    /** The incident resolved (at once, or after the quiet period); it stays in the store for the reopen window. */
    RESOLVED,
    /** Nothing to do, e.g. a clear without an open incident. */
    IGNORED
  }

  static IncidentChange ignored() {
    return new IncidentChange(Type.IGNORED, null);
  }
}
