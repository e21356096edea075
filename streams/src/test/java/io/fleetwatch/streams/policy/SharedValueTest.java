package io.fleetwatch.streams.policy;

import static io.fleetwatch.streams.policy.Reports.reported;
import static io.fleetwatch.streams.policy.Reports.state;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetwatch.avro.CheckState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * SEC-02 (shared credential): one value on at least {@code minDevices} devices. Routing and the member lifecycle
 * with three devices are in {@link GroupRuleTest}; this class covers the shipped two-device case, the findings'
 * contents, a state-field selector and validation.
 */
class SharedValueTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");
  private static final SharedValue CREDENTIAL = new SharedValue(new Selector.OfEvent("auth_success", "credential"), 2);

  private static GroupInput input(GroupInput.Kind kind, String device, String site, long second) {
    return new GroupInput("sha256:abc", kind, device, site, T0.plusSeconds(second), null);
  }

  @Test
  void isADeviceLevelRuleThatIsNeverOfferedSingleObservations() {
    assertFalse(CREDENTIAL.siteLevel());
    assertEquals(Set.of(), CREDENTIAL.channels());
    assertEquals(Set.of(Channel.EVENT), CREDENTIAL.routedChannels());
  }

  @Test
  void oneDeviceAloneIsNotShared() {
    GroupRule.GroupEvaluation e = CREDENTIAL.evaluateGroup(null, input(GroupInput.Kind.JOIN, "d1", "hq", 0));
    assertEquals(List.of(), e.findings());
    assertFalse(e.state().getActive());
  }

  @Test
  void aSecondDeviceRaisesBothQualifiedByTheValue() {
    CheckState one = CREDENTIAL.evaluateGroup(null, input(GroupInput.Kind.JOIN, "d1", "hq", 0)).state();
    GroupRule.GroupEvaluation e = CREDENTIAL.evaluateGroup(one, input(GroupInput.Kind.JOIN, "d2", "plant", 10));
    assertEquals(2, e.findings().size());
    GroupRule.Finding first = e.findings().get(0);
    assertEquals("d1", first.deviceId());
    assertEquals("hq", first.site(), "each finding carries its own device's site");
    assertEquals("sha256:abc", first.qualifier());
    assertEquals(Outcome.RAISED, first.evaluation().outcome());
    assertEquals(2.0, first.evaluation().observed());
    assertEquals("auth_success.credential sha256:abc is shared by 2 devices: [d1, d2]", first.evaluation().detail());
    assertEquals("plant", e.findings().get(1).site());
  }

  @Test
  void whenOneOfTwoLeavesBothClear() {
    CheckState one = CREDENTIAL.evaluateGroup(null, input(GroupInput.Kind.JOIN, "d1", "hq", 0)).state();
    CheckState two = CREDENTIAL.evaluateGroup(one, input(GroupInput.Kind.JOIN, "d2", "hq", 10)).state();
    GroupRule.GroupEvaluation e = CREDENTIAL.evaluateGroup(two, input(GroupInput.Kind.LEAVE, "d2", "hq", 20));
    assertEquals(List.of("d2 CLEARED", "d1 CLEARED"),
        e.findings().stream().map(f -> f.deviceId() + " " + f.evaluation().outcome()).toList());
    assertFalse(e.state().getActive());
  }

  @Test
  void leavingAGroupOneIsNotInAndSamplesChangeNothing() {
    CheckState one = CREDENTIAL.evaluateGroup(null, input(GroupInput.Kind.JOIN, "d1", "hq", 0)).state();
    GroupRule.GroupEvaluation leave = CREDENTIAL.evaluateGroup(one, input(GroupInput.Kind.LEAVE, "d9", "hq", 5));
    assertSame(one, leave.state());
    assertEquals(List.of(), leave.findings());
    GroupRule.GroupEvaluation sample = CREDENTIAL.evaluateGroup(one, input(GroupInput.Kind.SAMPLE, "d2", "hq", 5));
    assertSame(one, sample.state());
  }

  @Test
  void theLastMemberLeavingDropsTheGroupState() {
    CheckState one = CREDENTIAL.evaluateGroup(null, input(GroupInput.Kind.JOIN, "d1", "hq", 0)).state();
    GroupRule.GroupEvaluation e = CREDENTIAL.evaluateGroup(one, input(GroupInput.Kind.LEAVE, "d1", "hq", 5));
    assertNull(e.state());
    assertEquals(List.of(), e.findings(), "a value nobody else shared had nothing raised");
  }

  @Test
  void aStateFieldSelectorRoutesTheReportedValue() {
    SharedValue sameConfig = new SharedValue(new Selector.OfState(StateField.CONFIG_HASH), 2);
    assertEquals(Set.of(Channel.STATE), sameConfig.routedChannels());
    GroupRule.Routing r = sameConfig.route(null, state(reported(T0).setConfigHash("sha256:cfg")), "d1", "hq");
    assertEquals(List.of(new GroupInput("sha256:cfg", GroupInput.Kind.JOIN, "d1", "hq", T0, null)), r.inputs());
    GroupRule.Routing none = sameConfig.route(r.state(), state(reported(T0.plusSeconds(1))), "d1", "hq");
    assertEquals(List.of(), none.inputs(), "a report without the field says nothing about the value");
    assertSame(r.state(), none.state());
  }

  @Test
  void refusesBadArguments() {
    Selector credential = new Selector.OfEvent("auth_success", "credential");
    assertEquals("minDevices: must be >= 2 (a value is shared by at least two devices), got 1",
        assertThrows(IllegalArgumentException.class,
        () -> new SharedValue(credential, 1)).getMessage());
    assertEquals("selector", assertThrows(NullPointerException.class, () -> new SharedValue(null, 2)).getMessage());
  }
}
