package io.fleetwatch.streams.api;

import io.fleetwatch.avro.CheckState;
import io.fleetwatch.avro.DeviceCheckStates;
import io.fleetwatch.avro.DeviceTwin;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.streams.policy.RuntimeCatalogue;
import io.fleetwatch.streams.topology.FleetTopology;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
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
 * {@link DeviceQueries} from this instance's {@code device-twins} and {@code device-check-states} stores (the API asks the
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
    return activeChecks(deviceId, store(FleetTopology.DEVICE_CHECK_STATES_STORE),
        store(FleetTopology.CHECK_STATES_STORE));
  }

  /**
   * The raised checks of a device, in {@code policyId|checkId} order: from its value in {@code devices}, or, for a
   * device whose states were not moved there yet, from its per-check keys in {@code legacy}.
   */
  static List<ActiveCheck> activeChecks(String deviceId, ReadOnlyKeyValueStore<String, DeviceCheckStates> devices,
      ReadOnlyKeyValueStore<String, CheckState> legacy) {
    List<ActiveCheck> result = new ArrayList<>();
    DeviceCheckStates device = devices.get(deviceId);
    if (device != null) {
      new TreeMap<>(device.getStates()).forEach((check, state) -> {
        String[] parts = check.split("\\|", 2);
        if (state != null && state.getActive() && parts.length == 2) {
          result.add(new ActiveCheck(parts[0], parts[1], state));
        }
      });
      return result;
    }
    try (KeyValueIterator<String, CheckState> it = legacy.prefixScan(deviceId + "|", new StringSerializer())) {
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
