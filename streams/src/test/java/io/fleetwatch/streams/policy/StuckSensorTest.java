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

/** SAF-05 (stuck): a flat run of at least {@code minSamples} readings over at least {@code window} raises. */
class StuckSensorTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");
  /** Flat = within a 0.25 band, for at least 3 readings over at least 5 minutes. */
  private static final StuckSensor RULE = new StuckSensor("pressure", Duration.ofMinutes(5), 3, 0.25);

  private static Observation reading(long second, double value) {
    return new Observation(T0.plusSeconds(second), Map.of("pressure", value));
  }

  @Test
  void raisesWhenTheRunReachesBothTheSampleCountAndTheWindow() {
    RuleRun run = new RuleRun(RULE);
    assertEquals(Outcome.NONE, run.feed(reading(0, 20.0)));
    assertEquals(Outcome.NONE, run.feed(reading(150, 20.0)));
    assertEquals(Outcome.RAISED, run.feed(reading(300, 20.0)));
    assertEquals(20.0, run.last().observed());
    assertTrue(run.last().detail().contains("sensor looks stuck"), run.last().detail());
  }

  @Test
  void manyFlatReadingsShorterThanTheWindowDoNotRaise() {
    RuleRun run = new RuleRun(RULE);
    for (int s = 0; s < 300; s += 30) {
      assertEquals(Outcome.NONE, run.feed(reading(s, 20.0)), "second " + s);
    }
    assertEquals(Outcome.RAISED, run.feed(reading(300, 20.0)));
  }

  @Test
  void twoReadingsAWindowApartAreNotEnoughSamples() {
    RuleRun run = new RuleRun(RULE);
    run.feed(reading(0, 20.0));
    assertEquals(Outcome.NONE, run.feed(reading(300, 20.0)));
    assertEquals(Outcome.RAISED, run.feed(reading(301, 20.0)));
  }

  @Test
  void readingsWithinTheToleranceBandCountAsFlat() {
    RuleRun run = new RuleRun(RULE);
    run.feed(reading(0, 20.0));
    run.feed(reading(150, 20.25)); // band width exactly the tolerance
    assertEquals(Outcome.RAISED, run.feed(reading(300, 20.125)));
    assertEquals(20.0, run.state().getLow());
    assertEquals(20.25, run.state().getHigh());
  }

  @Test
  void aReadingOutsideTheBandStartsANewRun() {
    RuleRun run = new RuleRun(RULE);
    run.feed(reading(0, 20.0));
    run.feed(reading(150, 20.0));
    assertEquals(Outcome.NONE, run.feed(reading(300, 20.5)));
    // the new run started at 300: flat again only from 600 on
    assertEquals(Outcome.NONE, run.feed(reading(450, 20.5)));
    assertEquals(Outcome.RAISED, run.feed(reading(600, 20.5)));
  }

  @Test
  void holdsWhileStuckAndClearsOnTheFirstReadingThatMoves() {
    RuleRun run = new RuleRun(RULE);
    run.feed(reading(0, 20.0));
    run.feed(reading(150, 20.0));
    run.feed(reading(300, 20.0));
    assertEquals(Outcome.HOLD, run.feed(reading(360, 20.0)));
    assertEquals(Outcome.CLEARED, run.feed(reading(420, 21.0)));
    assertFalse(run.active());
    assertEquals(21.0, run.last().observed());
  }

  @Test
  void lateMissingAndNanReadingsLeaveTheStateAlone() {
    RuleRun run = new RuleRun(RULE);
    run.feed(reading(0, 20.0));
    run.feed(reading(150, 20.0));
    CheckState state = run.state();
    // a late reading far off the band would otherwise break the run
    assertSame(state, RULE.evaluate(state, reading(100, 99.0)).state());
    assertSame(state, RULE.evaluate(state, reading(200, Double.NaN)).state());
    assertSame(state, RULE.evaluate(state, new Observation(T0.plusSeconds(200), Map.of("temp", 1.0))).state());
    assertNull(RULE.evaluate(null, reading(0, Double.NaN)).state());
    assertEquals(Outcome.RAISED, run.feed(reading(300, 20.0)));
  }

  @Test
  void refusesBadArguments() {
    Duration window = Duration.ofMinutes(5);
    assertEquals("window: must be longer than zero, got PT0S", assertThrows(IllegalArgumentException.class,
        () -> new StuckSensor("p", Duration.ZERO, 3, 0.0)).getMessage());
    assertEquals("minSamples: must be >= 2, got 1", assertThrows(IllegalArgumentException.class,
        () -> new StuckSensor("p", window, 1, 0.0)).getMessage());
    assertEquals("tolerance: must be a finite number >= 0, got -0.1", assertThrows(IllegalArgumentException.class,
        () -> new StuckSensor("p", window, 3, -0.1)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> new StuckSensor("p", window, 3, Double.NaN));
    assertEquals("metric", assertThrows(NullPointerException.class,
        () -> new StuckSensor(null, window, 3, 0.0)).getMessage());
  }
}
