package io.fleetwatch.streams.topology;

import io.fleetwatch.avro.Asset;
import io.fleetwatch.avro.DeviceEvent;
import io.fleetwatch.avro.DeviceModel;
import io.fleetwatch.avro.DeviceState;
import io.fleetwatch.avro.Policy;
import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.avro.Violation;
import io.fleetwatch.avro.ViolationStatus;
import io.fleetwatch.schemas.Topics;
import io.fleetwatch.streams.StreamsAppConfig;
import io.fleetwatch.streams.StreamsConfigFactory;
import io.fleetwatch.streams.policy.PolicyLoader;
import io.fleetwatch.streams.policy.RuntimeCatalogue;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The production topology with the shipped catalogue ({@code ../policies}) on a {@link TopologyTestDriver} with
 * exactly-once, wall clock starting at {@link #T0}, and small helpers to feed device channels with explicit event
 * times and read the violations back.
 */
final class PolicyDriver implements AutoCloseable {
  static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");

  final Topics topics = Topics.withDefaultPrefix();
  final RuntimeCatalogue catalogue;
  final TopologyTestDriver driver;
  private final TestInputTopic<String, Telemetry> telemetry;
  private final TestInputTopic<String, DeviceEvent> events;
  private final TestInputTopic<String, DeviceState> states;
  private final TestInputTopic<String, Asset> assets;
  private final TestInputTopic<String, Policy> policies;
  private final TestInputTopic<String, DeviceModel> models;
  private final TestOutputTopic<String, Violation> violations;
  private final List<Violation> seen = new ArrayList<>();

  PolicyDriver(Path stateDir) {
    catalogue = new RuntimeCatalogue(new PolicyLoader().load(Path.of("../policies")));
    FleetTopology topology = new FleetTopology(topics, catalogue, Clock.fixed(T0, ZoneOffset.UTC),
        new SimpleMeterRegistry(), FleetTopology.Options.defaults());
    Properties props = StreamsConfigFactory.properties(
        StreamsAppConfig.builder().bootstrapServers("unused:9092").stateDir(stateDir).build(), topics);
    driver = new TopologyTestDriver(topology.build(), props, T0);
    telemetry = driver.createInputTopic(topics.telemetry().name(), topics.telemetry().keySerde().serializer(),
        topics.telemetry().valueSerde().serializer());
    events = driver.createInputTopic(topics.events().name(), topics.events().keySerde().serializer(),
        topics.events().valueSerde().serializer());
    states = driver.createInputTopic(topics.state().name(), topics.state().keySerde().serializer(),
        topics.state().valueSerde().serializer());
    assets = driver.createInputTopic(topics.assets().name(), topics.assets().keySerde().serializer(),
        topics.assets().valueSerde().serializer());
    policies = driver.createInputTopic(topics.policies().name(), topics.policies().keySerde().serializer(),
        topics.policies().valueSerde().serializer());
    models = driver.createInputTopic(topics.models().name(), topics.models().keySerde().serializer(),
        topics.models().valueSerde().serializer());
    violations = driver.createOutputTopic(topics.violations().name(),
        topics.violations().keySerde().deserializer(), topics.violations().valueSerde().deserializer());
  }

  void register(String deviceId, String site, String assetClass) {
    assets.pipeInput(deviceId, Asset.newBuilder().setDeviceId(deviceId).setSite(site).setAssetClass(assetClass)
        .setServices(List.of()).build(), T0.minusSeconds(3600));
  }

  /** Publishes a registered asset as is (registry fields such as approved changes or maintenance windows). */
  void register(Asset asset) {
    assets.pipeInput(asset.getDeviceId(), asset, T0.minusSeconds(3600));
  }

  /** Publishes (or replaces) a model of the registry's catalogue, as {@code fleetwatch registry apply} does. */
  void model(String model, String minimumFirmware, LocalDate supportEndsOn) {
    models.pipeInput(model, DeviceModel.newBuilder().setModel(model).setMinimumFirmware(minimumFirmware)
        .setSupportEndsOn(supportEndsOn).build(), T0.minusSeconds(3600));
  }

  /** Telemetry at {@code T0 + second}, received 50 ms later. */
  void telemetry(String deviceId, long second, Map<String, Double> metrics) {
    telemetry(deviceId, T0.plusSeconds(second), T0.plusSeconds(second).plusMillis(50), null, metrics);
  }

  void telemetry(String deviceId, Instant ts, Instant receivedAt, Long seq, Map<String, Double> metrics) {
    telemetry.pipeInput(deviceId, Telemetry.newBuilder().setDeviceId(deviceId).setSite("hq").setTs(ts)
        .setReceivedAt(receivedAt).setSeq(seq).setMetrics(metrics).build(), ts);
  }

  /** An event at {@code T0 + second}; attributes as alternating names and values. */
  void event(String deviceId, long second, String type, String... attributes) {
    event(deviceId, T0.plusSeconds(second), null, type, attributes);
  }

  void event(String deviceId, Instant ts, Long seq, String type, String... attributes) {
    Map<String, String> attrs = new LinkedHashMap<>();
    for (int i = 0; i < attributes.length; i += 2) {
      attrs.put(attributes[i], attributes[i + 1]);
    }
    events.pipeInput(deviceId, DeviceEvent.newBuilder().setDeviceId(deviceId).setSite("hq").setTs(ts)
        .setReceivedAt(ts.plusMillis(50)).setSeq(seq).setType(type).setAttributes(attrs).build(), ts);
  }

  /** A state report at {@code T0 + second}, shaped by {@code fields}. */
  void state(String deviceId, long second, Consumer<DeviceState.Builder> fields) {
    Instant ts = T0.plusSeconds(second);
    DeviceState.Builder b = DeviceState.newBuilder().setDeviceId(deviceId).setSite("hq").setTs(ts)
        .setReceivedAt(ts.plusMillis(50)).setComponents(List.of());
    fields.accept(b);
    states.pipeInput(deviceId, b.build(), ts);
  }

  void publish(String policyId, String yaml) {
    policies.pipeInput(policyId, Policy.newBuilder().setId(policyId).setVersion(0).setSource("test")
        .setDefinition(yaml).setPublishedAt(T0).build(), T0);
  }

  void advanceWallClock(Duration d) {
    driver.advanceWallClockTime(d);
  }

  /** Every violation emitted so far (also the ones already returned). */
  List<Violation> all() {
    seen.addAll(violations.readValuesToList());
    return seen;
  }

  /** Transitions of one policy so far, e.g. {@code [RAISED, CLEARED]}. */
  List<ViolationStatus> statuses(String policyId) {
    return all().stream().filter(v -> v.getPolicyId().equals(policyId)).map(Violation::getStatus).toList();
  }

  /** Transitions of one check of a policy so far. */
  List<ViolationStatus> statuses(String policyId, String checkId) {
    return all().stream().filter(v -> v.getPolicyId().equals(policyId) && v.getCheckId().equals(checkId))
        .map(Violation::getStatus).toList();
  }

  /** The latest violation of a policy. */
  Violation last(String policyId) {
    List<Violation> of = all().stream().filter(v -> v.getPolicyId().equals(policyId)).toList();
    if (of.isEmpty()) {
      throw new AssertionError("no violation of " + policyId + " among " + all());
    }
    return of.get(of.size() - 1);
  }

  @Override
  public void close() {
    driver.close();
  }
}
