package io.fleetwatch.streams.policy;

import static io.fleetwatch.streams.policy.Reports.reported;
import static io.fleetwatch.streams.policy.Reports.state;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.fleetwatch.avro.CheckState;
import io.fleetwatch.avro.DeviceModel;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SEC-05: the reported firmware is below the minimum of the model (registry first, the policy as fallback). */
class VersionBelowTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");
  private static final VersionBelow RULE = new VersionBelow(Map.of("CH-100", Version.parse("2.4.0")), null);

  private static Observation firmware(long second, String model, String firmware) {
    return state(reported(T0.plusSeconds(second)).setModel(model).setFirmware(firmware));
  }

  private static Observation registered(Observation o, String minimumFirmware) {
    return o.registered(null, DeviceModel.newBuilder().setModel(o.reported().getModel())
        .setMinimumFirmware(minimumFirmware).build());
  }

  @Test
  void raisesOnTheFirstReportBelowTheMinimum() {
    Evaluation e = RULE.evaluate(null, firmware(0, "CH-100", "2.3.9"));
    assertEquals(Outcome.RAISED, e.outcome());
    assertEquals("2.3.9", e.observedText());
  }

  @Test
  void aVersionAtTheMinimumIsAcceptable() {
    assertEquals(Outcome.NONE, RULE.evaluate(null, firmware(0, "CH-100", "2.4.0")).outcome());
    assertEquals(Outcome.NONE, RULE.evaluate(null, firmware(0, "CH-100", "v2.4")).outcome());
  }

  @Test
  void partsCompareNumericallyAndAPreReleaseIsBelowItsRelease() {
    assertEquals(Outcome.NONE, RULE.evaluate(null, firmware(0, "CH-100", "2.10.0")).outcome());
    assertEquals(Outcome.RAISED, RULE.evaluate(null, firmware(0, "CH-100", "2.4.0-rc1")).outcome());
  }

  @Test
  void anUnparseableVersionCannotProveItIsPatched() {
    assertEquals(Outcome.RAISED, RULE.evaluate(null, firmware(0, "CH-100", "beta")).outcome());
  }

  @Test
  void clearsOnTheFirstReportAtOrAboveTheMinimum() {
    RuleRun run = new RuleRun(RULE);
    run.feed(firmware(0, "CH-100", "2.3.9"));
    assertEquals(Outcome.HOLD, run.feed(firmware(10, "CH-100", "2.3.9")));
    assertEquals(Outcome.CLEARED, run.feed(firmware(20, "CH-100", "2.4.0")));
  }

  @Test
  void theRegistryMinimumWinsOverThePolicy() {
    // the policy says 2.4.0 is enough, the registry asks for 3.0
    assertEquals(Outcome.RAISED, RULE.evaluate(null, registered(firmware(0, "CH-100", "2.5"), "3.0")).outcome());
    // and a registry minimum applies to a model the policy does not name
    assertEquals(Outcome.RAISED, RULE.evaluate(null, registered(firmware(0, "PLC-7", "1.0"), "1.1")).outcome());
    // a registry minimum that does not parse falls back to the policy
    assertEquals(Outcome.NONE, RULE.evaluate(null, registered(firmware(0, "CH-100", "2.5"), "latest")).outcome());
  }

  @Test
  void aModelWithoutAnyMinimumIsNotApplicableUnlessThereIsAnOtherwise() {
    assertNull(RULE.evaluate(null, firmware(0, "PLC-7", "0.1")).state());
    VersionBelow withDefault = new VersionBelow(Map.of(), Version.parse("1.0"));
    assertEquals(Outcome.RAISED, withDefault.evaluate(null, firmware(0, "PLC-7", "0.1")).outcome());
    assertEquals(Outcome.RAISED, withDefault.evaluate(null, firmware(0, null, "0.1")).outcome());
  }

  @Test
  void aReportWithoutFirmwareAndALateReportChangeNothing() {
    RuleRun run = new RuleRun(RULE);
    run.feed(firmware(10, "CH-100", "2.3.9"));
    CheckState raised = run.state();
    assertSame(raised, RULE.evaluate(raised, state(reported(T0.plusSeconds(20)).setModel("CH-100"))).state());
    Evaluation stale = RULE.evaluate(raised, firmware(5, "CH-100", "2.5.0"));
    assertSame(raised, stale.state());
    assertEquals(Outcome.NONE, stale.outcome());
  }

  @Test
  void fromRegistryHasNoFallback() {
    VersionBelow registryOnly = VersionBelow.fromRegistry();
    assertNull(registryOnly.evaluate(null, firmware(0, "CH-100", "0.1")).state());
    assertEquals(Outcome.RAISED,
        registryOnly.evaluate(null, registered(firmware(0, "CH-100", "0.1"), "1.0")).outcome());
  }
}
