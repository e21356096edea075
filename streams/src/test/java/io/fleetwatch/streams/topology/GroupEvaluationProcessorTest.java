package io.fleetwatch.streams.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.Asset;
import io.fleetwatch.avro.CheckState;
import io.fleetwatch.avro.Evidence;
import io.fleetwatch.avro.GroupSignal;
import io.fleetwatch.avro.GroupSignalKind;
import io.fleetwatch.avro.Violation;
import io.fleetwatch.avro.ViolationStatus;
import io.fleetwatch.streams.policy.RuntimeCatalogue;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link GroupEvaluationProcessor} on a {@link MockProcessorContext}: a site-count group raises a site finding. */
class GroupEvaluationProcessorTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");
  private static final String CHECKS = """
    - id: sources
      rule:
        type: site-count
        signal: {event: auth_failure}
        distinct: source
        window: PT10M
        threshold: 3
    - id: credential
      rule:
        type: shared-value
        event: auth_success
        attribute: credential
        minDevices: 2
      """;

  private final MockProcessorContext<String, Violation> context = new MockProcessorContext<>();
  private KeyValueStore<String, CheckState> groups;
  private GroupEvaluationProcessor processor;

  @BeforeEach
  void setUp() {
    groups = MockStores.add(context, "groups", CheckState.class);
    MockStores.add(context, "assets", Asset.class);
    RuntimeCatalogue catalogue = TestPolicies.catalogue("TST-02", "security", CHECKS);
    processor = new GroupEvaluationProcessor(catalogue,
        new PipelineMetrics(new SimpleMeterRegistry(), Set.of("TST-02")), "groups", "assets");
    processor.init(context);
  }

  @Test
  void raisesOneSiteFindingWhenThreeDistinctSourcesFailAcrossTheSite() {
    // Given two distinct sources from two devices of the site: below the threshold
    process(sample("dev-1", "10.0.0.1", 1));
    process(sample("dev-2", "10.0.0.2", 2));
    assertTrue(context.forwarded().isEmpty());
    // When a third distinct source fails on a third device
    process(sample("dev-3", "10.0.0.3", 3));
    // Then one site-level violation (device id = site) is raised, and the group's state is in the store
    List<Violation> raised = context.forwarded().stream().map(f -> (Violation) f.record().value()).toList();
    assertEquals(1, raised.size());
    Violation site = raised.get(0);
    assertEquals(ViolationStatus.RAISED, site.getStatus());
    assertEquals("site-1", site.getDeviceId());
    assertEquals("site-1", context.forwarded().get(0).record().key());
    assertTrue(site.getRegistered());
    assertNotNull(groups.get("TST-02|sources|site-1"));
    assertTrue(groups.get("TST-02|sources|site-1").getActive());
  }

  @Test
  void skipsASignalOfACheckThatIsNotInTheCatalogue() {
    GroupSignal unknown = GroupSignal.newBuilder(sample("dev-1", "10.0.0.1", 1)).setCheckId("gone").build();
    process(unknown);
    assertTrue(context.forwarded().isEmpty());
    assertEquals(null, groups.get("TST-02|gone|site-1"));
  }

  @Test
  void aSharedValueRaisesOneViolationPerDeviceQualifiedByTheValueAndALeaveClearsBoth() {
    // Given one device carrying a credential hash: not shared
    process(membership(GroupSignalKind.JOIN, "dev-1", 1));
    assertTrue(context.forwarded().isEmpty());
    // When a second device joins the same value
    process(membership(GroupSignalKind.JOIN, "dev-2", 2));
    // Then each device gets a violation under its own key, with the value in the check id
    assertEquals(List.of("dev-1 credential:sha256:abc RAISED", "dev-2 credential:sha256:abc RAISED"), forwarded());
    assertTrue(groups.get("TST-02|credential|sha256:abc").getActive());
    // And when one of them changes its value, both clear
    process(membership(GroupSignalKind.LEAVE, "dev-2", 3));
    assertEquals(List.of("dev-2 credential:sha256:abc CLEARED", "dev-1 credential:sha256:abc CLEARED"), forwarded());
    assertEquals(1, groups.get("TST-02|credential|sha256:abc").getSamples().size());
  }

  /** The forwarded violations as {@code key checkId status}; clears the list. */
  private List<String> forwarded() {
    List<String> result = context.forwarded().stream().map(f -> f.record().key() + " "
        + ((Violation) f.record().value()).getCheckId() + " " + ((Violation) f.record().value()).getStatus()).toList();
    context.resetForwards();
    return result;
  }

  private static GroupSignal membership(GroupSignalKind kind, String device, int second) {
    return GroupSignal.newBuilder().setPolicyId("TST-02").setCheckId("credential").setGroup("sha256:abc")
        .setKind(kind).setDeviceId(device).setSite("site-1").setAt(T0.plusSeconds(second))
        .setEvidence(new Evidence("events", 0, (long) second)).build();
  }

  private void process(GroupSignal signal) {
    processor.process(new Record<>(PolicyOutput.groupKey(signal), signal, signal.getAt().toEpochMilli()));
  }

  private static GroupSignal sample(String device, String source, int second) {
    return GroupSignal.newBuilder().setPolicyId("TST-02").setCheckId("sources").setGroup("site-1")
        .setKind(GroupSignalKind.SAMPLE).setDeviceId(device).setSite("site-1").setAt(T0.plusSeconds(second))
        .setValue(source).setEvidence(new Evidence("events", 0, (long) second)).build();
  }
}
