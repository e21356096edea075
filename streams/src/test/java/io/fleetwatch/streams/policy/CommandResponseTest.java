package io.fleetwatch.streams.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetwatch.avro.CheckState;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SAF-04: after a setpoint command the measurement must come within tolerance before the settle time ends. */
class CommandResponseTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");
  private static final long SETTLE = 15 * 60;
  /** As shipped: supply temperature within 1 degree of the setpoint within 15 minutes. */
  private static final CommandResponse RULE =
      new CommandResponse("command", "setpoint", "supply_temp_c", 1.0, Duration.ofSeconds(SETTLE));

  private static Observation command(long second, String setpoint) {
    return Observation.event(T0.plusSeconds(second), null, null, "command", Map.of("setpoint", setpoint));
  }

  private static Observation reading(long second, double value) {
    return new Observation(T0.plusSeconds(second), Map.of("supply_temp_c", value));
  }

  @Test
  void readingsWithoutACommandAreNotApplicable() {
    assertNull(RULE.evaluate(null, reading(0, 30.0)).state());
  }

  @Test
  void aCommandIsPendingUntilTheResponse() {
    Evaluation e = RULE.evaluate(null, command(0, "7.0"));
    assertEquals(Outcome.PENDING, e.outcome());
    assertEquals(7.0, e.observed());
    assertEquals(T0, e.state().getArmedAt());
  }

  @Test
  void aReadingStillOffAtTheSettleTimeIsPendingAndOnePastItRaises() {
    RuleRun run = new RuleRun(RULE);
    run.feed(command(0, "7.0"));
    assertEquals(Outcome.PENDING, run.feed(reading(60, 12.0)));
    assertEquals(Outcome.PENDING, run.feed(reading(SETTLE, 12.0)));
    assertEquals(Outcome.RAISED, run.feed(reading(SETTLE + 1, 12.0)));
    assertEquals(12.0, run.last().observed());
  }

  @Test
  void aReadingWithinToleranceSatisfiesTheCommand() {
    RuleRun run = new RuleRun(RULE);
    run.feed(command(0, "7.0"));
    assertEquals(Outcome.NONE, run.feed(reading(600, 8.0))); // exactly the tolerance away
    assertNull(run.state().getArmedAt());
    // the command is done: a later drift is no command/feedback mismatch
    assertEquals(Outcome.NONE, run.feed(reading(SETTLE + 60, 20.0)));
    assertFalse(run.active());
  }

  @Test
  void reachingTheSetpointLateClearsARaisedCheck() {
    RuleRun run = new RuleRun(RULE);
    run.feed(command(0, "7.0"));
    run.feed(reading(SETTLE + 1, 12.0));
    assertEquals(Outcome.HOLD, run.feed(reading(SETTLE + 60, 10.0)));
    assertEquals(Outcome.CLEARED, run.feed(reading(SETTLE + 120, 7.5)));
  }

  @Test
  void aNewerCommandReplacesThePendingOne() {
    RuleRun run = new RuleRun(RULE);
    run.feed(command(0, "7.0"));
    run.feed(command(600, "12.0"));
    assertEquals(12.0, run.state().getLow());
    // 16 minutes after the first command but only 6 after the second: not yet late
    assertEquals(Outcome.PENDING, run.feed(reading(960, 9.0)));
    assertEquals(Outcome.NONE, run.feed(reading(1000, 12.5)));
  }

  @Test
  void anOlderCommandThanThePendingOneIsIgnored() {
    RuleRun run = new RuleRun(RULE);
    run.feed(command(600, "12.0"));
    CheckState state = run.state();
    assertSame(state, RULE.evaluate(state, command(0, "7.0")).state());
  }

  @Test
  void aReadingOlderThanTheCommandDoesNotCount() {
    RuleRun run = new RuleRun(RULE);
    run.feed(command(600, "7.0"));
    CheckState state = run.state();
    assertSame(state, RULE.evaluate(state, reading(500, 7.0)).state());
    assertSame(state, RULE.evaluate(state, reading(700, Double.NaN)).state());
  }

  @Test
  void aCommandForAnotherMetricOrWithoutANumericSetpointIsIgnored() {
    Observation other = Observation.event(T0, null, null, "command", Map.of("setpoint", "50", "metric", "fan_rpm"));
    assertNull(RULE.evaluate(null, other).state());
    assertNull(RULE.evaluate(null, command(0, "warm")).state());
    assertNull(RULE.evaluate(null, Observation.event(T0, null, null, "command", Map.of())).state());
    Observation named = Observation.event(T0, null, null, "command",
        Map.of("setpoint", " 6.5 ", "metric", "supply_temp_c"));
    assertEquals(6.5, RULE.evaluate(null, named).observed());
  }

  @Test
  void refusesBadArguments() {
    Duration settle = Duration.ofMinutes(15);
    assertEquals("tolerance: must be a finite number >= 0, got -1.0",
        assertThrows(IllegalArgumentException.class,
        () -> new CommandResponse("command", "setpoint", "t", -1.0, settle)).getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new CommandResponse("command", "setpoint", "t", Double.NaN, settle));
    assertEquals("settle: must not be negative, got PT-1S", assertThrows(IllegalArgumentException.class,
        () -> new CommandResponse("command", "setpoint", "t", 1.0, Duration.ofSeconds(-1))).getMessage());
    assertEquals("metric", assertThrows(NullPointerException.class,
        () -> new CommandResponse("command", "setpoint", null, 1.0, settle)).getMessage());
  }
}
