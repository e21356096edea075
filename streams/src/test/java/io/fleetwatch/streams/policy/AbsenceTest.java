package io.fleetwatch.streams.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.CheckState;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SEC-14: silent for more than {@code missedIntervals × expectedInterval} of wall-clock time. */
class AbsenceTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");
  /** Expected every minute, lost after 3 minutes of silence. */
  private static final Absence RULE = new Absence(Duration.ofMinutes(1), 3);

  private static Observation heardAt(long receivedSecond, long deviceSecond) {
    return Observation.telemetry(T0.plusSeconds(deviceSecond), T0.plusSeconds(receivedSecond), null,
        Map.of("temp", 20.0));
  }

  @Test
  void silenceUpToTheLimitDoesNotRaise() {
    assertEquals(Duration.ofMinutes(3), RULE.limit());
    Evaluation e = RULE.evaluateSilence(null, T0, T0.plusSeconds(180));
    assertEquals(Outcome.NONE, e.outcome());
    assertNull(e.state());
  }

  @Test
  void silenceLongerThanTheLimitRaisesAndRemembersWhenTheDeviceWasLastHeard() {
    Evaluation e = RULE.evaluateSilence(null, T0, T0.plusSeconds(181));
    assertEquals(Outcome.RAISED, e.outcome());
    assertEquals(181.0, e.observed());
    assertTrue(e.state().getActive());
    assertEquals(T0, e.state().getArmedAt());
  }

  @Test
  void aRaisedCheckIsNotRaisedAgainWhileTheSilenceGoesOn() {
    CheckState raised = RULE.evaluateSilence(null, T0, T0.plusSeconds(181)).state();
    Evaluation later = RULE.evaluateSilence(raised, T0, T0.plusSeconds(600));
    assertEquals(Outcome.NONE, later.outcome());
    assertSame(raised, later.state());
  }

  @Test
  void anyMessageClearsARaisedCheckAndReportsTheSilenceByReceiveTime() {
    // Given a device last heard at T0 and declared lost at T0 + 181 s
    CheckState raised = RULE.evaluateSilence(null, T0, T0.plusSeconds(181)).state();
    // When it is heard again at T0 + 240 s (its own clock an hour behind)
    Evaluation e = RULE.evaluate(raised, heardAt(240, 240 - 3600));
    // Then the check clears, and the silence is measured on the gateway clock
    assertEquals(Outcome.CLEARED, e.outcome());
    assertEquals(240.0, e.observed());
    assertFalse(e.state().getActive());
    assertNull(e.state().getArmedAt());
  }

  @Test
  void aMessageWhileNotRaisedChangesNothing() {
    assertNull(RULE.evaluate(null, heardAt(0, 0)).state());
    CheckState quiet = CheckStates.fresh(Absence.TYPE, T0);
    Evaluation e = RULE.evaluate(quiet, heardAt(10, 10));
    assertEquals(Outcome.NONE, e.outcome());
    assertSame(quiet, e.state());
  }

  @Test
  void anOfflineAnnouncementRaisesAtOnceAndTheNextMessageClears() {
    Observation offline = Observation.event(T0, T0.plusSeconds(1), null, Absence.OFFLINE_EVENT,
        Map.of("reason", "NDEATH"));
    RuleRun run = new RuleRun(RULE);
    assertEquals(Outcome.RAISED, run.feed(offline));
    assertEquals(T0.plusSeconds(1), run.state().getArmedAt());
    // a second announcement while offline is not a new raise
    assertEquals(Outcome.NONE, run.feed(offline));
    assertTrue(run.active());
    assertEquals(Outcome.CLEARED, run.feed(heardAt(31, 30)));
    assertEquals(30.0, run.last().observed());
  }

  @Test
  void aMessageWithoutReceiveTimeIsMeasuredByItsEventTime() {
    CheckState raised = RULE.evaluateSilence(null, T0, T0.plusSeconds(181)).state();
    Evaluation e = RULE.evaluate(raised, new Observation(T0.plusSeconds(200), Map.of("temp", 1.0)));
    assertEquals(Outcome.CLEARED, e.outcome());
    assertEquals(200.0, e.observed());
  }

  @Test
  void refusesBadArguments() {
    assertEquals("expectedInterval: must be longer than zero, got PT0S", assertThrows(IllegalArgumentException.class,
        () -> new Absence(Duration.ZERO, 3)).getMessage());
    assertEquals("missedIntervals: must be >= 1, got 0", assertThrows(IllegalArgumentException.class,
        () -> new Absence(Duration.ofMinutes(1), 0)).getMessage());
    assertEquals("expectedInterval", assertThrows(NullPointerException.class,
        () -> new Absence(null, 3)).getMessage());
  }
}
