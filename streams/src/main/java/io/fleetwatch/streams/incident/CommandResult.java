package io.fleetwatch.streams.incident;

import io.fleetwatch.avro.Incident;

/**
 * Outcome of a responder's command: the incident's new state, or why the command was rejected.
 *
 * @param incident the new state when applied, else {@code null}
 * @param rejection why it was not applied, else {@code null}
 */
public record CommandResult(Incident incident, String rejection) {
  public static CommandResult applied(Incident incident) {
    return new CommandResult(incident, null);
  }

  public static CommandResult rejected(String why) {
    return new CommandResult(null, why);
  }

  public boolean isApplied() {
    return rejection == null;
  }
}
