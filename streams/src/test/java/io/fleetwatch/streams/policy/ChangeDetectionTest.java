package io.fleetwatch.streams.policy;

import static io.fleetwatch.streams.policy.Reports.reported;
import static io.fleetwatch.streams.policy.Reports.state;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetwatch.avro.ApprovedChange;
import io.fleetwatch.avro.Asset;
import io.fleetwatch.avro.CheckState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** SEC-09 (baseline), SEC-08 (decrease) and SEC-18 (regression): the three modes of change detection. */
class ChangeDetectionTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");
  private static final ChangeDetection DRIFT = ChangeDetection.baseline(Map.of("CH-100", "sha256:good"), false);
  private static final ChangeDetection TOFU = ChangeDetection.baseline(Map.of("CH-100", "sha256:good"), true);
  private static final ChangeDetection DOWNGRADE = ChangeDetection.downgrade();
  private static final ChangeDetection REPLAY = ChangeDetection.replay(Channel.TELEMETRY, "boot", null);

  private static Observation config(long second, String model, String hash) {
    return state(reported(T0.plusSeconds(second)).setModel(model).setConfigHash(hash));
  }

  private static Observation firmware(long second, String version) {
    return state(reported(T0.plusSeconds(second)).setModel("CH-100").setFirmware(version));
  }

  private static Observation telemetry(long second, long seq) {
    return Observation.telemetry(T0.plusSeconds(second), null, seq, Map.of("temp", 20.0));
  }

  private static Asset approving(String from, String to, Instant validFrom, Instant validUntil) {
    return Asset.newBuilder().setDeviceId("chiller-1").setSite("site-1").setAssetClass("chiller")
        .setApprovedChanges(List.of(ApprovedChange.newBuilder().setFromFirmware(from).setToFirmware(to)
            .setValidFrom(validFrom).setValidUntil(validUntil).setReference("CHG-42").build()))
        .build();
  }

  // --- baseline (SEC-09)

  @Test
  void configurationOnTheBaselineIsFineAndADifferentHashRaisesAtOnce() {
    assertEquals(Outcome.NONE, DRIFT.evaluate(null, config(0, "CH-100", "sha256:good")).outcome());
    Evaluation e = DRIFT.evaluate(null, config(0, "CH-100", "sha256:evil"));
    assertEquals(Outcome.RAISED, e.outcome());
    assertEquals("sha256:evil", e.observedText());
  }

  @Test
  void clearsWhenTheConfigurationIsBackOnTheBaseline() {
    RuleRun run = new RuleRun(DRIFT);
    run.feed(config(0, "CH-100", "sha256:evil"));
    assertEquals(Outcome.HOLD, run.feed(config(10, "CH-100", "sha256:other")));
    assertEquals(Outcome.CLEARED, run.feed(config(20, "CH-100", "sha256:good")));
  }

  @Test
  void aModelWithoutBaselineIsNotApplicableUnlessItLearnsTheFirstHash() {
    assertNull(DRIFT.evaluate(null, config(0, "PLC-7", "sha256:any")).state());
    // trust on first use: the first hash is the baseline, a later different one drifts
    RuleRun run = new RuleRun(TOFU);
    assertEquals(Outcome.NONE, run.feed(config(0, "PLC-7", "sha256:first")));
    assertEquals("sha256:first", run.state().getReference());
    assertEquals(Outcome.NONE, run.feed(config(10, "PLC-7", "sha256:first")));
    assertEquals(Outcome.RAISED, run.feed(config(20, "PLC-7", "sha256:second")));
    assertEquals(Outcome.CLEARED, run.feed(config(30, "PLC-7", "sha256:first")));
  }

  @Test
  void aConfiguredBaselineIsNeverReplacedByLearning() {
    RuleRun run = new RuleRun(TOFU);
    assertEquals(Outcome.RAISED, run.feed(config(0, "CH-100", "sha256:evil")));
    assertNull(run.state().getReference());
  }

  @Test
  void aReportWithoutHashAndALateReportAreIgnored() {
    RuleRun run = new RuleRun(DRIFT);
    run.feed(config(10, "CH-100", "sha256:evil"));
    CheckState raised = run.state();
    assertSame(raised, DRIFT.evaluate(raised, state(reported(T0.plusSeconds(20)).setModel("CH-100"))).state());
    Evaluation stale = DRIFT.evaluate(raised, config(5, "CH-100", "sha256:good"));
    assertSame(raised, stale.state());
    assertEquals(Outcome.NONE, stale.outcome());
  }

  // --- decrease (SEC-08)

  @Test
  void theFirstVersionIsTheReferenceAndUpgradesMoveIt() {
    RuleRun run = new RuleRun(DOWNGRADE);
    assertEquals(Outcome.NONE, run.feed(firmware(0, "2.4.0")));
    assertEquals("2.4.0", run.state().getReference());
    assertEquals(Outcome.NONE, run.feed(firmware(10, "2.10.0")));
    assertEquals("2.10.0", run.state().getReference());
    assertEquals(Outcome.NONE, run.feed(firmware(20, "2.10.0")));
  }

  @Test
  void aLowerVersionRaisesAndTheHighestAgainClears() {
    RuleRun run = new RuleRun(DOWNGRADE);
    run.feed(firmware(0, "2.4.0"));
    assertEquals(Outcome.RAISED, run.feed(firmware(10, "2.3.9")));
    assertEquals("2.3.9", run.last().observedText());
    assertEquals("2.4.0", run.state().getReference(), "a downgrade does not lower the reference");
    assertEquals(Outcome.HOLD, run.feed(firmware(20, "2.3.9")));
    assertEquals(Outcome.CLEARED, run.feed(firmware(30, "2.4.0")));
  }

  @Test
  void anApprovedDowngradeDoesNotRaiseAndBecomesTheReference() {
    Asset asset = approving("2.4.0", "2.3.9", T0, T0.plusSeconds(3600));
    RuleRun run = new RuleRun(DOWNGRADE);
    run.feed(firmware(0, "2.4.0").registered(asset, null));
    assertEquals(Outcome.NONE, run.feed(firmware(10, "2.3.9").registered(asset, null)));
    assertEquals("2.3.9", run.state().getReference());
    // after the approval expired, the approved version is still no downgrade
    assertEquals(Outcome.NONE, run.feed(firmware(7200, "2.3.9").registered(asset, null)));
  }

  @Test
  void anApprovalOfAnotherChangeOrOutsideItsValidityDoesNotCover() {
    RuleRun otherTarget = new RuleRun(DOWNGRADE);
    Asset toOther = approving("2.4.0", "2.3.0", null, null);
    otherTarget.feed(firmware(0, "2.4.0").registered(toOther, null));
    assertEquals(Outcome.RAISED, otherTarget.feed(firmware(10, "2.3.9").registered(toOther, null)));

    RuleRun expired = new RuleRun(DOWNGRADE);
    Asset until = approving(null, null, null, T0.plusSeconds(10));
    expired.feed(firmware(0, "2.4.0").registered(until, null));
    assertEquals(Outcome.RAISED, expired.feed(firmware(10, "2.3.9").registered(until, null)));
  }

  @Test
  void anApprovalPublishedLaterCoversTheNextReportAndClears() {
    RuleRun run = new RuleRun(DOWNGRADE);
    run.feed(firmware(0, "2.4.0"));
    run.feed(firmware(10, "2.3.9"));
    Asset asset = approving("2.4.0", "2.3.9", null, null);
    assertEquals(Outcome.CLEARED, run.feed(firmware(20, "2.3.9").registered(asset, null)));
    assertEquals("downgrade from 2.4.0 to 2.3.9 approved (CHG-42)", run.last().detail());
    assertEquals("2.3.9", run.state().getReference());
  }

  @Test
  void anUnparseableOrLateVersionIsIgnored() {
    RuleRun run = new RuleRun(DOWNGRADE);
    run.feed(firmware(10, "2.4.0"));
    CheckState state = run.state();
    assertSame(state, DOWNGRADE.evaluate(state, firmware(20, "nightly")).state());
    assertSame(state, DOWNGRADE.evaluate(state, firmware(5, "1.0")).state());
    assertNull(DOWNGRADE.evaluate(null, firmware(0, "nightly")).state());
  }

  // --- regression (SEC-18)

  @Test
  void increasingSequenceNumbersAreFineAndALowerOneRaises() {
    RuleRun run = new RuleRun(REPLAY);
    assertEquals(Outcome.NONE, run.feed(telemetry(0, 1)));
    assertEquals(Outcome.NONE, run.feed(telemetry(1, 2)));
    assertEquals(Outcome.RAISED, run.feed(telemetry(2, 1)));
    assertEquals(1.0, run.last().observed());
    assertEquals(2L, run.state().getLastSeq(), "a replayed number does not lower the highest seen");
  }

  @Test
  void aDuplicateIsARedeliveryNotAReplay() {
    RuleRun run = new RuleRun(REPLAY);
    run.feed(telemetry(0, 5));
    CheckState state = run.state();
    Evaluation again = REPLAY.evaluate(state, telemetry(0, 5));
    assertEquals(Outcome.NONE, again.outcome());
    assertSame(state, again.state());
  }

  @Test
  void isEvaluatedInArrivalOrderSoAReplayWithAnOldDeviceTimeStillRaises() {
    RuleRun run = new RuleRun(REPLAY);
    run.feed(telemetry(100, 10));
    assertEquals(Outcome.RAISED, run.feed(telemetry(5, 3)));
  }

  @Test
  void increasingNumbersClearAfterTheClearTrigger() {
    RuleRun immediately = new RuleRun(REPLAY);
    immediately.feed(telemetry(0, 10));
    immediately.feed(telemetry(1, 3));
    assertEquals(Outcome.CLEARED, immediately.feed(telemetry(2, 11)));

    RuleRun afterTwo = new RuleRun(ChangeDetection.replay(Channel.TELEMETRY, null, Trigger.afterConsecutive(2)));
    afterTwo.feed(telemetry(0, 10));
    afterTwo.feed(telemetry(1, 3));
    assertEquals(Outcome.HOLD, afterTwo.feed(telemetry(2, 11)));
    assertEquals(Outcome.CLEARED, afterTwo.feed(telemetry(3, 12)));
  }

  @Test
  void aBootEventRestartsTheCounter() {
    RuleRun run = new RuleRun(REPLAY);
    run.feed(telemetry(0, 500));
    run.feed(Observation.event(T0.plusSeconds(1), null, 1L, "boot", Map.of()));
    assertNull(run.state().getLastSeq());
    assertEquals(Outcome.NONE, run.feed(telemetry(2, 1)));
    assertEquals(Outcome.RAISED, run.feed(telemetry(3, 0)));
  }

  @Test
  void messagesOfOtherChannelsOrWithoutNumbersAreNotApplicable() {
    assertEquals(Set.of(Channel.TELEMETRY, Channel.EVENT), REPLAY.channels());
    RuleRun run = new RuleRun(REPLAY);
    run.feed(telemetry(0, 10));
    CheckState state = run.state();
    assertSame(state, REPLAY.evaluate(state, Observation.event(T0, null, 1L, "door", Map.of())).state());
    assertSame(state, REPLAY.evaluate(state, Observation.telemetry(T0, null, null, Map.of())).state());
    assertNull(REPLAY.evaluate(null, Observation.event(T0, null, null, "boot", Map.of())).state());
  }

  @Test
  void refusesBadArguments() {
    assertEquals("channel: regression needs a device channel, got null", assertThrows(IllegalArgumentException.class,
        () -> ChangeDetection.replay(null, null, null)).getMessage());
    assertEquals("channel: regression needs a device channel, got VIOLATION",
        assertThrows(IllegalArgumentException.class,
            () -> ChangeDetection.replay(Channel.VIOLATION, null, null)).getMessage());
    assertEquals("baselines: give approved baselines per model and/or learnFirst: true",
        assertThrows(IllegalArgumentException.class,
        () -> ChangeDetection.baseline(Map.of(), false)).getMessage());
    assertEquals("detect", assertThrows(NullPointerException.class,
        () -> new ChangeDetection(null, Map.of(), false, null, null, null)).getMessage());
  }
}
