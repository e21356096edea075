package io.fleetwatch.streams.incident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentCommand;
import io.fleetwatch.avro.IncidentCommandType;
import io.fleetwatch.avro.IncidentStatus;
import io.fleetwatch.avro.PolicyKind;
import io.fleetwatch.avro.Severity;
import io.fleetwatch.avro.Verification;
import io.fleetwatch.avro.Violation;
import io.fleetwatch.avro.ViolationStatus;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IncidentLifecycleTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");
  private final IncidentLifecycle lifecycle = new IncidentLifecycle(new IncidentTiming(Duration.ofMinutes(2),
      Duration.ofMinutes(30), Duration.ofSeconds(10), Duration.ofMinutes(1)));

  private static Violation violation(ViolationStatus status, long second) {
    return Violation.newBuilder().setPolicyId("SAF-01").setCheckId("c").setTitle("t").setKind(PolicyKind.SAFETY)
        .setStatus(status).setSeverity(Severity.HIGH).setDeviceId("chiller-01").setSite("hq")
        .setEventTime(T0.plusSeconds(second)).setDetail("d").build();
  }

  private Incident open() {
    return lifecycle.apply(null, violation(ViolationStatus.RAISED, 0), T0).incident();
  }

  private static IncidentCommand command(IncidentCommandType type) {
    return IncidentCommand.newBuilder().setCommandId("1").setIncidentId("x").setType(type).setActor("alice")
        .setAssignee(type == IncidentCommandType.ASSIGN ? "bob" : null)
        .setVerification(type == IncidentCommandType.VERIFY ? Verification.BENIGN_POSITIVE : null)
        .setIssuedAt(T0.plusSeconds(60)).build();
  }

  @Test
  void waitsOutTheQuietPeriodAfterTheLastClearBeforeResolving() {
    Incident cleared = lifecycle.apply(open(), violation(ViolationStatus.CLEARED, 10), T0).incident();
    assertEquals(IncidentStatus.OPEN, cleared.getStatus());
    assertEquals(T0.plusSeconds(10), cleared.getClearedAt());

    assertEquals(IncidentChange.Type.IGNORED, lifecycle.tick(cleared, T0.plusSeconds(129)).type());
    IncidentChange resolved = lifecycle.tick(cleared, T0.plusSeconds(130));
    assertEquals(IncidentChange.Type.RESOLVED, resolved.type());
    assertEquals(T0.plusSeconds(10), resolved.incident().getResolvedAt());
    assertNull(resolved.incident().getClearedAt());
  }

  @Test
  void reopensWithinTheWindowAndOpensANewIncidentAfterIt() {
    Incident cleared = lifecycle.apply(open(), violation(ViolationStatus.CLEARED, 10), T0).incident();
    Incident resolved = lifecycle.tick(cleared, T0.plusSeconds(200)).incident();

    IncidentChange within = lifecycle.apply(resolved, violation(ViolationStatus.RAISED, 10 + 1800), T0);
    assertEquals(IncidentChange.Type.REOPENED, within.type());
    assertEquals(resolved.getId(), within.incident().getId());
    IncidentChange after = lifecycle.apply(resolved, violation(ViolationStatus.RAISED, 10 + 1801), T0);
    assertEquals(IncidentChange.Type.OPENED, after.type());
    assertEquals("SAF-01.chiller-01." + T0.plusSeconds(1811).toEpochMilli(), after.incident().getId());
  }

  @ParameterizedTest(name = "{0} on {1}: {2}")
  @CsvSource(delimiter = '|', value = {
      "ACKNOWLEDGE | OPEN         | ",
      "ACKNOWLEDGE | ACKNOWLEDGED | cannot acknowledge an incident that is acknowledged",
      "ACKNOWLEDGE | RESOLVED     | cannot acknowledge an incident that is resolved",
      "ASSIGN      | ACKNOWLEDGED | ",
      "ASSIGN      | RESOLVED     | cannot assign an incident that is resolved",
      "RESOLVE     | ACKNOWLEDGED | ",
      "RESOLVE     | RESOLVED     | the incident is already resolved",
      "VERIFY      | RESOLVED     | "})
  void allowsOnlyTheLegalTransitions(IncidentCommandType type, IncidentStatus status, String rejection) {
    Incident incident = Incident.newBuilder(open()).setStatus(status).build();
    CommandResult result = lifecycle.command(incident, command(type));
    assertEquals(rejection, result.rejection());
    if (result.isApplied()) {
      assertEquals("alice", result.incident().getHistory().get(result.incident().getHistory().size() - 1).getActor());
    }
  }

  @Test
  void anUnknownIncidentIsRejected() {
    assertEquals("unknown incident x", lifecycle.command(null, command(IncidentCommandType.RESOLVE)).rejection());
  }
}
