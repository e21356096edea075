package io.fleetwatch.simulator.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.simulator.ManualClock;
import io.fleetwatch.simulator.scenario.FaultPlan.ResolvedExpectation;
import io.fleetwatch.simulator.scenario.FaultPlan.ResolvedForbidden;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScenarioCheckTest {
  private static final Instant START = Instant.parse("2026-01-10T08:00:00Z");
  private final ResolvedExpectation saf01 = new ResolvedExpectation("chiller-overheat", "SAF-01", "chiller-01", "hq",
      Duration.ofSeconds(10), Duration.ofSeconds(60));
  private final ResolvedExpectation sec14AtSite = new ResolvedExpectation("site-outage", "SEC-14", null, "plant-a",
      Duration.ofSeconds(5), Duration.ofMinutes(5));

  @Test
  void matchesTheIncidentDetectedAfterTheInjectionAndMeasuresTheLatency() {
    Instant injected = START.plusSeconds(10);
    List<IncidentSighting> seen = List.of(
        sighting("old", "SAF-01", "chiller-01", "hq", "resolved", START.minusSeconds(100)),
        sighting("other-device", "SAF-01", "chiller-02", "hq", "open", injected.plusSeconds(1)),
        sighting("new", "SAF-01", "chiller-01", "hq", "open", injected.plusMillis(4_250)));

    CheckReport.Outcome o = ScenarioCheck.match(saf01, injected, seen);

    assertEquals("new", o.incidentId());
    assertEquals(Duration.ofMillis(4_250), o.latency());
  }

  @Test
  void anIncidentStillOpenFromBeforeCountsWhenItSawViolationsAfterTheInjection() {
    Instant injected = START.plusSeconds(10);
    IncidentSighting open = new IncidentSighting("open", "SAF-01", "chiller-01", "hq", "open",
        START.minusSeconds(30), injected.plusSeconds(2));

    CheckReport.Outcome o = ScenarioCheck.match(saf01, injected, List.of(open));

    assertEquals("open", o.incidentId());
    assertNull(o.latency(), "no detection latency for an incident opened before the fault");
  }

  @Test
  void aSiteExpectationMatchesAnyDeviceOfTheSite() {
    Instant injected = START.plusSeconds(5);
    List<IncidentSighting> seen = List.of(sighting("x", "SEC-14", "plc-02", "plant-a", "open", injected.plusSeconds(200)));

    assertEquals("x", ScenarioCheck.match(sec14AtSite, injected, seen).incidentId());
    assertNull(ScenarioCheck.match(sec14AtSite, injected,
        List.of(sighting("y", "SEC-14", "chiller-01", "hq", "open", injected.plusSeconds(200)))));
  }

  @Test
  void reportsMissingIncidentsOnceTheirDeadlinePassesAndFailsTheCheck() throws Exception {
    ManualClock clock = new ManualClock(START);
    List<IncidentSighting> incidents = new ArrayList<>();
    IncidentSource source = () -> {
      // each poll is one second later; the SAF-01 incident shows up on the 20th second
      clock.advance(Duration.ofSeconds(1));
      if (clock.instant().equals(START.plusSeconds(20))) {
        incidents.add(sighting("i1", "SAF-01", "chiller-01", "hq", "open", clock.instant()));
      }
      return List.copyOf(incidents);
    };
    ResolvedExpectation never = new ResolvedExpectation("t", "SEC-01", "meter-01", "hq", Duration.ofSeconds(5),
        Duration.ofSeconds(30));

    CheckReport report = new ScenarioCheck(source, clock, Duration.ZERO).await(START, List.of(saf01, never));

    assertFalse(report.passed());
    assertEquals(List.of(never), report.missing().stream().map(CheckReport.Outcome::expectation).toList());
    assertEquals(Duration.ofSeconds(10), report.outcomes().get(0).latency());
    assertTrue(clock.instant().isAfter(START.plusSeconds(35)), "waited for the deadline: " + clock.instant());
    assertTrue(report.lines().get(1).startsWith("MISSING  t: SEC-01 on meter-01 not raised within 30 s"),
        report.lines().get(1));
  }

  @Test
  void passesWhenEveryExpectedIncidentAppears() throws Exception {
    ManualClock clock = new ManualClock(START);
    IncidentSource source = saf01OpenedAt12s(clock);

    CheckReport report = new ScenarioCheck(source, clock, Duration.ZERO).await(START, List.of(saf01));

    assertTrue(report.passed());
    assertEquals("OK       chiller-overheat: SAF-01 on chiller-01 -> i1, detected 2.00 s after injection",
        report.lines().get(0));
  }

  @Test
  void aForbiddenIncidentDetectedDuringTheScenarioFailsTheCheckWithAForbiddenLine() throws Exception {
    // Given SAF-01 is forbidden on chiller-02 from 5 s after the start; SAF-01 on chiller-02 opens on the 8th second
    ManualClock clock = new ManualClock(START);
    List<IncidentSighting> incidents = new ArrayList<>();
    incidents.add(sighting("before", "SAF-01", "chiller-02", "hq", "resolved", START.plusSeconds(1)));
    incidents.add(sighting("other", "SAF-01", "chiller-01", "hq", "open", START.plusSeconds(6)));
    IncidentSource source = () -> {
      clock.advance(Duration.ofSeconds(1));
      if (clock.instant().equals(START.plusSeconds(8))) {
        incidents.add(sighting("bad", "SAF-01", "chiller-02", "hq", "open", clock.instant()));
      }
      return List.copyOf(incidents);
    };
    ResolvedForbidden noSaf01 = new ResolvedForbidden("stuck", "SAF-01", "chiller-02", "hq", Duration.ofSeconds(5));

    // When the check has nothing to wait for but watches for 10 s
    CheckReport report = new ScenarioCheck(source, clock, Duration.ZERO).await(START, List.of(), List.of(noSaf01),
        Duration.ofSeconds(10));

    // Then only the incident detected on chiller-02 after the scenario's start breaks it
    assertFalse(report.passed());
    assertEquals(List.of("bad"), report.breaches().stream().map(CheckReport.Breach::incidentId).toList());
    assertEquals(List.of("FORBIDDEN stuck: SAF-01 on chiller-02 -> bad, detected 3.00 s after the scenario started"),
        report.lines());
    assertEquals("FAILED: 0 of 0 expected incidents appeared, 1 forbidden incident appeared (1 watched)",
        report.summary());
    assertFalse(clock.instant().isBefore(START.plusSeconds(10)), "watched for the minimum: " + clock.instant());
  }

  @Test
  void aForbiddenIncidentWithoutDeviceMatchesItsSiteOrAnywhereAndAnOpenOneRaisedAgainCounts() {
    Instant start = START.plusSeconds(5);
    IncidentSighting openBefore = new IncidentSighting("flt", "FLT-01", null, "plant-a", "open",
        START.minusSeconds(60), start.plusSeconds(2));
    IncidentSighting elsewhere = sighting("hq", "FLT-01", null, "hq", "open", start.plusSeconds(3));

    List<CheckReport.Breach> atSite = ScenarioCheck.breaches(
        new ResolvedForbidden("s", "FLT-01", null, "plant-a", Duration.ofSeconds(5)), start,
        List.of(openBefore, elsewhere));
    List<CheckReport.Breach> anywhere = ScenarioCheck.breaches(
        new ResolvedForbidden("s", "FLT-01", null, null, Duration.ofSeconds(5)), start, List.of(openBefore, elsewhere));

    assertEquals(List.of("flt"), atSite.stream().map(CheckReport.Breach::incidentId).toList());
    assertNull(atSite.get(0).afterStart(), "opened before the scenario");
    assertEquals(List.of("flt", "hq"), anywhere.stream().map(CheckReport.Breach::incidentId).toList());
  }

  @Test
  void passesWhenNoForbiddenIncidentAppearsAndSaysHowManyWereWatched() throws Exception {
    ManualClock clock = new ManualClock(START);
    IncidentSource source = saf01OpenedAt12s(clock);

    CheckReport report = new ScenarioCheck(source, clock, Duration.ZERO).await(START, List.of(saf01),
        List.of(new ResolvedForbidden("c", "SAF-05", "chiller-01", "hq", Duration.ZERO)), Duration.ZERO);

    assertTrue(report.passed());
    assertEquals("PASSED: 1 of 1 expected incidents appeared, no forbidden incident (1 watched)", report.summary());
  }

  @Test
  void parsesTheApiIncidentList() throws Exception {
    String body = "[{\"id\":\"SAF-01.chiller-01.1\",\"dedupKey\":\"k\",\"status\":\"open\",\"policyId\":\"SAF-01\","
        + "\"deviceId\":\"chiller-01\",\"site\":\"hq\",\"openedAt\":\"2026-01-10T08:00:01Z\",\"lastSeenAt\":"
        + "\"2026-01-10T08:00:03Z\",\"resolvedAt\":null,\"detectedAt\":\"2026-01-10T08:00:02.500Z\","
        + "\"activeChecks\":[\"a\"],\"evidence\":[{\"topic\":\"t\",\"partition\":0,\"offset\":1}]}]";

    List<IncidentSighting> parsed = ApiIncidentSource.parse(body.getBytes(StandardCharsets.UTF_8));

    assertEquals(List.of(new IncidentSighting("SAF-01.chiller-01.1", "SAF-01", "chiller-01", "hq", "open",
        Instant.parse("2026-01-10T08:00:02.500Z"), Instant.parse("2026-01-10T08:00:03Z"))), parsed);
  }

  /** A source whose every poll is one second later and lists SAF-01 on chiller-01, opened 12 s after the start. */
  private static IncidentSource saf01OpenedAt12s(ManualClock clock) {
    return () -> {
      clock.advance(Duration.ofSeconds(1));
      return List.of(sighting("i1", "SAF-01", "chiller-01", "hq", "open", START.plusSeconds(12)));
    };
  }

  private static IncidentSighting sighting(String id, String policy, String device, String site, String status,
      Instant detected) {
    return new IncidentSighting(id, policy, device, site, status, detected, detected);
  }
}
