package io.fleetwatch.app.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.app.reliability.PipelineAudit.Counts;
import io.fleetwatch.app.reliability.PipelineAudit.IncidentSeen;
import io.fleetwatch.app.reliability.PipelineAudit.ViolationSeen;
import io.fleetwatch.app.reliability.TelemetryFeed.Transition;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fault-matrix audit catches what exactly-once forbids: it is the part of the reliability tests that can fail. */
class PipelineAuditTest {
  private static final List<Transition> EXPECTED = List.of(
      new Transition("d0", true, 100), new Transition("d0", false, 200),
      new Transition("d1", true, 150));

  private static List<ViolationSeen> violations() {
    return new ArrayList<>(EXPECTED.stream()
        .map(t -> new ViolationSeen(t.deviceId(), t.raised(), t.eventTime())).toList());
  }

  private static List<IncidentSeen> incidents() {
    return new ArrayList<>(List.of(
        new IncidentSeen("P.d0.100", "d0", 100, false, "d0 open"),
        new IncidentSeen("P.d0.100", "d0", 200, true, "d0 resolved"),
        new IncidentSeen("P.d1.150", "d1", 150, false, "d1 open")));
  }

  @Test
  void isExactWhenEveryTransitionIsThereOnce() {
    Counts counts = PipelineAudit.count(EXPECTED, violations(), incidents());
    assertTrue(counts.exact(), counts.toString());
    assertEquals(2, counts.incidentsExpected());
    assertEquals(2, counts.incidentsSeen());
    assertEquals(1, counts.openAtEnd());
  }

  @Test
  void countsAViolationCommittedTwiceAsADuplicate() {
    List<ViolationSeen> violations = violations();
    violations.add(new ViolationSeen("d0", true, 100));
    Counts counts = PipelineAudit.count(EXPECTED, violations, incidents());
    assertFalse(counts.exact());
    assertEquals(1, counts.violationDuplicates(), counts.toString());
  }

  @Test
  void countsAMissingAndAnUnexpectedViolation() {
    List<ViolationSeen> violations = violations();
    violations.remove(1);
    violations.add(new ViolationSeen("d1", false, 999));
    Counts counts = PipelineAudit.count(EXPECTED, violations, incidents());
    assertEquals(1, counts.violationsMissing(), counts.toString());
    assertEquals(1, counts.violationsUnexpected(), counts.toString());
    assertFalse(counts.complete());
  }

  @Test
  void countsAnIncidentStateCommittedTwiceAsADuplicateTransition() {
    List<IncidentSeen> incidents = incidents();
    incidents.add(new IncidentSeen("P.d0.100", "d0", 200, true, "d0 resolved"));
    Counts counts = PipelineAudit.count(EXPECTED, violations(), incidents);
    assertFalse(counts.exact());
    assertEquals(1, counts.incidentDuplicates(), counts.toString());
  }

  @Test
  void countsAViolationThatNeverReachedItsIncident() {
    List<IncidentSeen> incidents = incidents();
    incidents.remove(1); // the clear at 200 resolved nothing
    Counts counts = PipelineAudit.count(EXPECTED, violations(), incidents);
    assertEquals(1, counts.violationsNotInIncidents(), counts.toString());
    assertFalse(counts.complete());
  }
}
