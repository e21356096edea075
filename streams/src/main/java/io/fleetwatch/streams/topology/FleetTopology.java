package io.fleetwatch.streams.topology;

import io.fleetwatch.avro.Asset;
import io.fleetwatch.avro.CheckState;
import io.fleetwatch.avro.DeviceTwin;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.avro.Violation;
import io.fleetwatch.schemas.AvroSerde;
import io.fleetwatch.schemas.Topic;
import io.fleetwatch.schemas.Topics;
import io.fleetwatch.streams.policy.PolicyCatalogue;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Inputs: {@code fleet.telemetry}, {@code fleet.assets} (global), {@code fleet.incidents} (global, for the
 * API). Outputs: {@code fleet.violations} (key device id), {@code fleet.incidents} (key incident id). Rule:
 * each reading updates its device twin and is evaluated against the policy checks in scope of its asset;
 * raised/cleared checks become violations, which open, update and resolve one incident per policy and device.
 *
 * <p>Stores: {@value #ASSETS_STORE} and {@value #INCIDENTS_STORE} (global tables), {@value #DEVICE_TWINS_STORE}
 * (device id to {@link DeviceTwin}), {@value #CHECK_STATES_STORE} ({@code deviceId|policyId|checkId} to
 * {@link CheckState}), {@value #INCIDENTS_BY_DEDUP_STORE} ({@code policyId|deviceId} to the open
 * {@link Incident}). Telemetry and violations stay keyed by device id, so the whole chain runs in one
 * sub-topology without repartitioning.
 */
public final class FleetTopology {
  public static final String ASSETS_STORE = "assets";
  public static final String INCIDENTS_STORE = "incidents";
  public static final String DEVICE_TWINS_STORE = "device-twins";
  public static final String CHECK_STATES_STORE = "check-states";
  public static final String INCIDENTS_BY_DEDUP_STORE = "incidents-by-dedup";

  private final Topics topics;
  private final PolicyCatalogue catalogue;
  private final Clock clock;
  private final PipelineMetrics metrics;

  /**
   * @param topics the topic catalogue
   * @param catalogue the policies to evaluate
   * @param clock wall clock, used only for {@code detectedAt} of new incidents
   * @param registry where the domain metrics go (see {@link PipelineMetrics})
   */
  public FleetTopology(Topics topics, PolicyCatalogue catalogue, Clock clock, MeterRegistry registry) {
    this.topics = Objects.requireNonNull(topics, "topics");
    this.catalogue = Objects.requireNonNull(catalogue, "catalogue");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.metrics = new PipelineMetrics(Objects.requireNonNull(registry, "registry"), catalogue.policyIds());
  }

  public Topology build() {
    StreamsBuilder builder = new StreamsBuilder();
    Topic<String, Asset> assetsTopic = topics.assets();
    GlobalKTable<String, Asset> assets = builder.globalTable(assetsTopic.name(),
        Consumed.with(assetsTopic.keySerde(), assetsTopic.valueSerde()).withName("assets-source"),
        Materialized.<String, Asset, KeyValueStore<Bytes, byte[]>>as(ASSETS_STORE)
            .withKeySerde(assetsTopic.keySerde())
            .withValueSerde(assetsTopic.valueSerde()));

    Topic<String, Incident> incidentsTopic = topics.incidents();
    builder.globalTable(incidentsTopic.name(),
        Consumed.with(incidentsTopic.keySerde(), incidentsTopic.valueSerde()).withName("incidents-source"),
        Materialized.<String, Incident, KeyValueStore<Bytes, byte[]>>as(INCIDENTS_STORE)
            .withKeySerde(incidentsTopic.keySerde())
            .withValueSerde(incidentsTopic.valueSerde()));

    Topic<String, Telemetry> telemetryTopic = topics.telemetry();
    KStream<String, Telemetry> telemetry = builder.stream(telemetryTopic.name(),
        Consumed.with(telemetryTopic.keySerde(), telemetryTopic.valueSerde()).withName("telemetry-source"));

    Topic<String, Violation> violationsTopic = topics.violations();
    KStream<String, Violation> violations = telemetry
        .leftJoin(assets,
            (deviceId, reading) -> reading.getDeviceId(),
            AssetTelemetry::new,
            Named.as("telemetry-join-assets"))
        .process(evaluationSupplier(), Named.as("evaluate-policies"));
    violations.to(violationsTopic.name(),
        Produced.with(violationsTopic.keySerde(), violationsTopic.valueSerde()).withName("violations-sink"));

    violations
        .process(incidentSupplier(), Named.as("track-incidents"))
        .to(incidentsTopic.name(),
            Produced.with(incidentsTopic.keySerde(), incidentsTopic.valueSerde()).withName("incidents-sink"));
    return builder.build();
  }

  private ProcessorSupplier<String, AssetTelemetry, String, Violation> evaluationSupplier() {
    StoreBuilder<KeyValueStore<String, DeviceTwin>> twins = Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(DEVICE_TWINS_STORE), Serdes.String(), AvroSerde.of(DeviceTwin.class));
    StoreBuilder<KeyValueStore<String, CheckState>> states = Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(CHECK_STATES_STORE), Serdes.String(), AvroSerde.of(CheckState.class));
    return new ProcessorSupplier<>() {
      @Override
      public PolicyEvaluationProcessor get() {
        return new PolicyEvaluationProcessor(catalogue, metrics);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(twins, states);
      }
    };
  }

  private ProcessorSupplier<String, Violation, String, Incident> incidentSupplier() {
    StoreBuilder<KeyValueStore<String, Incident>> open = Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(INCIDENTS_BY_DEDUP_STORE), Serdes.String(), AvroSerde.of(Incident.class));
    return new ProcessorSupplier<>() {
      @Override
      public IncidentProcessor get() {
        return new IncidentProcessor(clock, metrics);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(open);
      }
    };
  }
}
