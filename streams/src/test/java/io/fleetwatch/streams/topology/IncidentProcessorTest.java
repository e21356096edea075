package io.fleetwatch.streams.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.Asset;
import io.fleetwatch.avro.BusinessService;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentCommand;
import io.fleetwatch.avro.IncidentCommandType;
import io.fleetwatch.avro.IncidentStatus;
import io.fleetwatch.avro.PolicyKind;
import io.fleetwatch.avro.Severity;
import io.fleetwatch.avro.Stakeholder;
import io.fleetwatch.avro.Transition;
import io.fleetwatch.avro.Violation;
import io.fleetwatch.avro.ViolationStatus;
import io.fleetwatch.streams.incident.IncidentAssessor;
import io.fleetwatch.streams.incident.IncidentLifecycle;
import io.fleetwatch.streams.incident.IncidentRules;
import io.fleetwatch.streams.incident.IncidentTiming;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link IncidentProcessor} on a {@link MockProcessorContext}: incidents under their site key, rejected commands, and
 * a correlation's note in the history bounded like every other change.
 */
class IncidentProcessorTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");
  private static final String ATTACK = "attack";
  private static final IncidentTopology.StoreNames STORES = new IncidentTopology.StoreNames("by-dedup", "assets",
      "services", "stakeholders", "incidents", "violations-by-site", "commands-by-site");

  private final MockProcessorContext<String, IncidentOutput> context = new MockProcessorContext<>();
  private final IncidentRules rules = IncidentRules.defaults();
  private final IncidentLifecycle lifecycle = new IncidentLifecycle(IncidentTiming.IMMEDIATE);
  private KeyValueStore<String, Incident> byDedup;
  private IncidentProcessor processor;

  @BeforeEach
  void setUp() {
    byDedup = MockStores.add(context, STORES.incidentsByDedup(), Incident.class);
    MockStores.add(context, STORES.assets(), Asset.class);
    MockStores.add(context, STORES.services(), BusinessService.class);
    MockStores.add(context, STORES.stakeholders(), Stakeholder.class);
    MockStores.add(context, STORES.incidents(), Incident.class);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    processor = new IncidentProcessor(lifecycle, new IncidentAssessor(rules), Clock.fixed(T0, ZoneOffset.UTC),
        new PipelineMetrics(registry, Set.of("SAF-01", "SEC-03", "FLT-03")),
        new IncidentMetrics(registry, () -> Set.of("SAF-01", "SEC-03", "FLT-03"), rules.matrix().categories()),
        STORES);
    processor.init(context);
  }

  @Test
  void opensAnIncidentForARaisedViolationUnderItsSiteKey() {
    process(violation("SAF-01", PolicyKind.SAFETY, "dev-1", ViolationStatus.RAISED));
    List<Incident> out = incidents();
    assertEquals(1, out.size());
    Incident opened = out.get(0);
    assertEquals(IncidentStatus.OPEN, opened.getStatus());
    assertEquals("dev-1", opened.getDeviceId());
    assertEquals(opened.getId(), context.forwarded().get(0).record().key());
    assertEquals(opened, byDedup.get("site-1|SAF-01|dev-1"));
  }

  @Test
  void rejectsACommandOnAnUnknownIncident() {
    IncidentCommand command = IncidentCommand.newBuilder().setCommandId("c-1").setIncidentId("nope")
        .setType(IncidentCommandType.ACKNOWLEDGE).setActor("alice").setIssuedAt(T0).build();
    processor.process(new Record<>("nope", IncidentInput.of(command), T0.toEpochMilli()));
    assertEquals(1, context.forwarded().size());
    assertNotNull(context.forwarded().get(0).record().value().rejection());
    assertEquals("nope", context.forwarded().get(0).record().key());
  }

  @Test
  void aCorrelationNoteKeepsTheHistoryBoundedLikeEveryOtherChange() {
    // Given an open mass-offline incident (FLT-03) assessed as an outage, its history already at the bound
    Violation silence = violation("FLT-03", PolicyKind.SECURITY, "site-1", ViolationStatus.RAISED);
    Incident flt03 = Incident.newBuilder(lifecycle.apply(null, silence, T0).incident())
        .setDeviceId(null).setAssessment("outage").build();
    List<Transition> full = new ArrayList<>(flt03.getHistory());
    while (full.size() < IncidentLifecycle.MAX_HISTORY) {
      full.add(new Transition(IncidentStatus.OPEN, T0, "still silent", null));
    }
    flt03.setHistory(full);
    String key = "site-1|" + IncidentLifecycle.siteDedupKey("FLT-03", "site-1");
    byDedup.put(key, flt03);
    // When a security incident opens at the site (the silence now looks like an attack)
    process(violation("SEC-03", PolicyKind.SECURITY, "dev-1", ViolationStatus.RAISED));
    // Then FLT-03 is re-assessed, noted in its history, and the history stays at the bound
    Incident reassessed = byDedup.get(key);
    assertEquals(ATTACK, reassessed.getAssessment());
    assertEquals(IncidentLifecycle.MAX_HISTORY, reassessed.getHistory().size());
    Transition last = reassessed.getHistory().get(reassessed.getHistory().size() - 1);
    assertEquals("assessed as " + ATTACK, last.getReason());
    assertEquals(flt03.getHistory().get(0), reassessed.getHistory().get(0));
    assertTrue(incidents().stream().anyMatch(i -> i.getId().equals(flt03.getId())));
  }

  private void process(Violation violation) {
    processor.process(new Record<>(violation.getSite(), IncidentInput.of(violation), T0.toEpochMilli()));
  }

  private List<Incident> incidents() {
    return context.forwarded().stream().map(f -> f.record().value().incident()).filter(i -> i != null).toList();
  }

  private static Violation violation(String policy, PolicyKind kind, String device, ViolationStatus status) {
    return Violation.newBuilder().setPolicyId(policy).setCheckId("check").setTitle(policy + " title").setKind(kind)
        .setStatus(status).setSeverity(Severity.HIGH).setDeviceId(device).setSite("site-1").setEventTime(T0)
        .setDetail("detail").build();
  }
}
