package io.fleetwatch.streams.api;

import io.fleetwatch.avro.Incident;
import io.fleetwatch.streams.topology.FleetTopology;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * {@link IncidentQueries} over the {@code incidents} global store through interactive queries. The store is
 * global (every instance holds every incident), so no routing between instances is needed.
 */
public final class KafkaStreamsIncidentQueries implements IncidentQueries {
  private final KafkaStreams streams;

  public KafkaStreamsIncidentQueries(KafkaStreams streams) {
    this.streams = Objects.requireNonNull(streams, "streams");
  }

  private ReadOnlyKeyValueStore<String, Incident> store() {
    return streams.store(StoreQueryParameters.fromNameAndType(FleetTopology.INCIDENTS_STORE,
        QueryableStoreTypes.<String, Incident>keyValueStore()));
  }

  @Override
  public List<Incident> all() {
    List<Incident> result = new ArrayList<>();
    try (KeyValueIterator<String, Incident> it = store().all()) {
      while (it.hasNext()) {
        KeyValue<String, Incident> next = it.next();
        if (next.value != null) {
          result.add(next.value);
        }
      }
    }
    return result;
  }

  @Override
  public Optional<Incident> byId(String id) {
    return Optional.ofNullable(store().get(id));
  }
}
