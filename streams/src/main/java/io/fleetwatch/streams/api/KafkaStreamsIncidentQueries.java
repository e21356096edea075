package io.fleetwatch.streams.api;

import io.fleetwatch.avro.Advisory;
import io.fleetwatch.avro.CheckState;
import io.fleetwatch.avro.DeviceFinding;
import io.fleetwatch.avro.DeviceInventory;
import io.fleetwatch.avro.DeviceTwin;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.streams.policy.RuntimeCatalogue;
import io.fleetwatch.streams.topology.FleetTopology;
import io.fleetwatch.streams.vulnerability.KafkaStreamsVulnerabilityQueries;
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
 * owning instance for other devices, see {@link #routing()}) and {@link PolicyQueries} from the catalogue in force,
 * when given one.
 */
public final class KafkaStreamsIncidentQueries implements IncidentQueries, DeviceQueries, PolicyQueries, VulnerabilityQueries,
    IncidentCommandSink {
  private final KafkaStreams streams;
  private final RuntimeCatalogue catalogue;
  private final IncidentCommandSink commands;
  private final InstanceRouting routing;

  public KafkaStreamsIncidentQueries(KafkaStreams streams) {
    this(streams, null);
  }

  /**
   * @param streams the running client
   * @param catalogue the catalogue in force, or {@code null} when the API should not serve it
   */
  public KafkaStreamsIncidentQueries(KafkaStreams streams, RuntimeCatalogue catalogue) {
    this(streams, catalogue, null);
  }

  /**
   * @param streams the running client
   * @param catalogue the catalogue in force, or {@code null} when the API should not serve it
   * @param commands where responders' commands go, or {@code null} (then the API has no write endpoints)
   */
  public KafkaStreamsIncidentQueries(KafkaStreams streams, RuntimeCatalogue catalogue, IncidentCommandSink commands) {
    this(streams, catalogue, commands, InstanceRouting.LOCAL);
  }

  /**
   * @param streams the running client
   * @param catalogue the catalogue in force, or {@code null} when the API should not serve it
   * @param commands where responders' commands go, or {@code null} (then the API has no write endpoints)
   * @param routing where the device-partitioned stores live when several instances run (the API forwards to them)
   */
  public KafkaStreamsIncidentQueries(KafkaStreams streams, RuntimeCatalogue catalogue, IncidentCommandSink commands,
      InstanceRouting routing) {
    this.streams = Objects.requireNonNull(streams, "streams");
    this.catalogue = catalogue;
    this.commands = commands;
    this.routing = Objects.requireNonNull(routing, "routing");
  }

  /** Where the device-partitioned stores live; {@link InstanceRouting#LOCAL} when this instance runs alone. */
  public InstanceRouting routing() {
    return routing;
  }

  /** Whether responders' commands can be submitted through this object. */
  public boolean acceptsCommands() {
    return commands != null;
  }

  @Override
  public void submit(io.fleetwatch.avro.IncidentCommand command) throws Exception {
    if (commands == null) {
      throw new IllegalStateException("no command sink configured");
    }
    commands.submit(command);
  }

  @Override
  public String requiredToken() {
    return commands == null ? null : commands.requiredToken();
  }

  @Override
  public RuntimeCatalogue catalogue() {
    return catalogue;
  }

  @Override
  public Optional<DeviceTwin> twin(String deviceId) {
    ReadOnlyKeyValueStore<String, DeviceTwin> twins = streams.store(StoreQueryParameters.fromNameAndType(
        FleetTopology.DEVICE_TWINS_STORE, QueryableStoreTypes.<String, DeviceTwin>keyValueStore()));
    return Optional.ofNullable(twins.get(deviceId));
  }

  @Override
  public List<ActiveCheck> activeChecks(String deviceId) {
    ReadOnlyKeyValueStore<String, CheckState> states = streams.store(StoreQueryParameters.fromNameAndType(
        FleetTopology.CHECK_STATES_STORE, QueryableStoreTypes.<String, CheckState>keyValueStore()));
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

  private KafkaStreamsVulnerabilityQueries vulnerabilities() {
    return new KafkaStreamsVulnerabilityQueries(streams);
  }

  @Override
  public List<DeviceFinding> findings(int limit) {
    return vulnerabilities().findings(limit);
  }

  @Override
  public List<DeviceFinding> findingsOfAdvisory(String advisoryId, int limit) {
    return vulnerabilities().findingsOfAdvisory(advisoryId, limit);
  }

  @Override
  public List<DeviceFinding> findingsOfDevice(String deviceId) {
    return vulnerabilities().findingsOfDevice(deviceId);
  }

  @Override
  public Optional<DeviceInventory> inventory(String deviceId) {
    return vulnerabilities().inventory(deviceId);
  }

  @Override
  public Optional<Advisory> advisory(String advisoryId) {
    return vulnerabilities().advisory(advisoryId);
  }
}
