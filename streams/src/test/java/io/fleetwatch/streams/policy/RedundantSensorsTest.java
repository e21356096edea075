package io.fleetwatch.streams.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetwatch.avro.CheckState;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SAF-05 (implausible): two sensors of one quantity in the same record differ by more than the limit. */
class RedundantSensorsTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");
  private static final RedundantSensors RULE = new RedundantSensors("temp_a", "temp_b", 2.0,
      Trigger.afterConsecutive(2), Trigger.afterConsecutive(2));

  private static Observation readings(long second, double a, double b) {
    return new Observation(T0.plusSeconds(second), Map.of("temp_a", a, "temp_b", b));
  }

  @Test
  void aDifferenceExactlyAtTheLimitIsAgreement() {
    Evaluation e = RULE.evaluate(null, readings(0, 20.0, 22.0));
    assertEquals(Outcome.NONE, e.outcome());
    assertEquals(2.0, e.observed());
  }

  @Test
  void raisesAfterTheRaiseTriggerOfDisagreeingRecordsEitherWayRound() {
    RuleRun run = new RuleRun(RULE);
    assertEquals(Outcome.PENDING, run.feed(readings(0, 20.0, 23.0)));
    assertEquals(Outcome.RAISED, run.feed(readings(1, 25.0, 20.0)));
    assertEquals(5.0, run.last().observed());
  }

  @Test
  void anAgreeingRecordResetsThePendingRun() {
    RuleRun run = new RuleRun(RULE);
    run.feed(readings(0, 20.0, 23.0));
    assertEquals(Outcome.NONE, run.feed(readings(1, 20.0, 20.5)));
    assertEquals(Outcome.PENDING, run.feed(readings(2, 20.0, 23.0)));
  }

  @Test
  void clearsAfterTheClearTriggerOfAgreeingRecords() {
    RuleRun run = new RuleRun(RULE);
    run.feed(readings(0, 20.0, 23.0));
    run.feed(readings(1, 20.0, 23.0));
    assertEquals(Outcome.HOLD, run.feed(readings(2, 20.0, 20.0)));
    assertEquals(Outcome.HOLD, run.feed(readings(3, 20.0, 30.0)));
    assertEquals(Outcome.HOLD, run.feed(readings(4, 20.0, 20.0)));
    assertEquals(Outcome.CLEARED, run.feed(readings(5, 20.0, 21.0)));
  }

  @Test
  void aRecordWithoutBothMetricsOrWithNanIsNotApplicable() {
    RuleRun run = new RuleRun(RULE);
    run.feed(readings(0, 20.0, 23.0));
    CheckState state = run.state();
    assertSame(state, RULE.evaluate(state, new Observation(T0.plusSeconds(1), Map.of("temp_a", 20.0))).state());
    assertSame(state, RULE.evaluate(state, readings(1, 20.0, Double.NaN)).state());
    assertNull(RULE.evaluate(null, new Observation(T0, Map.of("temp_b", 20.0))).state());
  }

  @Test
  void aLateRecordDoesNotCountTowardsTheRun() {
    RuleRun run = new RuleRun(RULE);
    run.feed(readings(10, 20.0, 23.0));
    CheckState state = run.state();
    Evaluation late = RULE.evaluate(state, readings(5, 20.0, 23.0));
    assertSame(state, late.state());
    assertEquals(Outcome.NONE, late.outcome());
  }

  @Test
  void refusesBadArguments() {
    Trigger once = Trigger.afterConsecutive(1);
    assertEquals("otherMetric: must differ from metric 't'", assertThrows(IllegalArgumentException.class,
        () -> new RedundantSensors("t", "t", 1.0, once, once)).getMessage());
    assertEquals("maxDifference: must be a finite number >= 0, got -1.0",
        assertThrows(IllegalArgumentException.class,
        () -> new RedundantSensors("a", "b", -1.0, once, once)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> new RedundantSensors("a", "b", Double.NaN, once, once));
    assertEquals("raise", assertThrows(NullPointerException.class,
        () -> new RedundantSensors("a", "b", 1.0, null, once)).getMessage());
  }
}
