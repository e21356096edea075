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

/** SEC-01 / SEC-20: at least {@code threshold} matching events in the sliding window ending at the latest message. */
class WindowedCountTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");
  private static final SignalMatch AUTH_FAILURE = SignalMatch.Event.ofType("auth_failure");
  private static final WindowedCount BURST = new WindowedCount(AUTH_FAILURE, Duration.ofMinutes(5), 3, null);
  private static final WindowedCount SOURCES = new WindowedCount(AUTH_FAILURE, Duration.ofMinutes(5), 3, "source");

  private static Observation failure(long second) {
    return Observation.event(T0.plusSeconds(second), null, null, "auth_failure", Map.of());
  }

  private static Observation failure(long second, String source) {
    return Observation.event(T0.plusSeconds(second), null, null, "auth_failure", Map.of("source", source));
  }

  private static Observation telemetry(long second) {
    return Observation.telemetry(T0.plusSeconds(second), null, null, Map.of("temp", 20.0));
  }

  @Test
  void isPendingBelowTheThresholdAndRaisesOnTheThirdEventInsideTheWindow() {
    RuleRun run = new RuleRun(BURST);
    assertEquals(Outcome.PENDING, run.feed(failure(0)));
    assertEquals(Outcome.PENDING, run.feed(failure(100)));
    assertEquals(Outcome.RAISED, run.feed(failure(299)));
    assertEquals(3.0, run.last().observed());
  }

  @Test
  void eventsSpreadWiderThanTheWindowDoNotRaise() {
    RuleRun run = new RuleRun(BURST);
    run.feed(failure(0));
    run.feed(failure(100));
    assertEquals(Outcome.PENDING, run.feed(failure(301)));
    assertEquals(2.0, run.last().observed());
  }

  @Test
  void aMessageThatIsNotCountedStillMovesTheWindowAndClearsTheBurst() {
    // Given a raised burst
    RuleRun run = new RuleRun(BURST);
    run.feed(failure(0));
    run.feed(failure(100));
    run.feed(failure(200));
    // When telemetry inside the window comes, nothing changes
    run.feed(telemetry(250));
    assertFalse(run.last().outcome().isTransition());
    assertTrue(run.active());
    // Then telemetry once the first failure has aged out clears it
    assertEquals(Outcome.CLEARED, run.feed(telemetry(350)));
    assertEquals(2.0, run.last().observed());
  }

  @Test
  void holdsWhileEventsKeepComing() {
    RuleRun run = new RuleRun(BURST);
    for (int s = 0; s < 3; s++) {
      run.feed(failure(s));
    }
    assertEquals(Outcome.HOLD, run.feed(failure(3)));
    assertEquals(3, run.state().getSamples().size(), "only the newest threshold samples are kept");
  }

  @Test
  void aNonMatchingMessageWithoutHistoryKeepsNoState() {
    Evaluation e = BURST.evaluate(null, telemetry(0));
    assertNull(e.state());
    assertEquals(Outcome.NONE, e.outcome());
    assertNull(BURST.evaluate(null, Observation.event(T0, null, null, "auth_success", Map.of())).state());
  }

  @Test
  void aLateEventInsideTheWindowIsCountedAndOneOutsideIsNot() {
    RuleRun run = new RuleRun(BURST);
    run.feed(failure(200));
    run.feed(failure(400));
    // older than the latest message, but inside (100, 400]
    assertEquals(Outcome.RAISED, run.feed(failure(150)));

    RuleRun outside = new RuleRun(BURST);
    outside.feed(failure(200));
    outside.feed(failure(400));
    assertEquals(Outcome.PENDING, outside.feed(failure(50)));
    assertEquals(2, outside.state().getSamples().size());
  }

  @Test
  void distinctCountsEachSourceOnce() {
    RuleRun run = new RuleRun(SOURCES);
    run.feed(failure(0, "10.0.0.1"));
    run.feed(failure(1, "10.0.0.1"));
    assertEquals(Outcome.PENDING, run.feed(failure(2, "10.0.0.2")));
    assertEquals(2.0, run.last().observed());
    assertEquals(Outcome.RAISED, run.feed(failure(3, "10.0.0.3")));
    assertEquals("10.0.0.3", run.last().observedText());
  }

  @Test
  void aRepeatedSourceKeepsItsNewestTimeInTheWindow() {
    // Given source 1 at 0 and again at 250, source 2 at 10
    RuleRun run = new RuleRun(SOURCES);
    run.feed(failure(0, "10.0.0.1"));
    run.feed(failure(10, "10.0.0.2"));
    run.feed(failure(250, "10.0.0.1"));
    // When source 3 comes at 305 (the first sight of source 1 has aged out, its repeat has not)
    // Then three distinct sources are in the window
    assertEquals(Outcome.RAISED, run.feed(failure(305, "10.0.0.3")));
  }

  @Test
  void eventsWithoutTheDistinctAttributeCountAsOneValue() {
    RuleRun run = new RuleRun(SOURCES);
    run.feed(failure(0));
    run.feed(failure(1));
    assertEquals(1.0, run.last().observed());
    run.feed(failure(2, "10.0.0.1"));
    assertEquals(Outcome.RAISED, run.feed(failure(3, "10.0.0.2")));
  }

  @Test
  void aThresholdOfOneRaisesOnTheFirstEvent() {
    WindowedCount any = new WindowedCount(SignalMatch.Event.ofType("verification_failure"), Duration.ofHours(1), 1,
        null);
    Evaluation e = any.evaluate(null, Observation.event(T0, null, null, "verification_failure", Map.of()));
    assertEquals(Outcome.RAISED, e.outcome());
  }

  @Test
  void aMessageThatExpiresNothingLeavesTheStateAsItIs() {
    RuleRun run = new RuleRun(BURST);
    run.feed(failure(0));
    CheckState state = run.state();
    assertSame(state, BURST.evaluate(state, telemetry(10)).state());
  }

  @Test
  void refusesBadArguments() {
    assertEquals("threshold: must be >= 1, got 0", assertThrows(IllegalArgumentException.class,
        () -> new WindowedCount(AUTH_FAILURE, Duration.ofMinutes(5), 0, null)).getMessage());
    assertEquals("window: must be longer than zero, got PT0S", assertThrows(IllegalArgumentException.class,
        () -> new WindowedCount(AUTH_FAILURE, Duration.ZERO, 3, null)).getMessage());
    assertEquals("signal", assertThrows(NullPointerException.class,
        () -> new WindowedCount(null, Duration.ofMinutes(5), 3, null)).getMessage());
  }
}
