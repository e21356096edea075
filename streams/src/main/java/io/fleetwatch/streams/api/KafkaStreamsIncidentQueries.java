package io.fleetwatch.streams.api;

import io.fleetwatch.avro.CheckState;
import io.fleetwatch.avro.DeviceTwin;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.streams.policy.RuntimeCatalogue;
import io.fleetwatch.streams.topology.FleetTopology;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * {@link IncidentQueries} over the {@code incidents} global store through interactive queries. The store is
 * global (every instance holds every incident), so no routing between instances is needed. Also answers
 * {@link DeviceQueries} from this instance's {@code device-twins} and {@code check-states} stores (the API asks the
 * owning instance for other devices, see {@link StreamsApi#routing}) and {@link PolicyQueries} from the catalogue in
 * force, when given one.
 */
public final class KafkaStreamsIncidentQueries implements IncidentQueries, DeviceQueries, PolicyQueries {
  private final KafkaStreams streams;
  private final RuntimeCatalogue catalogue;

  public KafkaStreamsIncidentQueries(KafkaStreams streams) {
    this(streams, null);
  }

  /**
   * @param streams the running client
   * @param catalogue the catalogue in force, or {@code null} when the API should not serve it
   */
  public KafkaStreamsIncidentQueries(KafkaStreams streams, RuntimeCatalogue catalogue) {
    this.streams = Objects.requireNonNull(streams, "streams");
    this.catalogue = catalogue;
  }

  @Override
  public RuntimeCatalogue catalogue() {
    return catalogue;
  }

  @Override
  public Optional<DeviceTwin> twin(String deviceId) {
    return Optional.ofNullable(this.<DeviceTwin>store(FleetTopology.DEVICE_TWINS_STORE).get(deviceId));
  }

  @Override
  public List<ActiveCheck> activeChecks(String deviceId) {
    ReadOnlyKeyValueStore<String, CheckState> states = store(FleetTopology.CHECK_STATES_STORE);
    List<ActiveCheck> result = new ArrayList<>();
    try (KeyValueIterator<String, CheckState> it = states.prefixScan(deviceId + "|", new StringSerializer())) {
      while (it.hasNext()) {
        KeyValue<String, CheckState> next = it.next();
        if (next.value != null && next.value.getActive()) {
          String[] parts = next.key.split("\\|", 3);
          if (parts.length == 3 && parts[0].equals(deviceId)) {
            result.add(new ActiveCheck(parts[1], parts[2], next.value));
          }
        }
      }
    }
    return result;
  }

  private <V> ReadOnlyKeyValueStore<String, V> store(String name) {
    return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
  }

  @Override
  public List<Incident> all() {
    List<Incident> result = new ArrayList<>();
    try (KeyValueIterator<String, Incident> it = this.<Incident>store(FleetTopology.INCIDENTS_STORE).all()) {
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
    return Optional.ofNullable(this.<Incident>store(FleetTopology.INCIDENTS_STORE).get(id));
  }
}
