package io.fleetwatch.simulator.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.simulator.SimulatedDevice;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FaultPlanTest {
  private final SimulatedDevice chiller = SimulatedDevice.of("hq", "chiller-01", "chiller");
  private final SimulatedDevice boiler = SimulatedDevice.of("hq", "boiler-01", "boiler");
  private final SimulatedDevice plc = SimulatedDevice.of("plant-a", "plc-01", "plc");
  private final List<SimulatedDevice> fleet = List.of(chiller, boiler, plc);

  private static Scenario scenario(String body) {
    return ScenarioFile.parse("t.yaml", "apiVersion: fleetwatch.io/v1\nkind: Scenario\nname: t\ndescription: d\n"
        + body);
  }

  private FaultPlan plan(String body) {
    return new FaultPlan(List.of(scenario(body)), fleet, 1L);
  }

  @Test
  void forcesTheMetricDuringTheWindowOfEveryOccurrenceOnlyOnTheTarget() {
    FaultPlan plan = plan("""
        targets: {c: {device: chiller-01}}
        schedule: {start: PT10S, repeat: PT2M}
        steps: [{target: c, for: PT20S, force: {metric: supply_temp_c, value: 15}}]
        expect: []
        """);

    assertEquals(7.0, plan.metric(chiller, "supply_temp_c", 9_999, 7.0));
    assertEquals(15.0, plan.metric(chiller, "supply_temp_c", 10_000, 7.0));
    assertEquals(15.0, plan.metric(chiller, "supply_temp_c", 29_999, 7.0));
    assertEquals(7.0, plan.metric(chiller, "supply_temp_c", 30_000, 7.0));
    assertEquals(15.0, plan.metric(chiller, "supply_temp_c", 120_000 + 15_000, 7.0), "second occurrence");
    assertEquals(12.0, plan.metric(chiller, "return_temp_c", 15_000, 12.0), "other metric");
    assertEquals(180.0, plan.metric(boiler, "supply_temp_c", 15_000, 180.0), "other device");
  }

  @Test
  void stopsRepeatingAfterTheGivenNumberOfTimes() {
    FaultPlan plan = plan("""
        targets: {c: {device: chiller-01}}
        schedule: {repeat: PT1M, times: 2}
        steps: [{target: c, for: PT10S, force: {metric: supply_temp_c, value: 15}}]
        expect: []
        """);

    assertEquals(15.0, plan.metric(chiller, "supply_temp_c", 60_000 + 5_000, 7.0));
    assertEquals(7.0, plan.metric(chiller, "supply_temp_c", 120_000 + 5_000, 7.0));
  }

  @Test
  void rampsLinearlyFromTheNormalReadingToTheTarget() {
    FaultPlan plan = plan("""
        targets: {b: {device: boiler-01}}
        steps: [{target: b, for: PT10S, ramp: {metric: pressure_kpa, to: 300}}]
        expect: []
        """);

    assertEquals(180.0, plan.metric(boiler, "pressure_kpa", 0, 180.0), 1e-9);
    assertEquals(240.0, plan.metric(boiler, "pressure_kpa", 5_000, 180.0), 1e-9);
    assertEquals(180.0, plan.metric(boiler, "pressure_kpa", 10_000, 180.0), 1e-9, "over");
  }

  @Test
  void freezeRepeatsTheFirstReadingOfTheWindowAndForgetsItAfterwards() {
    FaultPlan plan = plan("""
        targets: {c: {device: chiller-01}}
        schedule: {repeat: PT1M}
        steps: [{target: c, at: PT10S, for: PT20S, freeze: {metric: supply_temp_c}}]
        expect: []
        """);

    assertEquals(7.3, plan.metric(chiller, "supply_temp_c", 10_000, 7.3));
    assertEquals(7.3, plan.metric(chiller, "supply_temp_c", 20_000, 6.1));
    assertEquals(6.5, plan.metric(chiller, "supply_temp_c", 31_000, 6.5));
    assertEquals(8.0, plan.metric(chiller, "supply_temp_c", 70_000, 8.0), "next occurrence freezes anew");
    assertEquals(8.0, plan.metric(chiller, "supply_temp_c", 75_000, 6.0));
  }

  @Test
  void silencesEveryDeviceOfASiteTarget() {
    FaultPlan plan = plan("""
        targets: {s: {site: hq}}
        steps: [{target: s, at: PT5S, for: PT1M, silence: true}]
        expect: [{policy: SEC-14, target: s}]
        """);

    assertFalse(plan.silenced(chiller, 4_999));
    assertTrue(plan.silenced(chiller, 5_000));
    assertTrue(plan.silenced(boiler, 64_999));
    assertFalse(plan.silenced(boiler, 65_000));
    assertFalse(plan.silenced(plc, 30_000), "other site");
    FaultPlan.ResolvedExpectation e = plan.expectations().get(0);
    assertNull(e.deviceId(), "a site target expects a site-level incident");
    assertEquals("hq", e.site());
  }

  @Test
  void spreadsEventsEvenlyOverTheStepAndNumbersThem() {
    FaultPlan plan = plan("""
        targets: {c: {device: chiller-01}}
        schedule: {start: PT1S}
        steps: [{target: c, for: PT4S, events: {type: auth_failure, count: 4, attributes: {source: "10.0.0.{n}"}}}]
        expect: []
        """);
    List<String> seen = new ArrayList<>();

    // ticks of 500 ms from -1 ms to 6 s
    long previous = -1;
    for (long t = 0; t <= 6_000; t += 500) {
      tick(plan, previous, t, seen);
      previous = t;
    }

    assertEquals(List.of("event chiller-01 auth_failure {source=10.0.0.0} @1000",
        "event chiller-01 auth_failure {source=10.0.0.1} @2000", "event chiller-01 auth_failure {source=10.0.0.2} @3000",
        "event chiller-01 auth_failure {source=10.0.0.3} @4000"), seen);
  }

  @Test
  void reportsStateWhenAChangeStartsAndWhenItEndsAndAppliesItInBetween() {
    FaultPlan plan = plan("""
        targets: {c: {device: chiller-01}}
        steps: [{target: c, at: PT2S, for: PT3S, state: {tls: "1.0", add_ports: [23]}}]
        expect: []
        """);
    List<String> seen = new ArrayList<>();

    tick(plan, -1, 1_999, seen);
    assertTrue(seen.isEmpty());
    tick(plan, 1_999, 2_000, seen);
    tick(plan, 2_000, 4_999, seen);
    tick(plan, 4_999, 5_000, seen);

    assertEquals(List.of("state chiller-01 @2000", "state chiller-01 @5000"), seen);
    assertEquals("1.0", plan.state(chiller, 3_000).tls());
    assertEquals(List.of(443, 23), plan.state(chiller, 3_000).openPorts());
    assertEquals("1.3", plan.state(chiller, 5_000).tls());
  }

  @Test
  void replaysOnceAtTheStepAndKnowsHowDeepToRecord() {
    FaultPlan plan = plan("""
        targets: {c: {device: chiller-01}}
        steps: [{target: c, at: PT10S, replay: {count: 5}}]
        expect: []
        """);
    List<String> seen = new ArrayList<>();

    tick(plan, -1, 9_999, seen);
    tick(plan, 9_999, 30_000, seen);

    assertEquals(List.of("replay chiller-01 5 @30000"), seen);
    assertEquals(5, plan.replayDepth("chiller-01"));
    assertEquals(0, plan.replayDepth("boiler-01"));
  }

  @Test
  void skewsTheClockOfTheTargetWhileActive() {
    FaultPlan plan = plan("""
        targets: {b: {device: boiler-01}}
        steps: [{target: b, for: PT1M, skew: {offset: -PT10M}}]
        expect: []
        """);

    assertEquals(-600_000, plan.skewMillis(boiler, 1_000));
    assertEquals(0, plan.skewMillis(boiler, 60_000));
  }

  @Test
  void expectationsAreBoundToTheFleetWithTheirInjectionOffset() {
    FaultPlan plan = plan("""
        targets: {c: {assetClass: chiller}}
        schedule: {start: PT10S}
        steps:
          - {target: c, events: {type: auth_failure, count: 1}}
          - {id: hot, at: PT30S, target: c, for: PT10S, force: {metric: supply_temp_c, value: 15}}
        expect:
          - {policy: SEC-01, target: c}
          - {policy: SAF-01, target: c, after: hot, within: PT20S}
        """);

    List<FaultPlan.ResolvedExpectation> e = plan.expectations();
    assertEquals(new FaultPlan.ResolvedExpectation("t", "SEC-01", "chiller-01", "hq", Duration.ofSeconds(10),
        Duration.ofSeconds(60)), e.get(0));
    assertEquals(Duration.ofSeconds(40), e.get(1).injectedAfter());
    assertEquals("SAF-01 on chiller-01", e.get(1).subject());
  }

  @Test
  void bindsForbiddenIncidentsToDevicesSitesOrAnywhereFromTheScenarioStart() {
    FaultPlan plan = plan("""
        targets: {c: {device: chiller-01}, s: {site: plant-a}}
        schedule: {start: PT10S}
        steps: [{id: dark, at: PT30S, target: s, silence: true}]
        expect: [{policy: SEC-14, target: s, after: dark}]
        forbid:
          - {policy: SAF-01, target: c}
          - {policy: FLT-01, target: s}
          - {policy: SEC-01}
        """);

    assertEquals(List.of(
        new FaultPlan.ResolvedForbidden("t", "SAF-01", "chiller-01", "hq", Duration.ofSeconds(10)),
        new FaultPlan.ResolvedForbidden("t", "FLT-01", null, "plant-a", Duration.ofSeconds(10)),
        new FaultPlan.ResolvedForbidden("t", "SEC-01", null, null, Duration.ofSeconds(10))), plan.forbidden());
    assertEquals(List.of("SAF-01 on chiller-01", "FLT-01 at site plant-a", "SEC-01 anywhere"),
        plan.forbidden().stream().map(FaultPlan.ResolvedForbidden::subject).toList());
  }

  @Test
  void aTargetMatchingNoDeviceIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plan("""
        targets: {c: {device: chiller-99}}
        steps: [{target: c, silence: true}]
        expect: []
        """));
    assertEquals("scenario t: target 'c' (device chiller-99) matches no device of the simulated fleet", e.getMessage());
  }

  /** Runs one tick (from, to] and records each action with the tick's end time. */
  private static void tick(FaultPlan plan, long from, long to, List<String> seen) {
    plan.actionsBetween(from, to, new FaultPlan.Actions() {
      @Override
      public void event(SimulatedDevice device, String type, Map<String, String> attributes) {
        seen.add("event " + device.deviceId() + " " + type + " " + attributes + " @" + to);
      }

      @Override
      public void reportState(SimulatedDevice device) {
        seen.add("state " + device.deviceId() + " @" + to);
      }

      @Override
      public void replay(SimulatedDevice device, int count) {
        seen.add("replay " + device.deviceId() + " " + count + " @" + to);
      }
    });
  }
}
