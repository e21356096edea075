package io.fleetwatch.streams.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentCommandRejection;
import io.fleetwatch.avro.IncidentCommandType;
import io.fleetwatch.avro.IncidentLink;
import io.fleetwatch.avro.IncidentStatus;
import io.fleetwatch.avro.Severity;
import io.fleetwatch.avro.SeverityFactor;
import io.fleetwatch.avro.Verification;
import io.fleetwatch.streams.incident.IncidentTiming;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incidents through the production topology: dedup, flapping suppression, reopen, site correlation, FLT-04 links,
 * escalation by wall-clock punctuation, and responders' commands, with explicit event times and
 * {@code advanceWallClockTime} for the punctuators.
 */
class IncidentTopologyTest {
  private static final IncidentTiming TIMING = new IncidentTiming(Duration.ofMinutes(2), Duration.ofMinutes(30),
      Duration.ofSeconds(10), Duration.ofMinutes(1));

  @TempDir Path stateDir;
  private IncidentDriver fleet;

  @AfterEach
  void close() {
    if (fleet != null) {
      fleet.close();
    }
  }

  private void overheat(String device, long fromSecond) {
    for (int i = 0; i < 3; i++) {
      fleet.reading(device, fromSecond + i, "supply_temp_c", 15.0);
    }
  }

  private void recover(String device, long fromSecond) {
    for (int i = 0; i < 3; i++) {
      fleet.reading(device, fromSecond + i, "supply_temp_c", 8.0);
    }
  }

  @Test
  void keepsOneIncidentPerPolicyAndDeviceWhateverTheNumberOfRaisingReadings() throws Exception {
    fleet = new IncidentDriver(stateDir, TIMING);
    // When chiller-01 overheats, and keeps overheating for a while
    overheat("chiller-01", 0);
    for (int s = 3; s < 20; s++) {
      fleet.reading("chiller-01", s, "supply_temp_c", 16.0);
    }
    // Then there is exactly one SAF-01 incident, keyed policy + device
    Incident incident = fleet.only("SAF-01");
    assertEquals("SAF-01|chiller-01", incident.getDedupKey());
    assertEquals(IncidentStatus.OPEN, incident.getStatus());
  }

  @Test
  void carriesTheBusinessContextOfTheAsset() throws Exception {
    fleet = new IncidentDriver(stateDir, TIMING);
    overheat("chiller-01", 0);

    Incident incident = fleet.only("SAF-01");
    // IoT-SSF: chiller-01 is recovery 3 x economic 4 -> category III, which leaves SAF-01's default high
    assertEquals("III", incident.getSsf().getCategory());
    assertEquals(Severity.HIGH, incident.getSeverity());
    assertEquals(List.of("policy-default", "category"),
        incident.getSeverityFactors().stream().map(SeverityFactor::getFactor).toList());
    // business impact: both services, the tightest RTO is datacenter-cooling's 30 min
    assertEquals(1800L, incident.getImpact().getRtoSeconds());
    assertEquals(2_550_000.0, incident.getImpact().getCostPerHour());
    assertFalse(incident.getImpact().getManualFallback(), "datacenter cooling has no manual fallback");
    // routing: category III routes owner, maintenance contractor and PSIRT, not the insurer
    assertTrue(incident.getStakeholders().stream().anyMatch(s -> s.getRole().equals("owner") && s.getRouted()
        && "facilities@hq.example".equals(s.getEmail())));
    assertTrue(incident.getStakeholders().stream().anyMatch(s -> s.getRole().equals("insurer") && !s.getRouted()));
    // actions from all four perspectives
    assertEquals(4, incident.getActions().stream().map(a -> a.getPerspective()).distinct().count(),
        incident.getActions().toString());
  }

  @Test
  void suppressesFlappingWithinTheQuietPeriodAndResolvesAfterIt() throws Exception {
    fleet = new IncidentDriver(stateDir, TIMING);
    overheat("chiller-01", 0);
    String id = fleet.only("SAF-01").getId();

    // When it recovers, then overheats again within the quiet period (2 min)
    recover("chiller-01", 10);
    Incident quiet = fleet.only("SAF-01");
    assertEquals(IncidentStatus.OPEN, quiet.getStatus(), "no resolution before the quiet period");
    assertNotNull(quiet.getClearedAt());
    overheat("chiller-01", 20);

    // Then it is the same open incident, flapping recorded
    Incident flapped = fleet.only("SAF-01");
    assertEquals(id, flapped.getId());
    assertNull(flapped.getClearedAt());
    assertTrue(flapped.getHistory().stream().anyMatch(t -> t.getReason().contains("flapping")));

    // When it recovers and stays quiet for the quiet period (wall clock)
    recover("chiller-01", 30);
    fleet.advanceWallClock(Duration.ofMinutes(1));
    assertEquals(IncidentStatus.OPEN, fleet.only("SAF-01").getStatus());
    fleet.advanceWallClock(Duration.ofMinutes(2));

    // Then it resolves at the event time of the last clear
    Incident resolved = fleet.only("SAF-01");
    assertEquals(IncidentStatus.RESOLVED, resolved.getStatus());
    assertEquals(IncidentDriver.T0.plusSeconds(32), resolved.getResolvedAt());
  }

  @Test
  void reopensTheSameIncidentWithinTheReopenWindowAndOpensANewOneAfter() throws Exception {
    fleet = new IncidentDriver(stateDir, new IncidentTiming(Duration.ZERO, Duration.ofMinutes(30),
        Duration.ofSeconds(10), Duration.ofMinutes(1)));
    overheat("chiller-01", 0);
    recover("chiller-01", 10);
    String id = fleet.only("SAF-01").getId();
    assertEquals(IncidentStatus.RESOLVED, fleet.only("SAF-01").getStatus());

    // When it overheats again 10 minutes later (event time)
    overheat("chiller-01", 600);

    // Then the same incident is open again
    Incident reopened = fleet.only("SAF-01");
    assertEquals(id, reopened.getId());
    assertEquals(IncidentStatus.OPEN, reopened.getStatus());
    assertEquals(1, reopened.getReopenCount());

    // When it recovers and overheats again after the window (an hour later)
    recover("chiller-01", 700);
    overheat("chiller-01", 4300);

    // Then that is a new incident
    List<Incident> all = fleet.incidents().values().stream().filter(i -> i.getPolicyId().equals("SAF-01")).toList();
    assertEquals(2, all.size());
    assertNotEquals(all.get(0).getId(), all.get(1).getId());
  }

  @Test
  void groupsSecurityIncidentsOfThreeDevicesOfASiteIntoOneSiteIncident() throws Exception {
    fleet = new IncidentDriver(stateDir, TIMING);
    // When two of the five hq devices report a degraded security state
    fleet.state("chiller-01", 0, s -> s.setSecurityState("degraded"));
    fleet.state("chiller-02", 10, s -> s.setSecurityState("degraded"));
    // Then no site incident yet (2 devices, 40 % of hq)
    assertTrue(fleet.incidents().values().stream().noneMatch(i -> i.getPolicyId().equals("FLT-01")));

    // When a third one does within the window
    fleet.state("boiler-01", 20, s -> s.setSecurityState("degraded"));

    // Then one FLT-01 site incident groups the three device incidents
    Incident site = fleet.only("FLT-01");
    assertNull(site.getDeviceId());
    assertEquals("FLT-01|hq", site.getDedupKey());
    assertEquals(List.of("boiler-01", "chiller-01", "chiller-02"), site.getDevices().stream().sorted().toList());
    List<Incident> devices = fleet.incidents().values().stream().filter(i -> i.getPolicyId().equals("SEC-17"))
        .toList();
    assertEquals(3, devices.size());
    for (Incident device : devices) {
      assertTrue(site.getLinks().contains(new IncidentLink(device.getId(), "groups")), site.getLinks().toString());
      assertTrue(device.getLinks().contains(new IncidentLink(site.getId(), "grouped-in")));
      assertTrue(device.getSeverityFactors().stream().anyMatch(f -> f.getFactor().equals("correlated-site")));
    }
    // and the site incident carries the event and receive times of the device incident that opened it
    Incident first = devices.stream().filter(d -> d.getOpenedAt().equals(site.getOpenedAt())).findFirst().orElseThrow();
    assertNotNull(first.getOpenedReceivedAt());
    assertEquals(first.getOpenedReceivedAt(), site.getOpenedReceivedAt());

    // When all three recover, the site incident resolves after the quiet period
    fleet.state("chiller-01", 30, s -> s.setSecurityState("normal"));
    fleet.state("chiller-02", 30, s -> s.setSecurityState("normal"));
    fleet.state("boiler-01", 30, s -> s.setSecurityState("normal"));
    fleet.advanceWallClock(Duration.ofMinutes(5));
    fleet.advanceWallClock(Duration.ofMinutes(5));
    assertEquals(IncidentStatus.RESOLVED, fleet.only("FLT-01").getStatus());
  }

  @Test
  void filesASiteLevelFindingAsOneSiteIncidentWithoutADeviceThatNoDeviceCountsFor() throws Exception {
    fleet = new IncidentDriver(stateDir, TIMING);
    // When password spraying hits the five hq devices from ten sources, two per device (no device threshold)
    String[] hq = {"chiller-01", "chiller-02", "boiler-01", "elevator-01", "meter-01"};
    for (int i = 0; i < 10; i++) {
      fleet.event(hq[i % 5], i * 5L, "auth_failure", "source", "203.0.113." + i);
    }

    // Then SEC-01's site-level check opens one site incident for hq, like FLT-01's: no device, keyed by the site
    Incident site = fleet.only("SEC-01");
    assertNull(site.getDeviceId());
    assertEquals("hq", site.getSite());
    assertEquals("SEC-01|hq", site.getDedupKey());
    assertEquals(List.of("distinct-sources-per-site"), site.getActiveChecks());
    // with the business context of the whole site (chiller-01's services are among hq's: RTO 30 min)
    assertNotNull(site.getImpact(), "a site finding carries the site's business impact");
    assertEquals(1800L, site.getImpact().getRtoSeconds());
    assertTrue(site.getStakeholders().stream().anyMatch(s -> s.getRole().equals("owner")));
    // and, not being a device, it does not make a site correlation of its own
    assertTrue(fleet.incidents().values().stream().noneMatch(i -> i.getPolicyId().equals("FLT-01")));

    // When chiller-01 reports 11 minutes later, the spray has left the window: the check clears
    fleet.reading("chiller-01", 700, "supply_temp_c", 8.0);
    assertEquals(List.of(), fleet.only("SEC-01").getActiveChecks());
    // Then the incident resolves once the quiet period has passed after the clearing (T0 + 700 s + 2 min)
    fleet.advanceWallClock(Duration.ofMinutes(15));
    assertEquals(IncidentStatus.RESOLVED, fleet.only("SEC-01").getStatus());
  }

  @Test
  void callsMassOfflineAnOutageWhenNoSecurityIncidentAccompaniesTheSilence() throws Exception {
    fleet = new IncidentDriver(stateDir, TIMING);
    // Given three hq devices that reported once
    for (String device : List.of("chiller-01", "chiller-02", "boiler-01")) {
      fleet.reading(device, 0, "supply_temp_c", 8.0);
    }

    // When all of them stay silent past the heartbeat limit (3 x 1 min), by wall clock
    fleet.advanceWallClock(Duration.ofMinutes(4));
    fleet.advanceWallClock(Duration.ofSeconds(30));

    // Then one FLT-03 site incident groups the heartbeat-loss incidents and calls it an outage
    Incident massOffline = fleet.only("FLT-03");
    assertNull(massOffline.getDeviceId());
    assertEquals("outage", massOffline.getAssessment());
    assertTrue(massOffline.getDevices().size() >= 2, massOffline.getDevices().toString());
    assertTrue(fleet.incidents().values().stream().filter(i -> i.getPolicyId().equals("SEC-14")).count() >= 2);
  }

  @Test
  void callsMassOfflineAnAttackWhenSecurityIncidentsAccompanyTheSilence() throws Exception {
    fleet = new IncidentDriver(stateDir, TIMING);
    // Given three hq devices that reported, one of them with a degraded security state (SEC-17)
    fleet.reading("chiller-01", 0, "supply_temp_c", 8.0);
    fleet.reading("chiller-02", 0, "supply_temp_c", 8.0);
    fleet.state("boiler-01", 0, s -> s.setSecurityState("degraded"));
    assertEquals(IncidentStatus.OPEN, fleet.only("SEC-17").getStatus());

    // When the site goes silent
    fleet.advanceWallClock(Duration.ofMinutes(4));
    fleet.advanceWallClock(Duration.ofSeconds(30));

    // Then the mass-offline incident is assessed as an attack, and its severity records the attack indicators
    Incident massOffline = fleet.only("FLT-03");
    assertEquals("attack", massOffline.getAssessment());
  }

  @Test
  void linksASafetyViolationAfterAConfigurationChangeToBothIncidentsAsCritical() throws Exception {
    fleet = new IncidentDriver(stateDir, TIMING);
    // Given chiller-01's configuration changes (SEC-09 after the learned baseline)
    fleet.state("chiller-01", 0, s -> s.setConfigHash("sha256:aaa"));
    fleet.state("chiller-01", 10, s -> s.setConfigHash("sha256:bbb"));
    // When it overheats 20 s later
    overheat("chiller-01", 30);

    // Then the FLT-04 incident is critical and links the change and the safety effect, and they link back
    Incident flt04 = fleet.only("FLT-04");
    Incident change = fleet.only("SEC-09");
    Incident safety = fleet.only("SAF-01");
    assertEquals(Severity.CRITICAL, flt04.getSeverity());
    assertTrue(flt04.getLinks().contains(new IncidentLink(change.getId(), "security-change")), flt04.toString());
    assertTrue(flt04.getLinks().contains(new IncidentLink(safety.getId(), "safety-effect")));
    assertTrue(change.getLinks().contains(new IncidentLink(flt04.getId(), "explained-by")));
    assertTrue(safety.getLinks().contains(new IncidentLink(flt04.getId(), "explained-by")));
  }

  @Test
  void escalatesAsTheRtoBreachApproachesByWallClockAndDeescalatesWhenTheImpactStops() throws Exception {
    fleet = new IncidentDriver(stateDir, TIMING);
    overheat("chiller-01", 0);
    assertEquals(0, fleet.only("SAF-01").getEscalationLevel());

    // When 16 minutes pass (over half of the 30 min RTO of datacenter cooling)
    fleet.advanceWallClock(Duration.ofMinutes(16));
    assertEquals(1, fleet.only("SAF-01").getEscalationLevel());
    assertTrue(fleet.only("SAF-01").getStakeholders().stream()
        .anyMatch(s -> s.getRole().equals("insurer") && s.getRouted()), "escalation routes the insurer");
    // When 25 and then 31 minutes have passed
    fleet.advanceWallClock(Duration.ofMinutes(9));
    assertEquals(2, fleet.only("SAF-01").getEscalationLevel());
    fleet.advanceWallClock(Duration.ofMinutes(6));
    Incident breached = fleet.only("SAF-01");
    assertEquals(3, breached.getEscalationLevel());
    assertTrue(breached.getImpact().getRtoBreached());
    assertTrue(breached.getImpact().getSecondsUntilRtoBreach() <= 0);
    assertEquals(1.0, fleet.gauge(IncidentMetrics.PAST_RTO, "severity", "high"),
        "unacknowledged past its RTO");

    // When it recovers
    recover("chiller-01", 1900);

    // Then it de-escalates and says so
    Incident recovered = fleet.only("SAF-01");
    assertEquals(0, recovered.getEscalationLevel());
    assertTrue(recovered.getHistory().stream().anyMatch(t -> t.getReason().startsWith("de-escalated to level 0")));
  }

  @Test
  void appliesAcknowledgeAssignVerifyAndResolveCommands() throws Exception {
    fleet = new IncidentDriver(stateDir, TIMING);
    overheat("chiller-01", 0);
    String id = fleet.only("SAF-01").getId();
    fleet.advanceWallClock(Duration.ofMinutes(3));

    fleet.command(id, IncidentCommandType.ACKNOWLEDGE, "alice", null, null);
    Incident acked = fleet.only("SAF-01");
    assertEquals(IncidentStatus.ACKNOWLEDGED, acked.getStatus());
    assertEquals("alice", acked.getAcknowledgedBy());
    assertEquals(1L, fleet.meters.find(IncidentMetrics.ACKNOWLEDGE_TIME).tags("policy", "SAF-01", "severity", "high")
        .timer().count());

    fleet.command(id, IncidentCommandType.ASSIGN, "alice", "coolserv", null);
    fleet.command(id, IncidentCommandType.VERIFY, "bob", null, Verification.TRUE_POSITIVE);
    fleet.command(id, IncidentCommandType.RESOLVE, "bob", null, null);

    Incident done = fleet.only("SAF-01");
    assertEquals("coolserv", done.getAssignee());
    assertEquals(Verification.TRUE_POSITIVE, done.getVerification());
    assertEquals(IncidentStatus.RESOLVED, done.getStatus());
    assertEquals("bob", done.getResolvedBy());
    assertTrue(fleet.rejections().isEmpty(), fleet.rejections().toString());
  }

  @Test
  void rejectsCommandsForUnknownIncidentsAndIllegalTransitionsWithAReason() throws Exception {
    fleet = new IncidentDriver(stateDir, TIMING);
    overheat("chiller-01", 0);
    String id = fleet.only("SAF-01").getId();

    fleet.command("SAF-01.nope.1", IncidentCommandType.ACKNOWLEDGE, "alice", null, null);
    fleet.command(id, IncidentCommandType.ACKNOWLEDGE, "alice", null, null);
    fleet.command(id, IncidentCommandType.ACKNOWLEDGE, "carol", null, null);
    fleet.command(id, IncidentCommandType.VERIFY, "carol", null, null);

    List<IncidentCommandRejection> rejected = fleet.rejections();
    assertEquals(3, rejected.size(), rejected.toString());
    assertEquals("unknown incident SAF-01.nope.1", rejected.get(0).getReason());
    assertEquals("cannot acknowledge an incident that is acknowledged", rejected.get(1).getReason());
    assertEquals(IncidentStatus.ACKNOWLEDGED, rejected.get(1).getIncidentStatus());
    assertTrue(rejected.get(2).getReason().startsWith("verify needs a verification"));
    assertEquals("alice", fleet.only("SAF-01").getAcknowledgedBy(), "rejected commands change nothing");
  }

  @Test
  void countsOpenIncidentsAndDevicesInGaugesAtEachScan() throws Exception {
    fleet = new IncidentDriver(stateDir, TIMING);
    overheat("chiller-01", 0);
    fleet.state("chiller-02", 0, s -> s.setSecurityState("degraded"));
    fleet.advanceWallClock(Duration.ofSeconds(10));

    assertEquals(1.0, fleet.gauge(IncidentMetrics.OPEN, "severity", "high", "category", "III"));
    assertEquals(1.0, fleet.gauge(IncidentMetrics.OPEN_SITES, "severity", "high"));
    assertEquals(2.0, fleet.gauge(PipelineMetrics.DEVICES, "status", "online"));
  }
}
