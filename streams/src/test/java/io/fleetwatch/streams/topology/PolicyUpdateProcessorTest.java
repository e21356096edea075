package io.fleetwatch.streams.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.Policy;
import io.fleetwatch.streams.policy.RuntimeCatalogue;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PolicyUpdateProcessor} on a {@link MockProcessorContext}: {@code fleet.policies} records → the global store
 * and the catalogue in force. It forwards nothing.
 */
class PolicyUpdateProcessorTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");
  private static final String STORE = "policies";

  private final MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
  private KeyValueStore<String, Policy> store;
  private RuntimeCatalogue catalogue;

  @BeforeEach
  void setUp() {
    store = MockStores.add(context, STORE, Policy.class);
    catalogue = new RuntimeCatalogue(List.of());
  }

  private static Policy published(String id, int version) {
    String yaml = TestPolicies.document(id, version, "security", """
          - id: weak-tls
            rule:
              type: predicate
              field: tls
              in: [none]
        """);
    return Policy.newBuilder().setId(id).setVersion(version).setSource(id + ".yaml").setDefinition(yaml)
        .setPublishedAt(T0).build();
  }

  private PolicyUpdateProcessor started() {
    PolicyUpdateProcessor processor = new PolicyUpdateProcessor(catalogue, STORE);
    processor.init(context);
    return processor;
  }

  @Test
  void aPublishedDefinitionIsStoredAndPutInForce() {
    PolicyUpdateProcessor processor = started();
    processor.process(new Record<>("TST-09", published("TST-09", 1), T0.toEpochMilli()));
    assertEquals(1, store.get("TST-09").getVersion());
    assertTrue(catalogue.current().policyIds().contains("TST-09"));
    assertEquals(RuntimeCatalogue.Origin.PUBLISHED, catalogue.origin("TST-09"));
    assertTrue(context.forwarded().isEmpty());
  }

  @Test
  void aTombstoneDeletesTheStoredDefinitionAndWithdrawsIt() {
    PolicyUpdateProcessor processor = started();
    processor.process(new Record<>("TST-09", published("TST-09", 1), T0.toEpochMilli()));
    processor.process(new Record<String, Policy>("TST-09", null, T0.toEpochMilli()));
    assertNull(store.get("TST-09"));
    assertFalse(catalogue.current().policyIds().contains("TST-09"));
  }

  @Test
  void anInvalidDefinitionIsKeptInTheStoreButNotPutInForce() {
    // the store mirrors the compacted topic; the catalogue refuses what does not validate
    PolicyUpdateProcessor processor = started();
    Policy broken = Policy.newBuilder(published("TST-09", 1)).setDefinition("apiVersion: fleetwatch.io/v1\n").build();
    processor.process(new Record<>("TST-09", broken, T0.toEpochMilli()));
    assertEquals(broken, store.get("TST-09"));
    assertFalse(catalogue.current().policyIds().contains("TST-09"));
    assertEquals("TST-09", catalogue.rejections().get(0).policyId());
  }

  @Test
  void aRecordWithoutKeyIsSkipped() {
    PolicyUpdateProcessor processor = started();
    processor.process(new Record<>(null, published("TST-09", 1), T0.toEpochMilli()));
    assertFalse(catalogue.current().policyIds().contains("TST-09"));
    try (var all = store.all()) {
      assertFalse(all.hasNext());
    }
  }

  @Test
  void startingAppliesEveryDefinitionAlreadyInTheStore() {
    // Given a store restored from the topic (restoration bypasses the processor)
    store.put("TST-09", published("TST-09", 2));
    // When the processor starts
    started();
    // Then the stored definition is in force
    assertTrue(catalogue.current().policyIds().contains("TST-09"));
    assertEquals(RuntimeCatalogue.Origin.PUBLISHED, catalogue.origin("TST-09"));
  }
}
