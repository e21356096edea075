package io.fleetwatch.streams.api;

import io.fleetwatch.avro.Incident;
import java.util.List;
import java.util.Optional;

/** Test double of {@link IncidentQueries} with no incidents, for API tests about other resources. */
interface NoIncidents extends IncidentQueries {

  @Override
  default List<Incident> all() {
    return List.of();
  }

  @Override
  default Optional<Incident> byId(String id) {
    return Optional.empty();
  }
}
