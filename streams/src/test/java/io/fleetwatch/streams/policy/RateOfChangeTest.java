package io.fleetwatch.streams.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.CheckState;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SAF-02: {@code |Δv/Δt|} against the oldest retained reading of the window, debounced by the triggers. */
class RateOfChangeTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");
  private static final Duration MINUTE = Duration.ofMinutes(1);
  /** At most 2 degrees per minute, reference up to 10 minutes back and at least 1 minute old. */
  private static final RateOfChange RULE = rule(Trigger.afterConsecutive(1), Trigger.afterConsecutive(2));

  private static RateOfChange rule(Trigger raise, Trigger clear) {
    return new RateOfChange("temp", 2.0, MINUTE, Duration.ofMinutes(10), MINUTE, raise, clear);
  }

  private static Observation reading(long second, double value) {
    return new Observation(T0.plusSeconds(second), Map.of("temp", value));
  }

  @Test
  void theFirstReadingHasNoReferenceAndRaisesNothing() {
    Evaluation first = RULE.evaluate(null, reading(0, 500.0));
    assertEquals(Outcome.NONE, first.outcome());
    assertNull(first.observed());
    assertEquals(1, first.state().getSamples().size());
  }

  @Test
  void aRateExactlyAtTheLimitDoesNotRaise() {
    RuleRun run = new RuleRun(RULE);
    run.feed(reading(0, 10.0));
    assertEquals(Outcome.NONE, run.feed(reading(60, 12.0)));
    assertEquals(2.0, run.last().observed(), 1e-9);
  }

  @Test
  void raisesWhenTheRateIsAboveTheLimit() {
    RuleRun run = new RuleRun(RULE);
    run.feed(reading(0, 10.0));
    assertEquals(Outcome.RAISED, run.feed(reading(60, 12.5)));
    assertEquals(2.5, run.last().observed(), 1e-9);
    assertTrue(run.last().detail().contains("above 2.0"), run.last().detail());
  }

  @Test
  void aFallingValueCountsByItsAbsoluteRate() {
    RuleRun run = new RuleRun(RULE);
    run.feed(reading(0, 10.0));
    assertEquals(Outcome.RAISED, run.feed(reading(60, 7.0)));
    assertEquals(3.0, run.last().observed(), 1e-9);
  }

  @Test
  void aSteepChangeBetweenReadingsCloserThanMinSpanIsNoise() {
    RuleRun run = new RuleRun(RULE);
    run.feed(reading(0, 10.0));
    assertEquals(Outcome.NONE, run.feed(reading(30, 40.0)));
    assertNull(run.last().observed());
  }

  @Test
  void theRateIsTakenAgainstTheOldestReadingInsideTheWindow() {
    // Given readings that climb 1 degree per minute for three minutes
    RuleRun run = new RuleRun(RULE);
    run.feed(reading(0, 10.0));
    run.feed(reading(60, 11.0));
    run.feed(reading(120, 12.0));
    // When the fourth minute jumps 3 degrees: 3 per minute against the last reading, but 5 in 3 minutes overall
    assertEquals(Outcome.NONE, run.feed(reading(180, 15.0)));
    // Then the rate is the one over the whole window
    assertEquals(5.0 / 3.0, run.last().observed(), 1e-9);
  }

  @Test
  void aReferenceOlderThanTheWindowIsForgotten() {
    RuleRun run = new RuleRun(RULE);
    run.feed(reading(0, 0.0));
    // 11 minutes later: the reading at 0 lies outside the 10-minute window, so there is no reference at all
    assertEquals(Outcome.NONE, run.feed(reading(660, 100.0)));
    assertNull(run.last().observed());
    assertEquals(1, run.state().getSamples().size());
  }

  @Test
  void staysRaisedUntilTheClearTriggerOfGentleReadings() {
    // Given a raised check (3 degrees in one minute)
    RuleRun run = new RuleRun(RULE);
    run.feed(reading(0, 10.0));
    assertEquals(Outcome.RAISED, run.feed(reading(60, 13.0)));
    // When the value stays put, the rate against the reference at 0 falls: 1.5, then 1.0 per minute
    assertEquals(Outcome.HOLD, run.feed(reading(120, 13.0)));
    // Then the second gentle reading in a row clears it
    assertEquals(Outcome.CLEARED, run.feed(reading(180, 13.0)));
    assertEquals(1.0, run.last().observed(), 1e-9);
  }

  @Test
  void theRaiseTriggerNeedsConsecutiveSteepReadings() {
    RuleRun run = new RuleRun(rule(Trigger.afterConsecutive(2), Trigger.afterConsecutive(1)));
    run.feed(reading(0, 10.0));
    assertEquals(Outcome.PENDING, run.feed(reading(60, 13.0)));
    assertEquals(Outcome.RAISED, run.feed(reading(120, 16.0)));
  }

  @Test
  void lateMissingAndNanReadingsLeaveTheStateAlone() {
    RuleRun run = new RuleRun(RULE);
    run.feed(reading(0, 10.0));
    run.feed(reading(120, 11.0));
    CheckState state = run.state();
    assertSame(state, RULE.evaluate(state, reading(60, 99.0)).state());
    assertEquals(Outcome.NONE, RULE.evaluate(state, reading(60, 99.0)).outcome());
    assertSame(state, RULE.evaluate(state, reading(180, Double.NaN)).state());
    assertSame(state, RULE.evaluate(state, new Observation(T0.plusSeconds(180), Map.of("other", 1.0))).state());
    assertNull(RULE.evaluate(null, new Observation(T0, Map.of("other", 1.0))).state());
  }

  @Test
  void refusesBadArguments() {
    Trigger once = Trigger.afterConsecutive(1);
    Duration tenMinutes = Duration.ofMinutes(10);
    assertEquals("maxRate: must be a finite number > 0, got 0.0", assertThrows(IllegalArgumentException.class,
        () -> new RateOfChange("temp", 0.0, MINUTE, tenMinutes, MINUTE, once, once)).getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new RateOfChange("temp", Double.NaN, MINUTE, tenMinutes, MINUTE, once, once));
    assertThrows(IllegalArgumentException.class,
        () -> new RateOfChange("temp", Double.POSITIVE_INFINITY, MINUTE, tenMinutes, MINUTE, once, once));
    assertEquals("per: must be longer than zero, got PT0S", assertThrows(IllegalArgumentException.class,
        () -> new RateOfChange("temp", 2.0, Duration.ZERO, tenMinutes, MINUTE, once, once)).getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new RateOfChange("temp", 2.0, MINUTE, Duration.ofMinutes(-1), Duration.ZERO, once, once));
    assertEquals("minSpan: must not exceed the window PT10M, got PT11M",
        assertThrows(IllegalArgumentException.class,
        () -> new RateOfChange("temp", 2.0, MINUTE, tenMinutes, Duration.ofMinutes(11), once, once)).getMessage());
    assertEquals("metric", assertThrows(NullPointerException.class,
        () -> new RateOfChange(null, 2.0, MINUTE, tenMinutes, MINUTE, once, once)).getMessage());
  }
}
