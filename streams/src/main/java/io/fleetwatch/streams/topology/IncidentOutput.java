package io.fleetwatch.streams.topology;

import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentCommandRejection;

/** What the incident processor emits, keyed by incident id: an incident's new state or a rejected command. */
record IncidentOutput(Incident incident, IncidentCommandRejection rejection) {
  static IncidentOutput of(Incident incident) {
    return new IncidentOutput(incident, null);
  }

  static IncidentOutput of(IncidentCommandRejection rejection) {
    return new IncidentOutput(null, rejection);
  }
}
