package io.fleetwatch.streams.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetwatch.avro.CheckState;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SEC-13: {@code |device ts - gateway receivedAt|} above the limit, debounced by the triggers. */
class ClockSkewTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");
  private static final Trigger THREE = Trigger.afterConsecutive(3);
  /** As shipped: 5 minutes, three messages in a row to raise and to clear. */
  private static final ClockSkew RULE = new ClockSkew(Duration.ofMinutes(5), THREE, THREE);

  /** A message received at {@code T0 + receivedSecond} whose device clock reads {@code skewSeconds} off. */
  private static Observation message(long receivedSecond, long skewSeconds) {
    Instant received = T0.plusSeconds(receivedSecond);
    return Observation.telemetry(received.plusSeconds(skewSeconds), received, null, Map.of("temp", 20.0));
  }

  @Test
  void aSkewExactlyAtTheLimitIsInSync() {
    Evaluation e = RULE.evaluate(null, message(0, 300));
    assertEquals(Outcome.NONE, e.outcome());
    assertEquals(300.0, e.observed());
  }

  @Test
  void threeSkewedMessagesInARowRaise() {
    RuleRun run = new RuleRun(RULE);
    assertEquals(Outcome.PENDING, run.feed(message(0, 301)));
    assertEquals(Outcome.PENDING, run.feed(message(10, 301)));
    assertEquals(Outcome.RAISED, run.feed(message(20, 301)));
  }

  @Test
  void aClockBehindCountsLikeOneAhead() {
    RuleRun run = new RuleRun(RULE);
    run.feed(message(0, -600));
    run.feed(message(10, -600));
    assertEquals(Outcome.RAISED, run.feed(message(20, -600)));
    assertEquals(-600.0, run.last().observed());
  }

  @Test
  void oneStoreAndForwardMessageIsAbsorbedByTheTrigger() {
    RuleRun run = new RuleRun(RULE);
    assertEquals(Outcome.PENDING, run.feed(message(0, -3600)));
    assertEquals(Outcome.NONE, run.feed(message(10, 0)));
    assertEquals(Outcome.PENDING, run.feed(message(20, -3600)));
  }

  @Test
  void aLateMessageIsStillMeasured() {
    // device time goes backwards (the clock was set back by an hour): its skew is as real as any other
    RuleRun run = new RuleRun(new ClockSkew(Duration.ofMinutes(5), Trigger.afterConsecutive(1), THREE));
    run.feed(message(0, 0));
    assertEquals(Outcome.RAISED, run.feed(message(10, -3600)));
    assertEquals(T0, run.state().getLastEventTime(), "the latest event time stays the newest seen");
  }

  @Test
  void clearsAfterThreeInSyncMessages() {
    RuleRun run = new RuleRun(RULE);
    for (int i = 0; i < 3; i++) {
      run.feed(message(i, 400));
    }
    assertEquals(Outcome.HOLD, run.feed(message(10, 0)));
    assertEquals(Outcome.HOLD, run.feed(message(11, 0)));
    assertEquals(Outcome.CLEARED, run.feed(message(12, 0)));
  }

  @Test
  void aMessageWithoutReceiveTimeIsNotApplicable() {
    RuleRun run = new RuleRun(RULE);
    run.feed(message(0, 400));
    CheckState state = run.state();
    assertSame(state, RULE.evaluate(state, new Observation(T0, Map.of("temp", 1.0))).state());
    assertNull(RULE.evaluate(null, new Observation(T0, Map.of("temp", 1.0))).state());
  }

  @Test
  void refusesBadArguments() {
    assertEquals("maxSkew: must not be negative, got PT-1S", assertThrows(IllegalArgumentException.class,
        () -> new ClockSkew(Duration.ofSeconds(-1), THREE, THREE)).getMessage());
    assertEquals("maxSkew", assertThrows(NullPointerException.class,
        () -> new ClockSkew(null, THREE, THREE)).getMessage());
    assertEquals("clear", assertThrows(NullPointerException.class,
        () -> new ClockSkew(Duration.ZERO, THREE, null)).getMessage());
  }
}
