package io.fleetwatch.streams.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.CheckState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvelopeTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");
  private static final Envelope CHILLER =
      new Envelope("supply_temp_c", 4.0, 12.0, Trigger.afterConsecutive(3), Trigger.afterConsecutive(3), 0.0);

  /** Feeds readings one second apart starting at {@code T0 + startSecond}; returns the outcomes. */
  private static final class Run {
    private final Rule rule;
    private CheckState state;
    private final List<Evaluation> evaluations = new ArrayList<>();

    Run(Rule rule) {
      this.rule = rule;
    }

    Outcome at(long second, double value) {
      Evaluation e = rule.evaluate(state, new Observation(T0.plusSeconds(second), Map.of("supply_temp_c", value)));
      state = e.state();
      evaluations.add(e);
      return e.outcome();
    }

    Evaluation last() {
      return evaluations.get(evaluations.size() - 1);
    }
  }

  @Test
  void isPendingAfterTwoReadingsAboveMaxAndRaisesOnTheThird() {
    Run run = new Run(CHILLER);
    assertEquals(Outcome.PENDING, run.at(0, 15.0));
    assertEquals(Outcome.PENDING, run.at(1, 15.0));
    assertEquals(Outcome.RAISED, run.at(2, 15.0));
    assertEquals("supply_temp_c 15.0 outside [4.0, 12.0] for 3 consecutive readings over 2.0s", run.last().detail());
    assertEquals(15.0, run.last().observed());
    assertTrue(run.state.getActive());
  }

  @Test
  void aReadingInsideTheEnvelopeResetsTheBreachRun() {
    Run run = new Run(CHILLER);
    run.at(0, 15.0);
    run.at(1, 15.0);
    assertEquals(Outcome.NONE, run.at(2, 8.0));
    assertEquals(Outcome.PENDING, run.at(3, 15.0));
    assertEquals(Outcome.PENDING, run.at(4, 2.0)); // below min counts as the same breach run
    assertEquals(Outcome.RAISED, run.at(5, 15.0));
  }

  @Test
  void holdsWhileRaisedAndClearsAfterThreeReadingsInside() {
    // Given a raised check
    Run run = new Run(CHILLER);
    for (int i = 0; i < 3; i++) {
      run.at(i, 15.0);
    }
    // When it stays in breach, then comes back for two readings, breaches again, and comes back for three
    assertEquals(Outcome.HOLD, run.at(3, 15.0));
    assertEquals(Outcome.HOLD, run.at(4, 8.0));
    assertEquals(Outcome.HOLD, run.at(5, 8.0));
    assertEquals(Outcome.HOLD, run.at(6, 13.0));
    assertEquals(Outcome.HOLD, run.at(7, 8.0));
    assertEquals(Outcome.HOLD, run.at(8, 8.0));
    // Then only the third consecutive reading inside clears it
    assertEquals(Outcome.CLEARED, run.at(9, 8.0));
    assertFalse(run.state.getActive());
    assertEquals(Outcome.NONE, run.at(10, 8.0));
  }

  @Test
  void clearsOnlyInsideTheHysteresisBand() {
    // Given an envelope [4, 12] with hysteresis 1: the clearing band is [5, 11]
    Envelope rule = new Envelope("supply_temp_c", 4.0, 12.0, Trigger.afterConsecutive(1),
        Trigger.afterConsecutive(1), 1.0);
    Run run = new Run(rule);
    assertEquals(Outcome.RAISED, run.at(0, 12.5));
    // When the value is back inside the envelope but not inside the band, the check holds
    assertEquals(Outcome.HOLD, run.at(1, 11.5));
    assertEquals(Outcome.HOLD, run.at(2, 4.5));
    // Then a value inside the band clears it
    assertEquals(Outcome.CLEARED, run.at(3, 11.0));
  }

  @Test
  void raisesAfterTheBreachHasLastedTheConfiguredDuration() {
    Envelope rule = new Envelope("supply_temp_c", 4.0, 12.0, Trigger.afterDuration(Duration.ofSeconds(30)),
        Trigger.afterDuration(Duration.ofSeconds(30)), 0.0);
    Run run = new Run(rule);
    assertEquals(Outcome.PENDING, run.at(0, 15.0));
    assertEquals(Outcome.PENDING, run.at(10, 15.0));
    assertEquals(Outcome.PENDING, run.at(29, 15.0));
    assertEquals(Outcome.RAISED, run.at(30, 15.0));
    assertEquals(Outcome.HOLD, run.at(40, 8.0));
    assertEquals(Outcome.CLEARED, run.at(70, 8.0));
  }

  @Test
  void countOrDurationWhicheverComesFirst() {
    Envelope rule = new Envelope("supply_temp_c", 4.0, 12.0, new Trigger(5, Duration.ofSeconds(20)),
        Trigger.afterConsecutive(1), 0.0);
    Run byDuration = new Run(rule);
    byDuration.at(0, 15.0);
    assertEquals(Outcome.RAISED, byDuration.at(20, 15.0));
    Run byCount = new Run(rule);
    for (int i = 0; i < 4; i++) {
      assertEquals(Outcome.PENDING, byCount.at(i, 15.0));
    }
    assertEquals(Outcome.RAISED, byCount.at(4, 15.0));
  }

  @Test
  void ignoresReadingsOlderThanTheLastAppliedOne() {
    // Given two breaching readings at t=10 and t=11
    Run run = new Run(CHILLER);
    run.at(10, 15.0);
    run.at(11, 15.0);
    CheckState before = run.state;
    // When a late reading with an older event time arrives
    Outcome late = run.at(5, 15.0);
    // Then it is ignored: no outcome, no value evaluated, state untouched, and it does not count
    assertEquals(Outcome.NONE, late);
    assertEquals(null, run.last().observed());
    assertSame(before, run.state);
    assertEquals(Outcome.RAISED, run.at(12, 15.0));
  }

  @Test
  void observationWithoutTheMetricLeavesStateUnchanged() {
    Run run = new Run(CHILLER);
    run.at(0, 15.0);
    CheckState before = run.state;
    Evaluation e = CHILLER.evaluate(before, new Observation(T0.plusSeconds(1), Map.of("other", 1.0)));
    assertEquals(Outcome.NONE, e.outcome());
    assertSame(before, e.state());
  }

  @Test
  void minOnlyEnvelopeRaisesBelowMinimum() {
    Envelope rule = new Envelope("supply_temp_c", 4.0, null, Trigger.afterConsecutive(1),
        Trigger.afterConsecutive(1), 0.0);
    Run run = new Run(rule);
    assertEquals(Outcome.NONE, run.at(0, 1000.0));
    assertEquals(Outcome.RAISED, run.at(1, 3.9));
    assertEquals("supply_temp_c 3.9 below minimum 4.0 for 1 reading", run.last().detail());
    assertEquals(Outcome.CLEARED, run.at(2, 4.0));
  }

  @Test
  void maxOnlyEnvelopeRaisesAboveMaximum() {
    Envelope rule = new Envelope("supply_temp_c", null, 12.0, Trigger.afterConsecutive(1),
        Trigger.afterConsecutive(1), 0.0);
    Run run = new Run(rule);
    assertEquals(Outcome.NONE, run.at(0, -1000.0));
    assertEquals(Outcome.NONE, run.at(1, 12.0)); // bounds are inclusive
    assertEquals(Outcome.RAISED, run.at(2, 12.1));
    assertEquals("supply_temp_c 12.1 above maximum 12.0 for 1 reading", run.last().detail());
  }

  @Test
  void rejectsEnvelopesThatCouldNeverClearOrHaveNoBound() {
    assertThrows(IllegalArgumentException.class, () -> new Envelope("m", null, null,
        Trigger.afterConsecutive(1), Trigger.afterConsecutive(1), 0.0));
    assertThrows(IllegalArgumentException.class, () -> new Envelope("m", 4.0, 12.0,
        Trigger.afterConsecutive(1), Trigger.afterConsecutive(1), 4.5));
  }

  @Test
  void aNanReadingIsNoEvidenceEitherWay() {
    Run run = new Run(CHILLER);
    run.at(0, 15.0);
    run.at(1, 15.0);
    CheckState pending = run.state;
    Evaluation e = CHILLER.evaluate(pending, new Observation(T0.plusSeconds(2), Map.of("supply_temp_c", Double.NaN)));
    assertEquals(Outcome.NONE, e.outcome());
    assertSame(pending, e.state());
    assertEquals(Outcome.RAISED, run.at(3, 15.0));
  }

  @Test
  void refusesBadArgumentsWithAMessageNamingTheProblem() {
    Trigger once = Trigger.afterConsecutive(1);
    assertEquals("metric: must not be blank", assertThrows(IllegalArgumentException.class,
        () -> new Envelope(" ", 4.0, 12.0, once, once, 0.0)).getMessage());
    assertEquals("min: must be a finite number, got NaN", assertThrows(IllegalArgumentException.class,
        () -> new Envelope("m", Double.NaN, 12.0, once, once, 0.0)).getMessage());
    assertEquals("max: must not be below min 12.0, got 4.0", assertThrows(IllegalArgumentException.class,
        () -> new Envelope("m", 12.0, 4.0, once, once, 0.0)).getMessage());
    assertEquals("hysteresis: must be a finite number >= 0, got -1.0",
        assertThrows(IllegalArgumentException.class,
        () -> new Envelope("m", 4.0, 12.0, once, once, -1.0)).getMessage());
  }
}
