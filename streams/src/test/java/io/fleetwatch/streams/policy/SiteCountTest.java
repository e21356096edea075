package io.fleetwatch.streams.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.CheckState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * SEC-01 per site (FLT-01 shape): events from any devices of a site in one sliding window. The routing and tick
 * basics are in {@link GroupRuleTest}; this class covers counting without {@code distinct}, the device-side attribute
 * condition, the window edge and validation.
 */
class SiteCountTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");
  private static final SiteCount FAILURES =
      new SiteCount(SignalMatch.Event.ofType("auth_failure"), Duration.ofMinutes(10), 3, null);

  private static GroupInput sample(String device, long second) {
    return new GroupInput("hq", GroupInput.Kind.SAMPLE, device, "hq", T0.plusSeconds(second), null);
  }

  /** Feeds the inputs to the group side in order; returns the findings of the last one. */
  private static GroupRule.GroupEvaluation group(SiteCount rule, GroupInput... inputs) {
    GroupRule.GroupEvaluation e = new GroupRule.GroupEvaluation(null, List.of());
    for (GroupInput input : inputs) {
      e = rule.evaluateGroup(e.state(), input);
    }
    return e;
  }

  @Test
  void isASiteLevelRuleThatIsNeverOfferedSingleObservations() {
    assertTrue(FAILURES.siteLevel());
    assertEquals(Set.of(), FAILURES.channels());
    assertEquals(Channel.DEVICE, FAILURES.routedChannels());
    Observation failure = Observation.event(T0, null, null, "auth_failure", Map.of());
    assertNull(FAILURES.evaluate(null, failure).state());
  }

  @Test
  void countsEventsFromSeveralDevicesAndRaisesOneSiteFindingAtTheThreshold() {
    GroupRule.GroupEvaluation two = group(FAILURES, sample("d1", 0), sample("d2", 10));
    assertEquals(List.of(), two.findings());
    GroupRule.GroupEvaluation three = FAILURES.evaluateGroup(two.state(), sample("d1", 20));
    assertEquals(1, three.findings().size());
    GroupRule.Finding site = three.findings().get(0);
    assertNull(site.deviceId());
    assertEquals("hq", site.site());
    assertEquals(Outcome.RAISED, site.evaluation().outcome());
    assertEquals(3.0, site.evaluation().observed());
    assertTrue(site.evaluation().detail().startsWith("site hq: "), site.evaluation().detail());
    assertTrue(site.evaluation().detail().endsWith("(latest from d1)"), site.evaluation().detail());
  }

  @Test
  void eventsSpreadWiderThanTheWindowDoNotRaise() {
    GroupRule.GroupEvaluation e = group(FAILURES, sample("d1", 0), sample("d2", 300), sample("d3", 601));
    assertEquals(List.of(), e.findings());
  }

  @Test
  void furtherSamplesWhileRaisedAreNoNewFinding() {
    GroupRule.GroupEvaluation e = group(FAILURES, sample("d1", 0), sample("d2", 1), sample("d3", 2), sample("d4", 3));
    assertEquals(List.of(), e.findings());
    assertTrue(e.state().getActive());
  }

  @Test
  void joinAndLeaveInputsAreNotForThisRule() {
    CheckState state = group(FAILURES, sample("d1", 0)).state();
    GroupInput join = new GroupInput("hq", GroupInput.Kind.JOIN, "d2", "hq", T0, null);
    GroupRule.GroupEvaluation e = FAILURES.evaluateGroup(state, join);
    assertSame(state, e.state());
    assertEquals(List.of(), e.findings());
  }

  @Test
  void theDeviceSideChecksTheAttributeConditionOfTheSignal() {
    SiteCount external = new SiteCount(new SignalMatch.Event("auth_failure", "source", Set.of(), Set.of("127.0.0.1")),
        Duration.ofMinutes(10), 3, "source");
    Observation local = Observation.event(T0, null, null, "auth_failure", Map.of("source", "127.0.0.1"));
    assertEquals(List.of(), external.route(null, local, "d1", "hq").inputs());
    Observation remote = Observation.event(T0, null, null, "auth_failure", Map.of("source", "10.0.0.9"));
    assertEquals(List.of(new GroupInput("hq", GroupInput.Kind.SAMPLE, "d1", "hq", T0, "10.0.0.9")),
        external.route(null, remote, "d1", "hq").inputs());
  }

  @Test
  void aSampleWithoutTheDistinctAttributeCarriesAPlaceholderValue() {
    SiteCount sources = new SiteCount(SignalMatch.Event.ofType("auth_failure"), Duration.ofMinutes(10), 3, "source");
    Observation anonymous = Observation.event(T0, null, null, "auth_failure", Map.of());
    assertEquals("(none)", sources.route(null, anonymous, "d1", "hq").inputs().get(0).value());
  }

  @Test
  void aLateSampleDoesNotMoveTheDevicesLatestSampleBack() {
    GroupRule.Routing recent = FAILURES.route(null,
        Observation.event(T0.plusSeconds(100), null, null, "auth_failure", Map.of()), "d1", "hq");
    GroupRule.Routing late = FAILURES.route(recent.state(),
        Observation.event(T0, null, null, "auth_failure", Map.of()), "d1", "hq");
    assertEquals(1, late.inputs().size());
    assertEquals(T0.plusSeconds(100), late.state().getArmedAt());
  }

  @Test
  void refusesBadArguments() {
    SignalMatch.Event failure = SignalMatch.Event.ofType("auth_failure");
    assertEquals("threshold: must be >= 1, got 0", assertThrows(IllegalArgumentException.class,
        () -> new SiteCount(failure, Duration.ofMinutes(10), 0, null)).getMessage());
    assertEquals("window: must be longer than zero, got PT0S", assertThrows(IllegalArgumentException.class,
        () -> new SiteCount(failure, Duration.ZERO, 3, null)).getMessage());
    assertEquals("signal", assertThrows(NullPointerException.class,
        () -> new SiteCount(null, Duration.ofMinutes(10), 3, null)).getMessage());
  }
}
