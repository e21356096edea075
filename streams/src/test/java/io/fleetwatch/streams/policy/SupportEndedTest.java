package io.fleetwatch.streams.policy;

import static io.fleetwatch.streams.policy.Reports.reported;
import static io.fleetwatch.streams.policy.Reports.state;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetwatch.avro.CheckState;
import io.fleetwatch.avro.DeviceModel;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SEC-06: a state report on or after the first unsupported day (UTC) of the model. */
class SupportEndedTest {
  private static final LocalDate END = LocalDate.parse("2026-01-01");
  private static final Instant LAST_SUPPORTED_SECOND = Instant.parse("2025-12-31T23:59:59Z");
  private static final Instant FIRST_UNSUPPORTED = Instant.parse("2026-01-01T00:00:00Z");
  private static final SupportEnded RULE = new SupportEnded(Map.of("CH-100", END));

  private static Observation report(Instant at, String model) {
    return state(reported(at).setModel(model));
  }

  private static Observation registered(Observation o, LocalDate end) {
    return o.registered(null, DeviceModel.newBuilder().setModel(o.reported().getModel()).setSupportEndsOn(end)
        .build());
  }

  @Test
  void theLastDayOfSupportDoesNotRaiseAndTheFirstDayAfterDoes() {
    assertEquals(Outcome.NONE, RULE.evaluate(null, report(LAST_SUPPORTED_SECOND, "CH-100")).outcome());
    Evaluation e = RULE.evaluate(null, report(FIRST_UNSUPPORTED, "CH-100"));
    assertEquals(Outcome.RAISED, e.outcome());
    assertEquals("CH-100", e.observedText());
  }

  @Test
  void theRegistryEndWinsOverThePolicy() {
    assertEquals(Outcome.NONE,
        RULE.evaluate(null, registered(report(FIRST_UNSUPPORTED, "CH-100"), END.plusYears(1))).outcome());
    assertEquals(Outcome.RAISED,
        RULE.evaluate(null, registered(report(LAST_SUPPORTED_SECOND, "PLC-7"), END.minusDays(1))).outcome());
  }

  @Test
  void aModelWithoutAnEndIsNotApplicable() {
    assertNull(RULE.evaluate(null, report(FIRST_UNSUPPORTED, "PLC-7")).state());
    assertNull(RULE.evaluate(null, state(reported(FIRST_UNSUPPORTED).setFirmware("1.0"))).state());
  }

  @Test
  void holdsWhileReportsComeAndClearsWhenASupportedModelIsReported() {
    SupportEnded rule = new SupportEnded(Map.of("CH-100", END, "CH-200", END.plusYears(5)));
    RuleRun run = new RuleRun(rule);
    run.feed(report(FIRST_UNSUPPORTED, "CH-100"));
    assertEquals(Outcome.HOLD, run.feed(report(FIRST_UNSUPPORTED.plusSeconds(60), "CH-100")));
    // the device was replaced by a supported model
    assertEquals(Outcome.CLEARED, run.feed(report(FIRST_UNSUPPORTED.plusSeconds(120), "CH-200")));
  }

  @Test
  void aLateReportIsIgnored() {
    RuleRun run = new RuleRun(RULE);
    run.feed(report(FIRST_UNSUPPORTED.plusSeconds(60), "CH-100"));
    CheckState raised = run.state();
    Evaluation stale = RULE.evaluate(raised, report(LAST_SUPPORTED_SECOND, "CH-100"));
    assertSame(raised, stale.state());
    assertEquals(Outcome.NONE, stale.outcome());
  }

  @Test
  void refusesAMissingFallbackMap() {
    assertEquals("supportEnds", assertThrows(NullPointerException.class, () -> new SupportEnded(null)).getMessage());
  }
}
