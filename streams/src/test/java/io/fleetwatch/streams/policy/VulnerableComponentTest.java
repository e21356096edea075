package io.fleetwatch.streams.policy;

import static io.fleetwatch.streams.policy.Reports.reported;
import static io.fleetwatch.streams.policy.Reports.state;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.CheckState;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * SEC-10: the rule only describes the policy; the vulnerability topology raises and clears it. Its contract here is
 * that the policy evaluation never acts on it.
 */
class VulnerableComponentTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");

  @Test
  void listensToNoChannelAndLeavesAnyStateAsItIs() {
    VulnerableComponent rule = new VulnerableComponent();
    assertEquals("vulnerable-component", rule.type());
    assertTrue(rule.channels().isEmpty());
    assertTrue(rule.metrics().isEmpty());
    CheckState state = CheckStates.fresh(VulnerableComponent.TYPE, T0);
    state.setActive(true);
    Evaluation e = rule.evaluate(state, state(reported(T0).setFirmware("1.0")));
    assertSame(state, e.state());
    assertEquals(Outcome.NONE, e.outcome());
  }
}
