package io.fleetwatch.streams.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fleetwatch.avro.CheckState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The two pure halves of the group rules: device-side routing and group-side evaluation. */
class GroupRuleTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");

  private static Observation login(long second, String credential) {
    return Observation.event(T0.plusSeconds(second), null, null, "auth_success", Map.of("credential", credential));
  }

  private static Observation failure(long second, String source) {
    return Observation.event(T0.plusSeconds(second), null, null, "auth_failure", Map.of("source", source));
  }

  @Test
  void sharedValueRoutesAChangeAsLeaveThenJoinAndIgnoresRepeatsAndLateReports() {
    SharedValue rule = new SharedValue(new Selector.OfEvent("auth_success", "credential"), 2);
    GroupRule.Routing first = rule.route(null, login(10, "h1"), "d1", "hq");
    assertEquals(List.of(new GroupInput("h1", GroupInput.Kind.JOIN, "d1", "hq", T0.plusSeconds(10), null)),
        first.inputs());
    assertEquals(List.of(), rule.route(first.state(), login(20, "h1"), "d1", "hq").inputs(), "same value");
    assertEquals(List.of(), rule.route(first.state(), login(5, "h2"), "d1", "hq").inputs(), "late report");
    assertEquals(List.of(new GroupInput("h1", GroupInput.Kind.LEAVE, "d1", "hq", T0.plusSeconds(30), null),
            new GroupInput("h2", GroupInput.Kind.JOIN, "d1", "hq", T0.plusSeconds(30), null)),
        rule.route(first.state(), login(30, "h2"), "d1", "hq").inputs());
    assertEquals(List.of(), rule.route(first.state(), failure(40, "x"), "d1", "hq").inputs(), "other events");
  }

  @Test
  void sharedValueRaisesEveryMemberWhenTheThresholdIsReachedThenOnlyNewcomersAndClearsAllBelowIt() {
    SharedValue rule = new SharedValue(new Selector.OfEvent("auth_success", "credential"), 3);
    CheckState state = null;
    GroupRule.GroupEvaluation e = null;
    for (String device : List.of("d1", "d2", "d3", "d4")) {
      e = rule.evaluateGroup(state, new GroupInput("h", GroupInput.Kind.JOIN, device, "hq", T0, null));
      state = e.state();
      if (device.equals("d2")) {
        assertEquals(List.of(), e.findings(), "two of three");
      }
      if (device.equals("d3")) {
        assertEquals(List.of("d1 RAISED", "d2 RAISED", "d3 RAISED"), describe(e));
      }
    }
    assertEquals(List.of("d4 RAISED"), describe(e));
    e = rule.evaluateGroup(state, new GroupInput("h", GroupInput.Kind.JOIN, "d4", "hq", T0, null));
    assertEquals(List.of(), e.findings(), "a member joining again changes nothing");
    e = rule.evaluateGroup(e.state(), new GroupInput("h", GroupInput.Kind.LEAVE, "d1", "hq", T0, null));
    assertEquals(List.of("d1 CLEARED"), describe(e));
    e = rule.evaluateGroup(e.state(), new GroupInput("h", GroupInput.Kind.LEAVE, "d4", "hq", T0, null));
    assertEquals(List.of("d4 CLEARED", "d2 CLEARED", "d3 CLEARED"), describe(e));
    e = rule.evaluateGroup(e.state(), new GroupInput("h", GroupInput.Kind.LEAVE, "d2", "hq", T0, null));
    e = rule.evaluateGroup(e.state(), new GroupInput("h", GroupInput.Kind.LEAVE, "d3", "hq", T0, null));
    assertEquals(List.of(), e.findings());
    assertNull(e.state(), "an empty group keeps no state");
  }

  @Test
  void siteCountSendsSamplesAndOneTickOnceTheDevicesTimeLeavesTheWindow() {
    SiteCount rule = new SiteCount(SignalMatch.Event.ofType("auth_failure"), Duration.ofMinutes(10), 2, "source");
    GroupRule.Routing sample = rule.route(null, failure(0, "s1"), "d1", "hq");
    assertEquals(List.of(new GroupInput("hq", GroupInput.Kind.SAMPLE, "d1", "hq", T0, "s1")), sample.inputs());
    Observation soon = Observation.telemetry(T0.plusSeconds(600), null, null, Map.of("t", 1.0));
    assertEquals(List.of(), rule.route(sample.state(), soon, "d1", "hq").inputs(), "not past the window yet");
    Observation later = Observation.telemetry(T0.plusSeconds(601), null, null, Map.of("t", 1.0));
    GroupRule.Routing tick = rule.route(sample.state(), later, "d1", "hq");
    assertEquals(List.of(new GroupInput("hq", GroupInput.Kind.TICK, "d1", "hq", T0.plusSeconds(601), null)),
        tick.inputs());
    assertEquals(List.of(), rule.route(tick.state(), later, "d1", "hq").inputs(), "one tick per sample");
  }

  @Test
  void siteCountRaisesOnDistinctValuesFromSeveralDevicesAndClearsOnATick() {
    SiteCount rule = new SiteCount(SignalMatch.Event.ofType("auth_failure"), Duration.ofMinutes(10), 2, "source");
    GroupRule.GroupEvaluation e = rule.evaluateGroup(null,
        new GroupInput("hq", GroupInput.Kind.SAMPLE, "d1", "hq", T0.plusSeconds(60), "s1"));
    e = rule.evaluateGroup(e.state(), new GroupInput("hq", GroupInput.Kind.SAMPLE, "d2", "hq", T0.plusSeconds(70), "s1"));
    assertEquals(List.of(), e.findings(), "one distinct source");
    // a late sample from a third device, inside the window
    e = rule.evaluateGroup(e.state(), new GroupInput("hq", GroupInput.Kind.SAMPLE, "d3", "hq", T0, "s2"));
    assertEquals(List.of("hq RAISED"), describe(e));
    assertEquals(SiteCount.TYPE, e.state().getRuleType());
    e = rule.evaluateGroup(e.state(), new GroupInput("hq", GroupInput.Kind.TICK, "d2", "hq", T0.plusSeconds(671), null));
    assertEquals(List.of("hq CLEARED"), describe(e));
  }

  private static List<String> describe(GroupRule.GroupEvaluation e) {
    return e.findings().stream()
        .map(f -> (f.deviceId() == null ? f.site() : f.deviceId()) + " " + f.evaluation().outcome()).toList();
  }
}
