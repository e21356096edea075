package io.fleetwatch.streams.topology;

import io.fleetwatch.avro.CheckState;
import io.fleetwatch.avro.DeviceCheckStates;
import io.fleetwatch.avro.DeviceTwin;
import io.fleetwatch.avro.GroupSignal;
import io.fleetwatch.avro.Violation;
import io.fleetwatch.schemas.AvroSerde;
import io.fleetwatch.streams.policy.RuntimeCatalogue;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Input: device messages keyed by device id (telemetry, events and state merged), plus the global {@code assets}
 * and {@code models} stores of the caller. Output: violations (device checks keyed by device id; group checks keyed
 * by device id, or by site for site-level findings). Rule: {@link PolicyEvaluationProcessor} evaluates every check
 * in scope on the device's partition; group checks send their {@link GroupSignal}s through the
 * {@code group-signals} repartition topic to {@link GroupEvaluationProcessor}.
 */
public final class PolicyTopology {
  /**
   * Names of the stores this topology creates ({@code twins}, {@code checkStates} (one value per device),
   * {@code legacyCheckStates} (one value per check, the former form, read until every device moved),
   * {@code groupStates}) and of the global stores it reads ({@code assets}, {@code models}).
   */
  public record StoreNames(String twins, String checkStates, String legacyCheckStates, String groupStates,
      String assets, String models) {
  }

  private final RuntimeCatalogue catalogue;
  private final PipelineMetrics metrics;
  private final Duration heartbeatScan;
  private final StoreNames stores;
  private final String groupSignals;

  /**
   * @param catalogue the catalogue in force
   * @param metrics where evaluations and violations are counted
   * @param heartbeatScan how often the wall-clock punctuator looks for silent devices
   * @param stores the store names
   * @param groupSignals name of the repartition topic of the group signals
   */
  public PolicyTopology(RuntimeCatalogue catalogue, PipelineMetrics metrics, Duration heartbeatScan,
      StoreNames stores, String groupSignals) {
    this.catalogue = Objects.requireNonNull(catalogue, "catalogue");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.heartbeatScan = Objects.requireNonNull(heartbeatScan, "heartbeatScan");
    if (heartbeatScan.isNegative() || heartbeatScan.isZero()) {
      throw new IllegalArgumentException("heartbeatScan must be positive, got " + heartbeatScan);
    }
    this.stores = Objects.requireNonNull(stores, "stores");
    this.groupSignals = Objects.requireNonNull(groupSignals, "groupSignals");
  }

  /**
   * Adds policy evaluation and the group checks behind {@code messages}.
   *
   * @return every violation of device and group checks (not yet written anywhere)
   */
  public KStream<String, Violation> addTo(KStream<String, DeviceMessage> messages) {
    KStream<String, PolicyOutput> evaluated = messages.process(evaluationSupplier(), Named.as("evaluate-policies"));
    // Group checks (site-level counts, values shared by devices): each group's signals meet in one task.
    KStream<String, Violation> groupViolations = evaluated
        .filter((key, out) -> out.groupSignal() != null, Named.as("group-signals"))
        .mapValues(PolicyOutput::groupSignal, Named.as("group-signal-values"))
        .repartition(Repartitioned.<String, GroupSignal>as(groupSignals)
            .withKeySerde(Serdes.String()).withValueSerde(AvroSerde.of(GroupSignal.class)))
        .process(groupSupplier(), Named.as("evaluate-group-checks"));
    return evaluated
        .filter((key, out) -> out.violation() != null, Named.as("device-violations"))
        .mapValues(PolicyOutput::violation, Named.as("device-violation-values"))
        .merge(groupViolations, Named.as("merge-group-violations"));
  }

  private ProcessorSupplier<String, DeviceMessage, String, PolicyOutput> evaluationSupplier() {
    StoreBuilder<KeyValueStore<String, DeviceTwin>> twins = Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(stores.twins()), Serdes.String(), AvroSerde.of(DeviceTwin.class));
    StoreBuilder<KeyValueStore<String, DeviceCheckStates>> states = Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(stores.checkStates()), Serdes.String(), AvroSerde.of(DeviceCheckStates.class));
    StoreBuilder<KeyValueStore<String, CheckState>> legacyStates = Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(stores.legacyCheckStates()), Serdes.String(), AvroSerde.of(CheckState.class));
    return new ProcessorSupplier<>() {
      @Override
      public PolicyEvaluationProcessor get() {
        return new PolicyEvaluationProcessor(catalogue, metrics, heartbeatScan, stores);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(twins, states, legacyStates);
      }
    };
  }

  private ProcessorSupplier<String, GroupSignal, String, Violation> groupSupplier() {
    StoreBuilder<KeyValueStore<String, CheckState>> groups = Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(stores.groupStates()), Serdes.String(), AvroSerde.of(CheckState.class));
    return new ProcessorSupplier<>() {
      @Override
      public GroupEvaluationProcessor get() {
        return new GroupEvaluationProcessor(catalogue, metrics, stores.groupStates(), stores.assets());
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(groups);
      }
    };
  }
}
