package io.fleetwatch.streams.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.CheckState;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateBaselineTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");
  private final RateBaseline rule = new RateBaseline(Duration.ofMinutes(1), 3, 0.5, 2.0, 5);

  private Evaluation message(CheckState state, long second) {
    return rule.evaluate(state, Observation.telemetry(T0.plusSeconds(second), null, null, Map.of("x", 1.0)));
  }

  /** {@code perMinute} messages in each of the minutes {@code [from, to)}. */
  private CheckState minutes(CheckState state, int from, int to, int perMinute) {
    for (int m = from; m < to; m++) {
      for (int i = 0; i < perMinute; i++) {
        Evaluation e = message(state, m * 60L + i);
        assertEquals(Outcome.NONE, e.outcome(), "minute " + m + " message " + i);
        state = e.state();
      }
    }
    return state;
  }

  @Test
  void doesNotRaiseDuringWarmUpWhateverTheRate() {
    CheckState state = minutes(null, 0, 3, 50);
    assertEquals(50.0, state.getLow());
  }

  @Test
  void raisesAboveFactorTimesTheBaselineAndNotBelowTheFloor() {
    // Given a learned baseline of 4 per minute: the limit is max(2 x 4, 5) = 8
    CheckState state = minutes(null, 0, 4, 4);
    state = minutes(state, 4, 5, 8);
    // When minute 5 exceeds 8... but minute 4 (8 messages) was within the limit and is learned: 0.5*8 + 0.5*4 = 6
    Evaluation e = null;
    for (int i = 0; i < 13; i++) {
      e = message(state, 300 + i);
      state = e.state();
    }
    // Then the 13th message of minute 5 (limit max(2 x 6, 5) = 12) raises
    assertEquals(Outcome.RAISED, e.outcome());
    assertEquals(13.0, e.observed());
  }

  @Test
  void aSilentMinuteDecaysTheBaselineAndClearsARaisedCheck() {
    CheckState state = minutes(null, 0, 3, 6); // baseline 6, limit 12
    Evaluation e = null;
    for (int i = 0; i < 13; i++) {
      e = message(state, 180 + i);
      state = e.state();
    }
    assertEquals(Outcome.RAISED, e.outcome());
    // When minute 4 passes without a message and minute 5 starts
    e = message(state, 300);
    // Then the check clears; the flood of minute 3 was not learned, the empty minute 4 was: 6 x 0.5 = 3
    assertEquals(Outcome.CLEARED, e.outcome());
    assertEquals(3.0, e.state().getLow());
  }

  @Test
  void aBucketReachingTheLimitExactlyDoesNotRaise() {
    // Given a learned baseline of 4 per minute: the limit is max(2 x 4, 5) = 8
    CheckState state = minutes(null, 0, 4, 4);
    // When minute 4 has 8 messages, none raises (the helper asserts NONE); the 9th does
    state = minutes(state, 4, 5, 8);
    Evaluation ninth = message(state, 4 * 60L + 8);
    assertEquals(Outcome.RAISED, ninth.outcome());
    assertEquals(9.0, ninth.observed());
  }

  @Test
  void theFloorRaisesNothingBelowItWhateverTheBaseline() {
    // Given a baseline of 1 per minute: 2 x 1 is below the floor, so the limit is 5
    CheckState state = minutes(null, 0, 4, 1);
    state = minutes(state, 4, 5, 5);
    assertEquals(Outcome.RAISED, message(state, 4 * 60L + 5).outcome());
  }

  @Test
  void aCompletedFloodIsNotLearnedAndKeepsTheCheckRaisedUntilABucketWithinTheLimit() {
    // Given a baseline of 4 and a flood of 12 in minute 4
    CheckState state = minutes(null, 0, 4, 4);
    for (int i = 0; i < 12; i++) {
      state = message(state, 4 * 60L + i).state();
    }
    assertTrue(state.getActive());
    // When minute 5 starts, the flood completes above the limit: still raised, baseline unchanged
    Evaluation minute5 = message(state, 5 * 60L);
    assertEquals(Outcome.HOLD, minute5.outcome());
    assertEquals(4.0, minute5.state().getLow());
    // Then minute 6 completes minute 5 (one message) within the limit and clears
    Evaluation minute6 = message(minute5.state(), 6 * 60L);
    assertEquals(Outcome.CLEARED, minute6.outcome());
    assertEquals(2.5, minute6.state().getLow());
  }

  @Test
  void aLateMessageOfACompletedBucketIsNotCounted() {
    CheckState state = minutes(null, 0, 2, 3);
    Evaluation late = message(state, 30);
    assertEquals(Outcome.NONE, late.outcome());
    assertSame(state, late.state());
  }

  @Test
  void refusesBadArguments() {
    Duration minute = Duration.ofMinutes(1);
    assertEquals("bucket: must be longer than zero, got PT0S", assertThrows(IllegalArgumentException.class,
        () -> new RateBaseline(Duration.ZERO, 3, 0.5, 2.0, 5)).getMessage());
    assertEquals("bucket", assertThrows(NullPointerException.class,
        () -> new RateBaseline(null, 3, 0.5, 2.0, 5)).getMessage());
    assertEquals("warmup: must be >= 1 completed bucket, got 0", assertThrows(IllegalArgumentException.class,
        () -> new RateBaseline(minute, 0, 0.5, 2.0, 5)).getMessage());
    assertEquals("smoothing: must be in (0, 1] (weight of the newest bucket), got 0.0",
        assertThrows(IllegalArgumentException.class,
        () -> new RateBaseline(minute, 3, 0.0, 2.0, 5)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> new RateBaseline(minute, 3, Double.NaN, 2.0, 5));
    assertEquals("factor: must be > 1 (times the learned baseline), got 1.0",
        assertThrows(IllegalArgumentException.class,
        () -> new RateBaseline(minute, 3, 0.5, 1.0, 5)).getMessage());
    assertEquals("floor: must be >= 1 message per bucket, got 0", assertThrows(IllegalArgumentException.class,
        () -> new RateBaseline(minute, 3, 0.5, 2.0, 0)).getMessage());
  }
}
