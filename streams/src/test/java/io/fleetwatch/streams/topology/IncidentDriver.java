package io.fleetwatch.streams.topology;

import io.fleetwatch.avro.Asset;
import io.fleetwatch.avro.BusinessService;
import io.fleetwatch.avro.DeviceEvent;
import io.fleetwatch.avro.DeviceState;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentCommand;
import io.fleetwatch.avro.IncidentCommandRejection;
import io.fleetwatch.avro.IncidentCommandType;
import io.fleetwatch.avro.Stakeholder;
import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.avro.Verification;
import io.fleetwatch.schemas.Topics;
import io.fleetwatch.streams.StreamsAppConfig;
import io.fleetwatch.streams.StreamsConfigFactory;
import io.fleetwatch.streams.incident.IncidentRules;
import io.fleetwatch.streams.incident.IncidentRulesLoader;
import io.fleetwatch.streams.incident.IncidentTiming;
import io.fleetwatch.streams.policy.PolicyLoader;
import io.fleetwatch.streams.policy.RuntimeCatalogue;
import io.fleetwatch.streams.registry.AssetRegistryFile;
import io.fleetwatch.streams.registry.Registry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The production topology with the shipped policies and incident rules ({@code ../policies}) and the demo fleet
 * registry (assets, services, stakeholders) on a {@link TopologyTestDriver}; the wall clock of the driver and the
 * topology's clock move together from {@link #T0}. Incidents are collected by id (latest state wins).
 */
final class IncidentDriver implements AutoCloseable {
  static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");

  final Topics topics = Topics.withDefaultPrefix();
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final TopologyTestDriver driver;
  private final MovingClock clock = new MovingClock(T0);
  private final TestInputTopic<String, Telemetry> telemetry;
  private final TestInputTopic<String, DeviceState> states;
  private final TestInputTopic<String, DeviceEvent> events;
  private final TestInputTopic<String, IncidentCommand> commands;
  private final TestOutputTopic<String, Incident> incidentsOut;
  private final TestOutputTopic<String, IncidentCommandRejection> rejectionsOut;
  private final TestInputTopic<String, Incident> incidentsIn;
  private final Map<String, Incident> latest = new LinkedHashMap<>();
  private final List<Incident> changes = new ArrayList<>();
  private final List<IncidentCommandRejection> rejections = new ArrayList<>();

  IncidentDriver(Path stateDir, IncidentTiming timing) throws Exception {
    RuntimeCatalogue catalogue = new RuntimeCatalogue(new PolicyLoader().load(Path.of("../policies")));
    IncidentRules rules = new IncidentRulesLoader().load(Path.of("../policies"));
    FleetTopology topology = new FleetTopology(topics, catalogue, clock, meters,
        FleetTopology.Options.defaults().withIncidents(rules, timing));
    Properties props = StreamsConfigFactory.properties(
        StreamsAppConfig.builder().bootstrapServers("unused:9092").stateDir(stateDir).build(), topics);
    driver = new TopologyTestDriver(topology.build(), props, T0);
    telemetry = driver.createInputTopic(topics.telemetry().name(), topics.telemetry().keySerde().serializer(),
        topics.telemetry().valueSerde().serializer());
    states = driver.createInputTopic(topics.state().name(), topics.state().keySerde().serializer(),
        topics.state().valueSerde().serializer());
    events = driver.createInputTopic(topics.events().name(), topics.events().keySerde().serializer(),
        topics.events().valueSerde().serializer());
    commands = driver.createInputTopic(topics.incidentCommands().name(),
        topics.incidentCommands().keySerde().serializer(), topics.incidentCommands().valueSerde().serializer());
    incidentsOut = driver.createOutputTopic(topics.incidents().name(), topics.incidents().keySerde().deserializer(),
        topics.incidents().valueSerde().deserializer());
    incidentsIn = driver.createInputTopic(topics.incidents().name(), topics.incidents().keySerde().serializer(),
        topics.incidents().valueSerde().serializer());
    rejectionsOut = driver.createOutputTopic(topics.incidentCommandsRejected().name(),
        topics.incidentCommandsRejected().keySerde().deserializer(),
        topics.incidentCommandsRejected().valueSerde().deserializer());
    Registry registry = AssetRegistryFile.readRegistry(Path.of("../examples/demo-fleet/assets.yaml"));
    var assets = driver.createInputTopic(topics.assets().name(), topics.assets().keySerde().serializer(),
        topics.assets().valueSerde().serializer());
    for (Asset a : registry.assets()) {
      assets.pipeInput(a.getDeviceId(), a, T0.minusSeconds(3600));
    }
    var services = driver.createInputTopic(topics.services().name(), topics.services().keySerde().serializer(),
        topics.services().valueSerde().serializer());
    for (BusinessService s : registry.services()) {
      services.pipeInput(s.getId(), s, T0.minusSeconds(3600));
    }
    var stakeholders = driver.createInputTopic(topics.stakeholders().name(),
        topics.stakeholders().keySerde().serializer(), topics.stakeholders().valueSerde().serializer());
    for (Stakeholder s : registry.stakeholders()) {
      stakeholders.pipeInput(s.getId(), s, T0.minusSeconds(3600));
    }
  }

  /** Telemetry at {@code T0 + second}. */
  void reading(String deviceId, long second, String metric, double value) {
    Instant ts = T0.plusSeconds(second);
    telemetry.pipeInput(deviceId, Telemetry.newBuilder().setDeviceId(deviceId).setSite("hq").setTs(ts)
        .setReceivedAt(ts.plusMillis(50)).setSeq(null).setMetrics(Map.of(metric, value)).build(), ts);
    collect();
  }

  /** A state report at {@code T0 + second}. */
  void state(String deviceId, long second, Consumer<DeviceState.Builder> fields) {
    Instant ts = T0.plusSeconds(second);
    DeviceState.Builder b = DeviceState.newBuilder().setDeviceId(deviceId).setSite("hq").setTs(ts)
        .setReceivedAt(ts.plusMillis(50)).setComponents(List.of());
    fields.accept(b);
    states.pipeInput(deviceId, b.build(), ts);
    collect();
  }

  /** An event at {@code T0 + second} with one attribute. */
  void event(String deviceId, long second, String type, String attribute, String value) {
    Instant ts = T0.plusSeconds(second);
    events.pipeInput(deviceId, DeviceEvent.newBuilder().setDeviceId(deviceId).setSite("hq").setTs(ts)
        .setReceivedAt(ts.plusMillis(50)).setSeq(null).setType(type).setAttributes(Map.of(attribute, value))
        .build(), ts);
    collect();
  }

  /** A responder's command issued now. */
  void command(String incidentId, IncidentCommandType type, String actor, String assignee, Verification verdict) {
    commands.pipeInput(incidentId, IncidentCommand.newBuilder().setCommandId(UUID.randomUUID().toString())
        .setIncidentId(incidentId).setType(type).setActor(actor).setReason("test").setAssignee(assignee)
        .setVerification(verdict).setIssuedAt(clock.instant()).build(), clock.instant());
    collect();
  }

  /** Moves the wall clock of the driver (punctuators) and of the topology together. */
  void advanceWallClock(Duration d) {
    clock.now = clock.now.plus(d);
    driver.advanceWallClockTime(d);
    collect();
  }

  private void collect() {
    for (var kv : incidentsOut.readKeyValuesToList()) {
      latest.put(kv.key, kv.value);
      changes.add(kv.value);
      incidentsIn.pipeInput(kv.key, kv.value, clock.instant()); // the global table reads the output topic back
    }
    rejections.addAll(rejectionsOut.readValuesToList());
  }

  /** Latest state of every incident published so far. */
  Map<String, Incident> incidents() {
    collect();
    return latest;
  }

  List<Incident> changes() {
    collect();
    return changes;
  }

  /** The only incident of a policy (fails when there is none or more than one). */
  Incident only(String policyId) {
    List<Incident> of = incidents().values().stream().filter(i -> i.getPolicyId().equals(policyId)).toList();
    if (of.size() != 1) {
      throw new AssertionError("expected one " + policyId + " incident, got " + of);
    }
    return of.get(0);
  }

  List<IncidentCommandRejection> rejections() {
    collect();
    return rejections;
  }

  double gauge(String name, String... tags) {
    var search = meters.find(name).tags(tags);
    return search.gauge() == null ? Double.NaN : search.gauge().value();
  }

  @Override
  public void close() {
    driver.close();
  }

  /** A clock the test moves. */
  private static final class MovingClock extends Clock {
    private Instant now;

    MovingClock(Instant start) {
      this.now = start;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
