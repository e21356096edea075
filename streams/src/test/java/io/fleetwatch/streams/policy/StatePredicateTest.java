package io.fleetwatch.streams.policy;

import static io.fleetwatch.streams.policy.Reports.reported;
import static io.fleetwatch.streams.policy.Reports.state;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.CheckState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** SEC-03 / SEC-04 / SEC-11 / SEC-17: a reported value in a deny list, or outside an allowlist. */
class StatePredicateTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");
  private static final Trigger ONCE = Trigger.afterConsecutive(1);
  private static final StatePredicate WEAK_TLS = new StatePredicate(new Selector.OfState(StateField.TLS),
      Set.of("none", "ssl3", "1.0", "1.1"), Set.of(), ONCE, ONCE);
  private static final StatePredicate PORTS = new StatePredicate(new Selector.OfState(StateField.OPEN_PORTS),
      Set.of(), Set.of("443", "8883"), ONCE, ONCE);

  private static Observation tls(long second, String version) {
    return state(reported(T0.plusSeconds(second)).setTls(version));
  }

  private static Observation ports(long second, Integer... open) {
    return state(reported(T0.plusSeconds(second)).setOpenPorts(List.of(open)));
  }

  @Test
  void aValueInTheDenyListRaises() {
    Evaluation e = WEAK_TLS.evaluate(null, tls(0, "1.0"));
    assertEquals(Outcome.RAISED, e.outcome());
    assertEquals("1.0", e.observedText());
  }

  @Test
  void aValueOutsideTheDenyListDoesNotRaise() {
    Evaluation e = WEAK_TLS.evaluate(null, tls(0, "1.2"));
    assertEquals(Outcome.NONE, e.outcome());
    assertEquals("1.2", e.observedText());
  }

  @Test
  void reportedEnumerationsCompareCaseInsensitively() {
    assertEquals(Outcome.RAISED, WEAK_TLS.evaluate(null, tls(0, "NONE")).outcome());
  }

  @Test
  void clearsWhenACompliantValueIsReported() {
    RuleRun run = new RuleRun(WEAK_TLS);
    run.feed(tls(0, "1.1"));
    assertEquals(Outcome.HOLD, run.feed(tls(10, "none")));
    assertEquals(Outcome.CLEARED, run.feed(tls(20, "1.3")));
  }

  @Test
  void anyValueOutsideTheAllowlistViolatesAMultiValuedField() {
    RuleRun run = new RuleRun(PORTS);
    assertEquals(Outcome.NONE, run.feed(ports(0, 443, 8883)));
    assertEquals(Outcome.RAISED, run.feed(ports(10, 443, 23)));
    assertEquals("23", run.last().observedText());
    assertEquals(Outcome.CLEARED, run.feed(ports(20, 443)));
  }

  @Test
  void noOpenPortsAtAllIsCompliant() {
    Evaluation e = PORTS.evaluate(null, ports(0));
    assertEquals(Outcome.NONE, e.outcome());
    assertTrue(e.detail().contains("(none)"), e.detail());
  }

  @Test
  void theRaiseTriggerDebouncesViolatingReports() {
    StatePredicate twice = new StatePredicate(new Selector.OfState(StateField.SECURITY_STATE),
        Set.of("degraded"), Set.of(), Trigger.afterConsecutive(2), ONCE);
    RuleRun run = new RuleRun(twice);
    assertEquals(Outcome.PENDING, run.feed(state(reported(T0).setSecurityState("degraded"))));
    assertEquals(Outcome.RAISED, run.feed(state(reported(T0.plusSeconds(1)).setSecurityState("Degraded"))));
  }

  @Test
  void aReportWithoutTheFieldIsNotApplicableAndALateReportIsIgnored() {
    RuleRun run = new RuleRun(WEAK_TLS);
    run.feed(tls(10, "1.0"));
    CheckState raised = run.state();
    assertSame(raised, WEAK_TLS.evaluate(raised, state(reported(T0.plusSeconds(20)).setMode("running"))).state());
    Evaluation stale = WEAK_TLS.evaluate(raised, tls(5, "1.3"));
    assertSame(raised, stale.state());
    assertEquals(Outcome.NONE, stale.outcome());
    assertNull(WEAK_TLS.evaluate(null, state(reported(T0))).state());
  }

  @Test
  void anEventAttributeSelectorReadsOnlyEventsOfItsType() {
    StatePredicate anonymous = new StatePredicate(new Selector.OfEvent("session", "auth"),
        Set.of("anonymous", "none"), Set.of(), ONCE, ONCE);
    assertEquals(Set.of(Channel.EVENT), anonymous.channels());
    Evaluation e = anonymous.evaluate(null,
        Observation.event(T0, null, null, "session", Map.of("auth", "anonymous")));
    assertEquals(Outcome.RAISED, e.outcome());
    assertNull(anonymous.evaluate(null, Observation.event(T0, null, null, "login", Map.of("auth", "anonymous")))
        .state());
    assertNull(anonymous.evaluate(null, Observation.event(T0, null, null, "session", Map.of())).state());
  }

  @Test
  void refusesBadArguments() {
    String oneList = "in: give exactly one of in (values that violate) or notIn (the allowlist), "
        + "with at least one value";
    Selector tls = new Selector.OfState(StateField.TLS);
    assertEquals(oneList, assertThrows(IllegalArgumentException.class,
        () -> new StatePredicate(tls, Set.of("1.0"), Set.of("1.3"), ONCE, ONCE)).getMessage());
    assertEquals(oneList, assertThrows(IllegalArgumentException.class,
        () -> new StatePredicate(tls, Set.of(), Set.of(), ONCE, ONCE)).getMessage());
    assertEquals("selector", assertThrows(NullPointerException.class,
        () -> new StatePredicate(null, Set.of("1.0"), Set.of(), ONCE, ONCE)).getMessage());
  }
}
