package io.fleetwatch.streams.policy;

import static io.fleetwatch.streams.policy.Reports.reported;
import static io.fleetwatch.streams.policy.Reports.state;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.Asset;
import io.fleetwatch.avro.MaintenanceWindow;
import io.fleetwatch.avro.PolicyKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** SAF-03, SEC-16 and FLT-04: a {@code then} signal while armed by a {@code first} one. */
class SequenceTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");

  /** SAF-03: command ON while the interlock is open; closing the interlock disarms and clears. */
  private static final Sequence INTERLOCK = new Sequence(
      new SignalMatch.Event("interlock", "state", Set.of("open"), Set.of()),
      new SignalMatch.Event("command", "action", Set.of("on", "start", "run"), Set.of()), null,
      new SignalMatch.Event("interlock", "state", Set.of("closed"), Set.of()), null, false, false);

  /** FLT-04: a safety violation within 30 minutes after a security violation; cleared with the safety one. */
  private static final Set<String> SAFETY = Set.of("SAF-01", "SAF-03");
  private static final Sequence AFTER_CYBER_CHANGE = new Sequence(
      new SignalMatch.Violation(Set.of("SEC-01", "SEC-09"), true), new SignalMatch.Violation(SAFETY, true),
      Duration.ofMinutes(30), null, new SignalMatch.Violation(SAFETY, false), false, false);

  /** SEC-16: tamper outside maintenance (mode or scheduled window); armed from the start. */
  private static final Sequence TAMPER = new Sequence(
      new SignalMatch.State(StateField.MODE, Set.of(), Set.of("maintenance")),
      new SignalMatch.Event("tamper", "state", Set.of(), Set.of("closed", "cleared")), null,
      new SignalMatch.State(StateField.MODE, Set.of("maintenance"), Set.of()),
      new SignalMatch.Event("tamper", "state", Set.of("closed", "cleared"), Set.of()), true, true);

  private static Observation event(long second, String type, String attribute, String value) {
    return Observation.event(T0.plusSeconds(second), null, null, type, Map.of(attribute, value));
  }

  private static Observation interlock(long second, String state) {
    return event(second, "interlock", "state", state);
  }

  private static Observation command(long second, String action) {
    return event(second, "command", "action", action);
  }

  private static Observation violation(long second, String policy, boolean raised) {
    PolicyKind kind = policy.startsWith("SAF") ? PolicyKind.SAFETY : PolicyKind.SECURITY;
    return Observation.violation(T0.plusSeconds(second), new ViolationSignal(policy, kind, raised));
  }

  private static Observation mode(long second, String mode) {
    return state(reported(T0.plusSeconds(second)).setMode(mode));
  }

  private static Observation tamper(long second, String state) {
    return event(second, "tamper", "state", state);
  }

  // --- SAF-03

  @Test
  void aCommandWithoutTheInterlockOpenDoesNotRaise() {
    RuleRun run = new RuleRun(INTERLOCK);
    assertEquals(Outcome.NONE, run.feed(command(0, "on")));
    assertEquals(Outcome.NONE, run.feed(interlock(1, "closed")));
    assertEquals(Outcome.NONE, run.feed(command(2, "on")));
    assertFalse(run.active());
  }

  @Test
  void aCommandOnWhileTheInterlockIsOpenRaisesAndClosingItClears() {
    RuleRun run = new RuleRun(INTERLOCK);
    assertEquals(Outcome.PENDING, run.feed(interlock(0, "open")));
    assertEquals(Outcome.NONE, run.feed(command(5, "off")));
    assertEquals(Outcome.RAISED, run.feed(command(10, "start")));
    assertEquals(Outcome.HOLD, run.feed(command(20, "on")));
    assertEquals(Outcome.CLEARED, run.feed(interlock(30, "closed")));
    assertNull(run.state().getArmedAt());
    assertEquals(Outcome.NONE, run.feed(command(40, "on")));
  }

  @Test
  void aCommandOlderThanTheOpeningDoesNotRaise() {
    RuleRun run = new RuleRun(INTERLOCK);
    run.feed(interlock(100, "open"));
    assertEquals(Outcome.NONE, run.feed(command(50, "on")));
    assertFalse(run.active());
  }

  @Test
  void aLateOpeningDoesNotRaiseForAnEarlierCommand() {
    RuleRun run = new RuleRun(INTERLOCK);
    run.feed(command(100, "on"));
    assertEquals(Outcome.PENDING, run.feed(interlock(50, "open")));
    assertFalse(run.active());
  }

  @Test
  void aLateClosingOlderThanTheOpeningIsIgnored() {
    RuleRun run = new RuleRun(INTERLOCK);
    run.feed(interlock(100, "open"));
    run.feed(interlock(50, "closed"));
    assertEquals(T0.plusSeconds(100), run.state().getArmedAt());
    assertEquals(Outcome.RAISED, run.feed(command(110, "on")));
  }

  // --- FLT-04

  @Test
  void aSafetyViolationUpToThirtyMinutesAfterASecurityOneRaises() {
    RuleRun run = new RuleRun(AFTER_CYBER_CHANGE);
    assertEquals(Outcome.PENDING, run.feed(violation(0, "SEC-09", true)));
    assertEquals(Outcome.RAISED, run.feed(violation(1800, "SAF-01", true)));
    assertTrue(run.last().detail().contains("within PT30M"), run.last().detail());
  }

  @Test
  void aSafetyViolationLaterThanThirtyMinutesDoesNotRaise() {
    RuleRun run = new RuleRun(AFTER_CYBER_CHANGE);
    run.feed(violation(0, "SEC-09", true));
    assertEquals(Outcome.NONE, run.feed(violation(1801, "SAF-01", true)));
  }

  @Test
  void aNewerSecurityViolationRestartsTheWindow() {
    RuleRun run = new RuleRun(AFTER_CYBER_CHANGE);
    run.feed(violation(0, "SEC-01", true));
    run.feed(violation(1000, "SEC-09", true));
    assertEquals(Outcome.RAISED, run.feed(violation(2500, "SAF-03", true)));
  }

  @Test
  void otherPoliciesAndClearedSecurityViolationsDoNotArm() {
    RuleRun run = new RuleRun(AFTER_CYBER_CHANGE);
    assertEquals(Outcome.NONE, run.feed(violation(0, "SEC-13", true)));
    assertNull(run.state());
    assertEquals(Outcome.NONE, run.feed(violation(1, "SEC-09", false)));
    assertEquals(Outcome.NONE, run.feed(violation(2, "SAF-01", true)));
  }

  @Test
  void theClearSignalClearsARaisedCheck() {
    RuleRun run = new RuleRun(AFTER_CYBER_CHANGE);
    run.feed(violation(0, "SEC-09", true));
    run.feed(violation(60, "SAF-01", true));
    assertEquals(Outcome.CLEARED, run.feed(violation(120, "SAF-01", false)));
    assertFalse(run.active());
  }

  // --- SEC-16

  @Test
  void aTamperWithoutAnyHistoryRaisesBecauseTheCheckStartsArmed() {
    RuleRun run = new RuleRun(TAMPER);
    assertEquals(Outcome.RAISED, run.feed(tamper(0, "open")));
    assertEquals("tamper state not in [cleared, closed]", run.last().detail());
    assertEquals(Outcome.CLEARED, run.feed(tamper(10, "closed")));
  }

  @Test
  void maintenanceModeDisarmsUntilTheDeviceLeavesIt() {
    RuleRun run = new RuleRun(TAMPER);
    run.feed(mode(0, "maintenance"));
    assertEquals(Outcome.NONE, run.feed(tamper(10, "open")));
    run.feed(mode(20, "running"));
    assertEquals(Outcome.RAISED, run.feed(tamper(30, "open")));
  }

  @Test
  void withAClearSignalDisarmingDoesNotClear() {
    RuleRun run = new RuleRun(TAMPER);
    run.feed(tamper(0, "open"));
    assertEquals(Outcome.HOLD, run.feed(mode(10, "maintenance")));
    assertTrue(run.active());
    assertEquals(Outcome.CLEARED, run.feed(tamper(20, "cleared")));
  }

  @Test
  void aTamperInAScheduledMaintenanceWindowOfTheAssetDoesNotRaise() {
    Asset asset = Asset.newBuilder().setDeviceId("door-1").setSite("site-1").setAssetClass("access-panel")
        .setMaintenanceWindows(List.of(MaintenanceWindow.newBuilder().setFrom(T0.plusSeconds(100))
            .setUntil(T0.plusSeconds(200)).setReference("WO-7").build()))
        .build();
    RuleRun run = new RuleRun(TAMPER);
    assertEquals(Outcome.NONE, run.feed(tamper(150, "open").registered(asset, null)));
    assertEquals("tamper state not in [cleared, closed] in a scheduled maintenance window", run.last().detail());
    assertEquals(Outcome.RAISED, run.feed(tamper(200, "open").registered(asset, null)));
  }

  @Test
  void refusesBadArguments() {
    SignalMatch open = SignalMatch.Event.ofType("open");
    SignalMatch on = SignalMatch.Event.ofType("on");
    assertEquals("clear: a sequence needs disarm and/or clear, or it could never clear",
        assertThrows(IllegalArgumentException.class,
            () -> new Sequence(open, on, null, null, null, false, false)).getMessage());
    assertEquals("within: must not be negative, got PT-1S", assertThrows(IllegalArgumentException.class,
        () -> new Sequence(open, on, Duration.ofSeconds(-1), open, null, false, false)).getMessage());
    assertEquals("first", assertThrows(NullPointerException.class,
        () -> new Sequence(null, on, null, open, null, false, false)).getMessage());
    assertEquals("then", assertThrows(NullPointerException.class,
        () -> new Sequence(open, null, null, open, null, false, false)).getMessage());
  }
}
