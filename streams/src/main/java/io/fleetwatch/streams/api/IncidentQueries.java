package io.fleetwatch.streams.api;

import io.fleetwatch.avro.Incident;
import java.util.List;
import java.util.Optional;

/**
 * Read access to the current incidents, as the HTTP API needs it. Implementations may throw
 * {@link org.apache.kafka.streams.errors.InvalidStateStoreException} while the store is not queryable yet
 * (start-up, rebalance); the API answers 503 then.
 */
public interface IncidentQueries {
  /** Every incident, in no particular order. */
  List<Incident> all();

  Optional<Incident> byId(String id);
}
