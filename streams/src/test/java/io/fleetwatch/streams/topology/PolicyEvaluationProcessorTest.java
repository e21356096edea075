package io.fleetwatch.streams.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.Asset;
import io.fleetwatch.avro.CheckState;
import io.fleetwatch.avro.DeviceCheckStates;
import io.fleetwatch.avro.DeviceEvent;
import io.fleetwatch.avro.DeviceModel;
import io.fleetwatch.avro.DeviceTwin;
import io.fleetwatch.avro.GroupSignal;
import io.fleetwatch.avro.GroupSignalKind;
import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.avro.Violation;
import io.fleetwatch.avro.ViolationStatus;
import io.fleetwatch.schemas.DeviceChannel;
import io.fleetwatch.streams.policy.RuntimeCatalogue;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PolicyEvaluationProcessor} on a {@link MockProcessorContext}: what it forwards and what it leaves in its
 * stores, and that its caches of decoded twins and check states never outlive the stores they mirror.
 */
class PolicyEvaluationProcessorTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");
  private static final String CHECKS = """
    - id: temp
      rule:
        type: envelope
        metric: temp_c
        max: 50
        raise: {consecutive: 2}
        clear: {consecutive: 1}
    - id: silent
      rule:
        type: absence
        expectedInterval: PT10S
        missedIntervals: 3
    - id: sources
      rule:
        type: site-count
        signal: {event: auth_failure}
        distinct: source
        window: PT10M
        threshold: 3
      """;
  private static final String STATE_KEY = "dev-1|TST-01|temp";
  private static final PolicyTopology.StoreNames STORES =
      new PolicyTopology.StoreNames("twins", "states", "legacy-states", "groups", "assets", "models");

  private final MockProcessorContext<String, PolicyOutput> context = new MockProcessorContext<>();
  private KeyValueStore<String, DeviceTwin> twins;
  private KeyValueStore<String, DeviceCheckStates> states;
  private KeyValueStore<String, CheckState> legacyStates;
  private PolicyEvaluationProcessor processor;
  private long offset;

  @BeforeEach
  void setUp() {
    twins = MockStores.add(context, STORES.twins(), DeviceTwin.class);
    states = MockStores.add(context, STORES.checkStates(), DeviceCheckStates.class);
    legacyStates = MockStores.add(context, STORES.legacyCheckStates(), CheckState.class);
    MockStores.add(context, STORES.assets(), Asset.class);
    MockStores.add(context, STORES.models(), DeviceModel.class);
    RuntimeCatalogue catalogue = TestPolicies.catalogue("TST-01", "safety", CHECKS);
    processor = new PolicyEvaluationProcessor(catalogue,
        new PipelineMetrics(new SimpleMeterRegistry(), Set.of("TST-01")), Duration.ofSeconds(5), STORES);
    processor.init(context);
  }

  @Test
  void raisesAfterTwoReadingsAboveTheEnvelopeAndKeepsTheStateInTheStore() {
    // Given a device above the envelope for one reading: pending, nothing forwarded
    process(60.0, 1);
    assertTrue(violations().isEmpty());
    assertEquals(1, state(STATE_KEY).getBreachCount());
    // When the second reading is above too
    process(61.0, 2);
    // Then the check raises, and the store holds the raised state and the twin with both readings counted
    List<Violation> raised = violations();
    assertEquals(1, raised.size());
    assertEquals(ViolationStatus.RAISED, raised.get(0).getStatus());
    assertEquals("dev-1", raised.get(0).getDeviceId());
    assertEquals("telemetry", raised.get(0).getEvidence().getTopic());
    assertTrue(state(STATE_KEY).getActive());
    DeviceTwin twin = twins.get("dev-1");
    assertEquals(2L, twin.getMessages());
    assertEquals(61.0, twin.getMetrics().get("temp_c"));
  }

  @Test
  void aReadingThatChangesNoCheckStateDoesNotRewriteIt() {
    // Given a raised check, and a marked copy of its state put in the store behind the processor's back
    process(60.0, 1);
    process(60.0, 2);
    assertEquals(1, violations().size());
    CheckState marked = CheckState.newBuilder(state(STATE_KEY)).setReference("marker").build();
    putState(STATE_KEY, marked);
    // When a late reading arrives (ignored by the envelope: the state does not change)
    process(T0.minusSeconds(60), 70.0, 3);
    // Then nothing is forwarded and the state was not written again (the marked copy is still there)
    assertTrue(violations().isEmpty());
    assertEquals(marked, state(STATE_KEY));
  }

  @Test
  void aReinitializedProcessorReadsTheRestoredStoreNotItsOldCache() {
    // Given one reading above the envelope (pending, cached)
    process(60.0, 1);
    assertEquals(1, state(STATE_KEY).getBreachCount());
    // When the transaction that wrote it aborts: the stores go back to their committed state (empty) and Kafka
    // Streams closes and initializes the processor again
    processor.close();
    deleteState(STATE_KEY);
    twins.delete("dev-1");
    processor.init(context);
    // Then the next reading above starts a new run (the cache said one reading so far: it would have raised)
    process(61.0, 2);
    assertTrue(violations().isEmpty());
    assertEquals(1, state(STATE_KEY).getBreachCount());
    assertEquals(1L, twins.get("dev-1").getMessages());
  }

  @Test
  void theHeartbeatScanOfAReinitializedProcessorSeesTheDevicesOfTheRestoredStoreOnly() {
    // Given dev-1 committed in the store, and dev-2 written by a transaction that then aborted
    process("dev-1", T0.plusSeconds(1), 20.0, 1);
    process("dev-2", T0.plusSeconds(1), 20.0, 1);
    processor.close();
    twins.delete("dev-2");
    deleteState("dev-2|TST-01|temp");
    deleteState("dev-2|TST-01|silent");
    processor.init(context);
    context.resetForwards();
    // When the wall-clock scan runs after both have been silent for longer than 3 x 10 s
    List<MockProcessorContext.CapturedPunctuator> scans = context.scheduledPunctuators();
    scans.get(scans.size() - 1).getPunctuator().punctuate(T0.plusSeconds(60).toEpochMilli());
    // Then heartbeat loss is raised for dev-1 only
    List<Violation> raised = context.forwarded().stream().map(f -> f.record().value().violation()).toList();
    assertEquals(1, raised.size());
    assertEquals("dev-1", raised.get(0).getDeviceId());
    assertEquals("silent", raised.get(0).getCheckId());
    assertEquals(ViolationStatus.RAISED, raised.get(0).getStatus());
    assertTrue(state("dev-1|TST-01|silent").getActive());
  }

  @Test
  void theHeartbeatScanRaisesOnlyPastTheLimitAndTheNextMessageClears() {
    // Given dev-1 last heard at T0 + 1.005 s (gateway receive time)
    process(20.0, 1);
    context.resetForwards();
    CapturedScan scan = new CapturedScan();
    // When the scan runs 29.995 s later (within 3 x 10 s): nothing
    scan.at(T0.plusSeconds(31));
    assertTrue(context.forwarded().isEmpty());
    // and when it runs after 38.995 s of silence: heartbeat loss, with no record as evidence
    scan.at(T0.plusSeconds(40));
    List<Violation> raised = context.forwarded().stream().map(f -> f.record().value().violation()).toList();
    context.resetForwards();
    assertEquals(List.of("silent RAISED"), raised.stream().map(v -> v.getCheckId() + " " + v.getStatus()).toList());
    assertNull(raised.get(0).getEvidence());
    // Then the device's next message clears it, and a later scan does not raise it again
    process(20.0, 41);
    assertEquals(List.of("silent CLEARED"),
        violations().stream().map(v -> v.getCheckId() + " " + v.getStatus()).toList());
    assertFalse(state("dev-1|TST-01|silent").getActive());
    scan.at(T0.plusSeconds(50));
    assertTrue(context.forwarded().isEmpty());
  }

  @Test
  void aMatchingEventIsForwardedAsAGroupSignalKeyedByItsSite() {
    // When dev-1 reports an auth_failure
    DeviceEvent failure = DeviceEvent.newBuilder().setDeviceId("dev-1").setSite("site-1").setTs(T0)
        .setReceivedAt(T0.plusMillis(5)).setType("auth_failure").setAttributes(Map.of("source", "10.0.0.1")).build();
    context.setRecordMetadata("events", 3, 17);
    processor.process(new Record<>("dev-1", DeviceMessage.of(DeviceChannel.EVENT, failure), T0.toEpochMilli()));
    // Then one SAMPLE signal goes to the site's group, and the device's routing state is kept
    assertEquals(1, context.forwarded().size());
    assertEquals("TST-01|sources|site-1", context.forwarded().get(0).record().key());
    GroupSignal signal = context.forwarded().get(0).record().value().groupSignal();
    assertEquals(GroupSignalKind.SAMPLE, signal.getKind());
    assertEquals("dev-1", signal.getDeviceId());
    assertEquals("10.0.0.1", signal.getValue());
    assertEquals(T0, signal.getAt());
    assertEquals("events", signal.getEvidence().getTopic());
    assertEquals(17L, signal.getEvidence().getOffset());
    assertEquals(T0, state("dev-1|TST-01|sources").getArmedAt());
  }

  /** The processor's wall-clock heartbeat scan, called directly. */
  private final class CapturedScan {
    private final MockProcessorContext.CapturedPunctuator punctuator =
        context.scheduledPunctuators().get(context.scheduledPunctuators().size() - 1);

    void at(Instant wallClock) {
      punctuator.getPunctuator().punctuate(wallClock.toEpochMilli());
    }
  }

  @Test
  void statesKeptPerCheckBeforeAreReadAndMovedToTheDevicesValueOnItsNextMessage() {
    // Given dev-1's envelope check pending after one reading, kept per check (the former form), and dev-2's too
    CheckState pending = CheckState.newBuilder().setActive(false).setBreachCount(1)
        .setBreachSince(T0.plusSeconds(1)).setLastEventTime(T0.plusSeconds(1)).setRuleType("envelope").build();
    legacyStates.put(STATE_KEY, pending);
    legacyStates.put("dev-2|TST-01|temp", pending);
    processor.close();
    processor.init(context);
    // When dev-1's second reading above the envelope arrives
    process(61.0, 2);
    // Then the check raises (the pending run was read), the state is the device's value, and only dev-2's per-check
    // state is left
    assertEquals(List.of(ViolationStatus.RAISED), violations().stream().map(Violation::getStatus).toList());
    assertTrue(state(STATE_KEY).getActive());
    assertNull(legacyStates.get(STATE_KEY));
    assertEquals(pending, legacyStates.get("dev-2|TST-01|temp"));
    assertNull(states.get("dev-2"));
  }

  @Test
  void aRecordThatChangesSeveralChecksKeepsEachOfThemInTheDevicesValue() {
    // Given a raised envelope check and an announced offline device
    process(60.0, 1);
    process(60.0, 2);
    violations();
    // When one reading clears both
    DeviceEvent offline = DeviceEvent.newBuilder().setDeviceId("dev-1").setSite("site-1").setTs(T0.plusSeconds(3))
        .setReceivedAt(T0.plusSeconds(3)).setType("offline").setAttributes(Map.of()).build();
    context.setRecordMetadata("events", 0, offset++);
    processor.process(new Record<>("dev-1", DeviceMessage.of(DeviceChannel.EVENT, offline),
        T0.plusSeconds(3).toEpochMilli()));
    assertTrue(state("dev-1|TST-01|silent").getActive());
    violations();
    process(20.0, 4);
    // Then both clear, and the one value of the device holds both cleared states
    assertEquals(List.of("silent CLEARED", "temp CLEARED"),
        violations().stream().map(v -> v.getCheckId() + " " + v.getStatus()).sorted().toList());
    assertFalse(state(STATE_KEY).getActive());
    assertFalse(state("dev-1|TST-01|silent").getActive());
  }

  @Test
  void clearsWhenTheValueIsBackInside() {
    process(60.0, 1);
    process(60.0, 2);
    context.resetForwards();
    process(20.0, 3);
    List<Violation> cleared = violations();
    assertEquals(1, cleared.size());
    assertEquals(ViolationStatus.CLEARED, cleared.get(0).getStatus());
    assertFalse(state(STATE_KEY).getActive());
  }

  @Test
  void skipsARecordWithoutAValue() {
    context.setRecordMetadata("telemetry", 0, offset++);
    processor.process(new Record<>("dev-1", null, T0.toEpochMilli()));
    assertTrue(context.forwarded().isEmpty());
    assertNull(twins.get("dev-1"));
  }

  private void process(double value, long seq) {
    process(T0.plusSeconds(seq), value, seq);
  }

  private void process(Instant ts, double value, long seq) {
    process("dev-1", ts, value, seq);
  }

  private void process(String device, Instant ts, double value, long seq) {
    Telemetry t = Telemetry.newBuilder().setDeviceId(device).setSite("site-1").setTs(ts)
        .setReceivedAt(ts.plusMillis(5)).setSeq(seq).setMetrics(Map.of("temp_c", value)).build();
    context.setRecordMetadata("telemetry", 0, offset++);
    processor.process(new Record<>(device, DeviceMessage.of(DeviceChannel.TELEMETRY, t), ts.toEpochMilli()));
  }

  /** The stored state of {@code deviceId|policyId|checkId}, or {@code null}. */
  private CheckState state(String key) {
    String[] parts = key.split("\\|", 2);
    DeviceCheckStates device = states.get(parts[0]);
    return device == null ? null : device.getStates().get(parts[1]);
  }

  private void putState(String key, CheckState state) {
    String[] parts = key.split("\\|", 2);
    DeviceCheckStates device = states.get(parts[0]);
    device.getStates().put(parts[1], state);
    states.put(parts[0], device);
  }

  /** Deletes one check's state, and the device's value with its last state. */
  private void deleteState(String key) {
    String[] parts = key.split("\\|", 2);
    DeviceCheckStates device = states.get(parts[0]);
    if (device == null) {
      return;
    }
    device.getStates().remove(parts[1]);
    if (device.getStates().isEmpty()) {
      states.delete(parts[0]);
    } else {
      states.put(parts[0], device);
    }
  }

  private List<Violation> violations() {
    List<Violation> result = context.forwarded().stream()
        .map(f -> f.record().value().violation())
        .filter(v -> v != null)
        .toList();
    context.resetForwards();
    result.forEach(v -> assertNotNull(v.getEvidence()));
    return result;
  }
}
