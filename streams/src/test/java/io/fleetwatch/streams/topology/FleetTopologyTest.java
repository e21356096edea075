package io.fleetwatch.streams.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.Asset;
import io.fleetwatch.avro.DeadLetter;
import io.fleetwatch.avro.DeadLetterReason;
import io.fleetwatch.avro.DeviceTwin;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentStatus;
import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.avro.Violation;
import io.fleetwatch.avro.ViolationStatus;
import io.fleetwatch.schemas.Topics;
import io.fleetwatch.streams.StreamsAppConfig;
import io.fleetwatch.streams.StreamsConfigFactory;
import io.fleetwatch.streams.policy.PolicyCatalogue;
import io.fleetwatch.streams.policy.PolicyLoader;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetTopologyTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");
  private static final Instant DETECTED = Instant.parse("2025-11-25T10:00:30Z");

  private final Topics topics = Topics.withDefaultPrefix();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private TopologyTestDriver driver;
  private TestInputTopic<String, Telemetry> telemetry;
  private TestInputTopic<String, Asset> assets;
  private TestOutputTopic<String, Violation> violations;
  private TestOutputTopic<String, Incident> incidents;
  private TestOutputTopic<String, DeadLetter> deadLetters;

  @TempDir
  Path stateDir;

  @BeforeEach
  void startDriver() {
    startDriver(StreamsConfig.EXACTLY_ONCE_V2);
  }

  private void startDriver(String processingGuarantee) {
    PolicyCatalogue catalogue = new PolicyLoader().loadCatalogue(Path.of("../policies"));
    FleetTopology topology =
        FleetTopology.withDefaults(topics, catalogue, Clock.fixed(DETECTED, ZoneOffset.UTC), registry);
    // The production properties: exactly-once, explicit naming enforced, the dead-letter handler.
    Properties props = StreamsConfigFactory.properties(
        StreamsAppConfig.builder().bootstrapServers("unused:9092").stateDir(stateDir).build(), topics);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee);
    driver = new TopologyTestDriver(topology.build(), props);
    telemetry = driver.createInputTopic(topics.telemetry().name(),
        topics.telemetry().keySerde().serializer(), topics.telemetry().valueSerde().serializer());
    assets = driver.createInputTopic(topics.assets().name(),
        topics.assets().keySerde().serializer(), topics.assets().valueSerde().serializer());
    violations = driver.createOutputTopic(topics.violations().name(),
        topics.violations().keySerde().deserializer(), topics.violations().valueSerde().deserializer());
    incidents = driver.createOutputTopic(topics.incidents().name(),
        topics.incidents().keySerde().deserializer(), topics.incidents().valueSerde().deserializer());
    deadLetters = driver.createOutputTopic(topics.deadLetter().name(),
        topics.deadLetter().keySerde().deserializer(), topics.deadLetter().valueSerde().deserializer());
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  @Test
  void opensIncidentAfterThreeConsecutiveReadingsAboveEnvelope() {
    // Given chiller-01 registered at site hq as a chiller
    registerChiller("chiller-01");

    // When two readings of 15.0 arrive, then a third
    readSupplyTemp("chiller-01", 0, 15.0);
    readSupplyTemp("chiller-01", 10, 15.0);
    assertTrue(incidents.isEmpty(), "two readings must not open an incident yet");
    readSupplyTemp("chiller-01", 20, 15.0);

    // Then one RAISED violation and one OPEN incident, with the deterministic id and the evidence
    Violation raised = violations.readValue();
    assertEquals(ViolationStatus.RAISED, raised.getStatus());
    assertEquals("SAF-01", raised.getPolicyId());
    assertEquals("chiller-supply-temp", raised.getCheckId());
    assertTrue(raised.getRegistered());
    assertEquals("chiller", raised.getAssetClass());
    assertEquals(15.0, raised.getObserved());
    assertEquals("supply_temp_c 15.0 outside [4.0, 12.0] for 3 consecutive readings over 20.0s",
        raised.getDetail());
    assertEquals(topics.telemetry().name(), raised.getEvidence().getTopic());
    assertEquals(2L, raised.getEvidence().getOffset());
    assertFalse(raised.getReferences().isEmpty());
    assertTrue(violations.isEmpty());

    Incident opened = incidents.readValue();
    assertEquals(IncidentStatus.OPEN, opened.getStatus());
    assertEquals("SAF-01.chiller-01." + T0.plusSeconds(20).toEpochMilli(), opened.getId());
    assertEquals(T0.plusSeconds(20), opened.getOpenedAt());
    assertEquals(DETECTED, opened.getDetectedAt());
    assertEquals("hq", opened.getSite());
    assertEquals(List.of("chiller-supply-temp"), opened.getActiveChecks());
    assertEquals(1, opened.getHistory().size());
    assertEquals(1.0, registry.get(PipelineMetrics.INCIDENTS_OPENED)
        .tags("policy", "SAF-01", "severity", "high").counter().count());
  }

  @Test
  void carriesTheGatewayReceiveTimeIntoViolationIncidentAndDetectionLatencyFromGateway() {
    // Given chiller-01 whose clock runs 4 s behind: each reading reaches the gateway 4 s after its device time
    registerChiller("chiller-01");
    Duration skew = Duration.ofSeconds(4);

    // When three readings above the envelope arrive (the incident opens at DETECTED, 10 s after the third's ts)
    for (int second : new int[] {0, 10, 20}) {
      Instant ts = T0.plusSeconds(second);
      telemetry.pipeInput("chiller-01", Telemetry.newBuilder().setDeviceId("chiller-01").setSite("hq").setTs(ts)
          .setReceivedAt(ts.plus(skew)).setSeq(null).setMetrics(Map.of("supply_temp_c", 15.0)).build(), ts);
    }

    // Then the violation and the incident carry the third reading's receive time
    Instant received = T0.plusSeconds(20).plus(skew);
    assertEquals(received, violations.readValue().getReceivedAt());
    Incident opened = incidents.readValue();
    assertEquals(received, opened.getOpenedReceivedAt());
    assertEquals(T0.plusSeconds(20), opened.getOpenedAt());
    // And the two detection latencies differ by the device's clock offset
    Timer fromDevice = registry.get(PipelineMetrics.DETECTION_LATENCY).tags("policy", "SAF-01").timer();
    Timer fromGateway = registry.get(PipelineMetrics.DETECTION_LATENCY_FROM_GATEWAY).tags("policy", "SAF-01").timer();
    assertEquals(1, fromDevice.count());
    assertEquals(1, fromGateway.count());
    assertEquals(10_000.0, fromDevice.totalTime(TimeUnit.MILLISECONDS));
    assertEquals(6_000.0, fromGateway.totalTime(TimeUnit.MILLISECONDS));
  }

  @Test
  void keepsSingleOpenIncidentWhileReadingsStayHighAndResolvesAfterThreeNormalReadings() {
    // Given an open incident on chiller-01
    registerChiller("chiller-01");
    for (int i = 0; i < 3; i++) {
      readSupplyTemp("chiller-01", i * 10, 15.0);
    }
    String id = incidents.readValue().getId();
    violations.readValuesToList();

    // When more high readings arrive
    for (int i = 3; i < 8; i++) {
      readSupplyTemp("chiller-01", i * 10, 15.0);
    }

    // Then nothing new is raised and no second incident appears
    assertTrue(violations.isEmpty(), "no repeated RAISED while the check holds");
    assertTrue(incidents.isEmpty(), "no duplicate incident");
    KeyValueStore<String, Incident> open = driver.getKeyValueStore(FleetTopology.INCIDENTS_BY_DEDUP_STORE);
    assertEquals(id, open.get("hq|SAF-01|chiller-01").getId());

    // When three readings of 8.0 arrive
    readSupplyTemp("chiller-01", 80, 8.0);
    readSupplyTemp("chiller-01", 90, 8.0);
    assertTrue(incidents.isEmpty(), "two normal readings must not resolve yet");
    readSupplyTemp("chiller-01", 100, 8.0);

    // Then the check clears and the same incident resolves at the event time of the third reading
    Violation cleared = violations.readValue();
    assertEquals(ViolationStatus.CLEARED, cleared.getStatus());
    Incident resolved = incidents.readValue();
    assertEquals(id, resolved.getId());
    assertEquals(IncidentStatus.RESOLVED, resolved.getStatus());
    assertEquals(T0.plusSeconds(100), resolved.getResolvedAt());
    assertTrue(resolved.getActiveChecks().isEmpty());
    assertEquals(List.of(IncidentStatus.OPEN, IncidentStatus.RESOLVED),
        resolved.getHistory().stream().map(t -> t.getStatus()).toList());
    assertNull(open.get("hq|SAF-01|chiller-01"), "the dedup entry is removed on resolution");
    KeyValueStore<String, Incident> global = driver.getKeyValueStore(FleetTopology.INCIDENTS_STORE);
    assertEquals(IncidentStatus.RESOLVED, global.get(id).getStatus());
  }

  @Test
  void unregisteredDeviceIsEvaluatedOnlyByUnscopedChecks() {
    // Given a device that is not in the asset registry
    // When it reports a supply temperature and a device temperature far out of range, three times
    for (int i = 0; i < 3; i++) {
      telemetry.pipeInput("ghost-7", reading("ghost-7", "hq", i * 10,
          Map.of("supply_temp_c", 40.0, "device_temp_c", 99.0)), T0.plusSeconds(i * 10L));
    }

    // Then only the unscoped device-overheat check raises, flagged as unregistered
    List<Violation> raised = violations.readValuesToList();
    assertEquals(1, raised.size());
    assertEquals("device-overheat", raised.get(0).getCheckId());
    assertFalse(raised.get(0).getRegistered());
    assertNull(raised.get(0).getAssetClass());
    Incident incident = incidents.readValue();
    assertEquals("hq", incident.getSite());
    assertNull(incident.getAssetClass());
  }

  @Test
  void deadLettersUndecodableTelemetryAndKeepsProcessing() {
    // The handler sends the dead letter through the task's producer when the record is dequeued. Under
    // exactly-once that send belongs to the open transaction, committed with the next commit; the test driver,
    // though, clears its mock producer (uncommitted sends included) after each input without a commit, which
    // would swallow it. At-least-once here shows what the handler emits; the other tests run exactly-once.
    driver.close();
    startDriver(StreamsConfig.AT_LEAST_ONCE);

    // Given a registered chiller and one reading in breach
    registerChiller("chiller-01");
    readSupplyTemp("chiller-01", 0, 15.0);

    // When a record that is not Avro arrives on the telemetry topic
    byte[] garbage = "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8);
    driver.createInputTopic(topics.telemetry().name(), new StringSerializer(), new ByteArraySerializer())
        .pipeInput("chiller-01", garbage, T0.plusSeconds(5));
    // and two more readings in breach follow
    readSupplyTemp("chiller-01", 10, 15.0);
    readSupplyTemp("chiller-01", 20, 15.0);

    // Then the bad record is dead-lettered with its source position and raw bytes
    DeadLetter letter = deadLetters.readValue();
    assertEquals(DeadLetterReason.UNDECODABLE_RECORD, letter.getReason());
    assertEquals("streams", letter.getComponent());
    assertEquals(topics.telemetry().name(), letter.getSource().getTopic());
    assertEquals(1L, letter.getSource().getOffset());
    assertEquals(garbage.length, letter.getPayloadSize());
    byte[] payload = new byte[letter.getPayload().remaining()];
    letter.getPayload().get(payload);
    assertEquals(new String(garbage, StandardCharsets.UTF_8), new String(payload, StandardCharsets.UTF_8));
    // and the good records around it still count: the third good reading opens the incident
    assertEquals(IncidentStatus.OPEN, incidents.readValue().getStatus());
  }

  @Test
  void keepsTheDeviceTwinWithLatestValues() {
    // Given a registered chiller
    registerChiller("chiller-01");

    // When a reading arrives and then a late one with an older timestamp
    readSupplyTemp("chiller-01", 10, 7.0);
    readSupplyTemp("chiller-01", 0, 9.0);

    // Then the twin counts both but keeps the newer value
    KeyValueStore<String, DeviceTwin> twins = driver.getKeyValueStore(FleetTopology.DEVICE_TWINS_STORE);
    DeviceTwin twin = twins.get("chiller-01");
    assertNotNull(twin);
    assertEquals(2L, twin.getMessages());
    assertEquals(7.0, twin.getMetrics().get("supply_temp_c"));
    assertEquals(T0.plusSeconds(10), twin.getLastSeenAt());
  }

  @Test
  void decodesARegistryEntryOncePerChangeAndAChangedEntryAgain() {
    registerChiller("chiller-01");
    KeyValueStore<String, ValueAndTimestamp<Asset>> registered =
        driver.getTimestampedKeyValueStore(FleetTopology.ASSETS_STORE);
    Asset first = registered.get("chiller-01").value();
    assertSame(first, registered.get("chiller-01").value(), "unchanged entry: the value decoded before");

    assets.pipeInput("chiller-01", Asset.newBuilder(first).setSite("plant-2").build(), T0);
    Asset changed = registered.get("chiller-01").value();
    assertEquals("plant-2", changed.getSite());
    assertEquals("hq", first.getSite(), "a value handed out before is not changed");
  }

  private void registerChiller(String deviceId) {
    assets.pipeInput(deviceId, Asset.newBuilder()
        .setDeviceId(deviceId).setSite("hq").setAssetClass("chiller").setSafetyFunction(false)
        .setServices(List.of("cooling")).build(), T0.minusSeconds(60));
  }

  private void readSupplyTemp(String deviceId, int second, double value) {
    telemetry.pipeInput(deviceId, reading(deviceId, "hq", second, Map.of("supply_temp_c", value)),
        T0.plusSeconds(second));
  }

  private static Telemetry reading(String deviceId, String site, int second, Map<String, Double> metrics) {
    Instant ts = T0.plusSeconds(second);
    return Telemetry.newBuilder()
        .setDeviceId(deviceId).setSite(site).setTs(ts).setReceivedAt(ts.plusMillis(50)).setSeq(null)
        .setMetrics(metrics).build();
  }
}
