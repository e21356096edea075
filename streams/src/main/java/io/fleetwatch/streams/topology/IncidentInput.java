package io.fleetwatch.streams.topology;

import io.fleetwatch.avro.IncidentCommand;
import io.fleetwatch.avro.Violation;

/** What reaches the incident processor, keyed by site: a violation or a responder's command (exactly one is set). */
record IncidentInput(Violation violation, IncidentCommand command) {
  static IncidentInput of(Violation violation) {
    return new IncidentInput(violation, null);
  }

  static IncidentInput of(IncidentCommand command) {
    return new IncidentInput(null, command);
  }
}
