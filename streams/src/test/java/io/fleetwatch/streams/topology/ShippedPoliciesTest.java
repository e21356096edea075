package io.fleetwatch.streams.topology;

import static io.fleetwatch.avro.ViolationStatus.CLEARED;
import static io.fleetwatch.avro.ViolationStatus.RAISED;
import static io.fleetwatch.streams.topology.PolicyDriver.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.ApprovedChange;
import io.fleetwatch.avro.Asset;
import io.fleetwatch.avro.DeviceTwin;
import io.fleetwatch.avro.MaintenanceWindow;
import io.fleetwatch.avro.Severity;
import io.fleetwatch.avro.Violation;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every shipped policy of {@code policies/} fires and clears through the production topology, with explicit event
 * times; each rule kind's handling of out-of-order and late records is shown on the policy that uses it.
 */
class ShippedPoliciesTest {
  @TempDir
  Path stateDir;
  private PolicyDriver fleet;

  @BeforeEach
  void start() {
    fleet = new PolicyDriver(stateDir);
    fleet.register("chiller-01", "hq", "chiller");
    fleet.register("chiller-02", "hq", "chiller");
    fleet.register("boiler-01", "hq", "boiler");
    fleet.register("plc-01", "plant-a", "plc");
  }

  @AfterEach
  void stop() {
    fleet.close();
  }

  @Test
  void everyPolicyOfTheBaselineCatalogueIsShipped() {
    assertEquals(List.of("FLT-04", "SAF-01", "SAF-02", "SAF-03", "SAF-04", "SAF-05", "SAF-06", "SEC-01", "SEC-02",
        "SEC-03", "SEC-04", "SEC-05", "SEC-06", "SEC-07", "SEC-08", "SEC-09", "SEC-10", "SEC-11", "SEC-12", "SEC-13",
        "SEC-14", "SEC-15", "SEC-16", "SEC-17", "SEC-18", "SEC-20"),
        fleet.catalogue.current().policyIds().stream().sorted().toList());
  }

  @Test
  void saf02RaisesOnSteepBoilerPressureRiseIgnoresLateReadingAndClearsWhenSteady() {
    // Given a steady boiler pressure
    for (int s = 0; s <= 20; s += 10) {
      fleet.telemetry("boiler-01", s, Map.of("pressure_kpa", 180.0));
    }
    // When it jumps by 120 kPa (4 kPa/s against the reading 30 s earlier) twice in a row
    fleet.telemetry("boiler-01", 30, Map.of("pressure_kpa", 290.0));
    assertEquals(List.of(), fleet.statuses("SAF-02"), "one steep reading is pending, not raised");
    // and a late reading from before the jump arrives: it is ignored (it would not count as a steep reading)
    fleet.telemetry("boiler-01", 25, Map.of("pressure_kpa", 180.0));
    fleet.telemetry("boiler-01", 40, Map.of("pressure_kpa", 290.0));

    // Then SAF-02 raises with the rate as observed value
    assertEquals(List.of(RAISED), fleet.statuses("SAF-02"));
    Violation raised = fleet.last("SAF-02");
    assertEquals("boiler-pressure-rate", raised.getCheckId());
    assertEquals("pressure_kpa", raised.getMetric());
    assertEquals(110.0 / 40, raised.getObserved(), 1e-9);
    assertEquals(T0.plusSeconds(40), raised.getEventTime());

    // When the pressure stays at the new level long enough for the window to move past the jump
    for (int s = 50; s <= 160; s += 10) {
      fleet.telemetry("boiler-01", s, Map.of("pressure_kpa", 290.0));
    }
    // Then it clears
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SAF-02"));
  }

  @Test
  void saf03RaisesOnCommandWhileInterlockOpenAndClearsWhenItCloses() {
    // Given the interlock of plc-01 opens
    fleet.event("plc-01", 0, "interlock", "state", "open");
    // When a command from before the opening arrives late: no violation (event time decides)
    fleet.event("plc-01", -5, "command", "action", "on");
    assertEquals(List.of(), fleet.statuses("SAF-03"));
    // When a command ON arrives while it is open
    fleet.event("plc-01", 10, "command", "action", "on");
    // Then SAF-03 raises
    assertEquals(List.of(RAISED), fleet.statuses("SAF-03"));
    assertEquals(Severity.CRITICAL, fleet.last("SAF-03").getSeverity());
    // When the interlock closes, it clears
    fleet.event("plc-01", 20, "interlock", "state", "closed");
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SAF-03"));
    // and a command after closing raises nothing
    fleet.event("plc-01", 30, "command", "action", "on");
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SAF-03"));
  }

  @Test
  void saf04RaisesWhenSetpointNotReachedWithinSettleTimeAndClearsWhenReached() {
    // Given a command to bring the supply temperature to 7 °C
    fleet.event("chiller-01", 0, "command", "metric", "supply_temp_c", "setpoint", "7");
    // When readings stay at 10 °C; a late reading from before the command does not count
    fleet.telemetry("chiller-01", -30, Map.of("supply_temp_c", 10.0));
    fleet.telemetry("chiller-01", 600, Map.of("supply_temp_c", 10.0));
    assertEquals(List.of(), fleet.statuses("SAF-04"), "still within the 15 min settle time");
    fleet.telemetry("chiller-01", 960, Map.of("supply_temp_c", 10.0));
    // Then SAF-04 raises after the settle time
    assertEquals(List.of(RAISED), fleet.statuses("SAF-04"));
    assertEquals(10.0, fleet.last("SAF-04").getObserved());
    // When the temperature reaches the setpoint within tolerance, it clears
    fleet.telemetry("chiller-01", 1020, Map.of("supply_temp_c", 7.5));
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SAF-04"));
  }

  @Test
  void saf05RaisesOnStuckSensorIgnoresLateReadingAndClearsWhenItMoves() {
    // Given chiller-02 reports exactly 7.0 every minute
    for (int m = 0; m < 10; m++) {
      fleet.telemetry("chiller-02", m * 60L, Map.of("supply_temp_c", 7.0));
    }
    assertEquals(List.of(), fleet.statuses("SAF-05"), "10 readings over 9 minutes are not yet stuck");
    // When a late, different reading arrives it is ignored, and the 11th flat reading completes 10 minutes
    fleet.telemetry("chiller-02", 30, Map.of("supply_temp_c", 7.4));
    fleet.telemetry("chiller-02", 600, Map.of("supply_temp_c", 7.0));
    // Then SAF-05 raises
    assertEquals(List.of(RAISED), fleet.statuses("SAF-05", "chiller-supply-temp-stuck"));
    // When the value moves, it clears
    fleet.telemetry("chiller-02", 660, Map.of("supply_temp_c", 7.2));
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SAF-05", "chiller-supply-temp-stuck"));
  }

  @Test
  void saf05RaisesWhenRedundantSensorsDisagreeAndClearsWhenTheyAgree() {
    for (int s = 0; s < 3; s++) {
      fleet.telemetry("boiler-01", s * 10L, Map.of("pressure_kpa", 180.0, "pressure_b_kpa", 220.0));
    }
    assertEquals(List.of(RAISED), fleet.statuses("SAF-05", "boiler-pressure-redundant"));
    assertEquals(40.0, fleet.last("SAF-05").getObserved());
    // A late agreeing reading does not count towards clearing
    fleet.telemetry("boiler-01", 5, Map.of("pressure_kpa", 180.0, "pressure_b_kpa", 181.0));
    for (int s = 3; s < 5; s++) {
      fleet.telemetry("boiler-01", s * 10L, Map.of("pressure_kpa", 180.0, "pressure_b_kpa", 182.0));
    }
    assertEquals(List.of(RAISED), fleet.statuses("SAF-05", "boiler-pressure-redundant"));
    fleet.telemetry("boiler-01", 50, Map.of("pressure_kpa", 180.0, "pressure_b_kpa", 182.0));
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SAF-05", "boiler-pressure-redundant"));
  }

  @Test
  void saf06RaisesOnUpdateWhileRunningAndClearsWithTheUpdateResult() {
    // An update while idle is fine
    fleet.state("plc-01", 0, s -> s.setMode("idle"));
    fleet.event("plc-01", 10, "firmware_update_started");
    fleet.event("plc-01", 20, "firmware_update_result", "result", "success");
    assertEquals(List.of(), fleet.statuses("SAF-06"));
    // An update while running raises
    fleet.state("plc-01", 30, s -> s.setMode("RUNNING"));
    fleet.event("plc-01", 40, "firmware_update_started");
    assertEquals(List.of(RAISED), fleet.statuses("SAF-06"));
    fleet.event("plc-01", 50, "firmware_update_result", "result", "success");
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SAF-06"));
  }

  @Test
  void sec01RaisesOnAuthFailureBurstCountingALateEventAndClearsWhenTheWindowMovesOn() {
    // Given four auth failures from one source within a minute
    for (int s = 0; s < 4; s++) {
      fleet.event("chiller-01", 10 + s * 10L, "auth_failure", "source", "10.1.2.3");
    }
    assertEquals(List.of(), fleet.statuses("SEC-01"));
    // When a fifth, late one (older than the others, still inside the 5 min window) arrives
    fleet.event("chiller-01", 5, "auth_failure", "source", "10.1.2.3");
    // Then the burst is counted and raised
    assertEquals(List.of(RAISED), fleet.statuses("SEC-01", "failures-per-device"));
    assertEquals(5.0, fleet.last("SEC-01").getObserved());
    // When only telemetry arrives six minutes later, the window has moved past the burst: cleared
    fleet.telemetry("chiller-01", 400, Map.of("supply_temp_c", 7.0));
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-01", "failures-per-device"));
    assertEquals(List.of(), fleet.statuses("SEC-01", "distinct-sources"), "a single source is not spread");
  }

  @Test
  void sec01RaisesOnFailuresFromThreeDistinctSources() {
    fleet.event("boiler-01", 0, "auth_failure", "source", "10.0.0.1");
    fleet.event("boiler-01", 10, "auth_failure", "source", "10.0.0.1");
    fleet.event("boiler-01", 20, "auth_failure", "source", "10.0.0.2");
    assertEquals(List.of(), fleet.statuses("SEC-01"));
    fleet.event("boiler-01", 30, "auth_failure", "source", "10.0.0.3");
    assertEquals(List.of(RAISED), fleet.statuses("SEC-01", "distinct-sources"));
    assertEquals("10.0.0.3", fleet.last("SEC-01").getObservedText());
    fleet.event("boiler-01", 700, "auth_success", "source", "10.0.0.9");
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-01", "distinct-sources"));
  }

  @Test
  void sec01RaisesOneSiteFindingOnTenDistinctSourcesAcrossTheSiteCountingALateOneAndClearsWhenTheWindowMovesOn() {
    // Given password spraying across hq: five devices (three registered, two not) see two sources each, nine sources
    // in all so far, never enough on any one device; plc-01 at plant-a sees another source that hq must not count
    String[] devices = {"chiller-01", "chiller-02", "boiler-01", "meter-a", "meter-b"};
    for (int i = 0; i < 9; i++) {
      fleet.event(devices[i % 5], 60 + i * 10L, "auth_failure", "source", "198.51.100." + i);
    }
    fleet.event("plc-01", 100, "auth_failure", "source", "198.51.100.77");
    assertEquals(List.of(), fleet.statuses("SEC-01"), "no device and no site threshold yet");
    // When the tenth source at hq arrives late (older than the others, still inside the 10 min window)
    fleet.event("meter-b", 30, "auth_failure", "source", "198.51.100.9");
    // Then one site-level finding is raised for hq: the violation is keyed and named by the site
    assertEquals(List.of(RAISED), fleet.statuses("SEC-01", "distinct-sources-per-site"));
    Violation site = fleet.last("SEC-01");
    assertEquals("hq", site.getDeviceId());
    assertEquals("hq", site.getSite());
    assertEquals(10.0, site.getObserved());
    assertTrue(site.getDetail().startsWith("site hq: 10 distinct source"), site.getDetail());
    assertEquals(List.of(), fleet.statuses("SEC-01", "distinct-sources"), "two sources per device stay below 3");
    // When one more source arrives at another device of hq, it stays raised without a second transition
    fleet.event("meter-c", 160, "auth_failure", "source", "198.51.100.10");
    assertEquals(List.of(RAISED), fleet.statuses("SEC-01", "distinct-sources-per-site"));
    // When chiller-01 reports again more than 10 min after its last failure, the site window moves past the spray
    fleet.telemetry("chiller-01", 900, Map.of("supply_temp_c", 7.0));
    // Then the site-level finding clears
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-01", "distinct-sources-per-site"));
    assertEquals("hq", fleet.last("SEC-01").getDeviceId());
  }

  @Test
  void sec02RaisesOnEveryDeviceSharingACredentialIgnoresALateLoginAndClearsWhenItChanges() {
    String shared = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    String other = "sha256:60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";
    // Given chiller-01 logs in with a credential nobody else uses
    fleet.event("chiller-01", 10, "auth_success", "credential", shared);
    assertEquals(List.of(), fleet.statuses("SEC-02"));
    // When an unregistered meter logs in with the same credential
    fleet.event("meter-z", 20, "auth_success", "credential", shared);
    // Then both devices are raised, on a check qualified by the shared fingerprint
    assertEquals(List.of("chiller-01 RAISED", "meter-z RAISED"), sharedCredential(shared));
    Violation meter = fleet.all().stream().filter(v -> v.getDeviceId().equals("meter-z")).findFirst().orElseThrow();
    assertEquals("hq", meter.getSite());
    assertFalse(meter.getRegistered());
    assertEquals(2.0, meter.getObserved());
    // When a late login of chiller-01 (older than its current credential) shows another credential, nothing changes
    fleet.event("chiller-01", 5, "auth_success", "credential", other);
    assertEquals(List.of("chiller-01 RAISED", "meter-z RAISED"), sharedCredential(shared));
    assertEquals(List.of(), sharedCredential(other));
    // When chiller-01's credential changes, the old one is no longer shared: both clear
    fleet.event("chiller-01", 30, "auth_success", "credential", other);
    assertEquals(List.of("chiller-01 RAISED", "meter-z RAISED", "chiller-01 CLEARED", "meter-z CLEARED"),
        sharedCredential(shared));
    // When boiler-01 then logs in with chiller-01's new credential, that one is shared
    fleet.event("boiler-01", 40, "auth_success", "credential", other);
    assertEquals(List.of("chiller-01 RAISED", "boiler-01 RAISED"), sharedCredential(other));
    assertEquals(List.of(), fleet.statuses("SEC-02", "default-credential-login"), "neither is a default one");
  }

  /** {@code device STATUS} of SEC-02's shared-credential check on one fingerprint, in order. */
  private List<String> sharedCredential(String fingerprint) {
    return fleet.all().stream()
        .filter(v -> v.getPolicyId().equals("SEC-02") && v.getCheckId().equals("shared-credential:" + fingerprint))
        .map(v -> v.getDeviceId() + " " + v.getStatus()).toList();
  }

  @Test
  void sec02RaisesOnDefaultCredentialLoginAndClearsOnAUniqueOne() {
    fleet.event("meter-x", 0, "auth_success", "credential",
        "sha256:8c6976e5b5410415bde908bd4dee15dfb167a9c873fc4bb8a81f6f2ab448a918");
    assertEquals(List.of(RAISED), fleet.statuses("SEC-02"));
    assertFalse(fleet.last("SEC-02").getRegistered(), "an unregistered device is flagged");
    fleet.event("meter-x", 10, "auth_success", "credential", "sha256:0123");
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-02"));
  }

  @Test
  void sec03RaisesOnWeakTlsIgnoresAStaleReportAndClearsOnTls13() {
    fleet.state("chiller-01", 0, s -> s.setTls("1.0"));
    assertEquals(List.of(RAISED), fleet.statuses("SEC-03"));
    assertEquals("1.0", fleet.last("SEC-03").getObservedText());
    fleet.state("chiller-01", 20, s -> s.setTls("1.3"));
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-03"));
    // A stale report (older than the last applied) cannot bring the weak version back
    fleet.state("chiller-01", 10, s -> s.setTls("1.0"));
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-03"));
  }

  @Test
  void sec04RaisesOnAnonymousSessionAndOnUnauthenticatedConfigWrite() {
    fleet.event("chiller-01", 0, "auth_success", "method", "anonymous");
    fleet.event("chiller-01", 10, "config_changed", "authenticated", "false");
    assertEquals(List.of(RAISED), fleet.statuses("SEC-04", "anonymous-session"));
    assertEquals(List.of(RAISED), fleet.statuses("SEC-04", "unauthenticated-config-write"));
    fleet.event("chiller-01", 20, "auth_success", "method", "password");
    fleet.event("chiller-01", 30, "config_changed", "authenticated", "true");
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-04", "anonymous-session"));
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-04", "unauthenticated-config-write"));
  }

  @Test
  void sec05RaisesOnFirmwareBelowTheModelMinimumAndClearsAfterTheUpdate() {
    fleet.model("CH-200", "2.4.0", null);
    fleet.state("chiller-01", 0, s -> s.setModel("CH-200").setFirmware("2.3.9"));
    assertEquals(List.of(RAISED), fleet.statuses("SEC-05"));
    assertEquals("2.3.9", fleet.last("SEC-05").getObservedText());
    fleet.state("chiller-01", 10, s -> s.setModel("CH-200").setFirmware("2.4.1"));
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-05"));
    // A model without a minimum is not evaluated
    fleet.state("chiller-02", 0, s -> s.setModel("XYZ").setFirmware("0.0.1"));
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-05"));
  }

  @Test
  void sec05TakesTheMinimumOfTheRegistryModelAtTheNextReport() {
    // Given a model whose registry entry has no minimum: SEC-05 is not applicable (no table in the policy)
    fleet.model("PM-3", null, null);
    fleet.state("meter-01", 0, s -> s.setModel("PM-3").setFirmware("1.2.0"));
    assertEquals(List.of(), fleet.statuses("SEC-05"));
    // When the registry raises the model's minimum, the next report is measured against it
    fleet.model("PM-3", "1.3.0", null);
    fleet.state("meter-01", 10, s -> s.setModel("PM-3").setFirmware("1.2.0"));
    assertEquals(List.of(RAISED), fleet.statuses("SEC-05"));
    assertTrue(fleet.last("SEC-05").getDetail().contains("below the minimum 1.3.0"), fleet.last("SEC-05").getDetail());
    // and when it lowers it again, the next report clears
    fleet.model("PM-3", "1.1.0", null);
    fleet.state("meter-01", 20, s -> s.setModel("PM-3").setFirmware("1.2.0"));
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-05"));
  }

  @Test
  void sec05RegistryMinimumWinsOverThePolicyFallback() {
    // Given a run-time SEC-05 with a fallback table that says 9.0.0 for CH-200, and the registry that says 2.4.0
    fleet.publish("SEC-05", """
        apiVersion: fleetwatch.io/v1
        kind: Policy
        id: SEC-05
        version: 2
        title: Firmware below minimum
        policyKind: security
        severity: medium
        references: [{framework: etsi-en-303-645, provision: "5.3-2"}]
        remediation: Update the firmware.
        checks:
          - id: firmware-minimum
            rule: {type: version-below, minimums: {CH-200: 9.0.0}, otherwise: 5.0.0}
        """);
    fleet.model("CH-200", "2.4.0", null);
    fleet.state("chiller-01", 0, s -> s.setModel("CH-200").setFirmware("2.4.1"));
    assertEquals(List.of(), fleet.statuses("SEC-05"), "the registry's 2.4.0 wins over the fallback 9.0.0");
    // A model the registry does not know falls back to the policy (otherwise)
    fleet.state("chiller-02", 0, s -> s.setModel("CH-900").setFirmware("4.0.0"));
    assertEquals(List.of(RAISED), fleet.statuses("SEC-05"));
    assertTrue(fleet.last("SEC-05").getDetail().contains("below the minimum 5.0.0"), fleet.last("SEC-05").getDetail());
  }

  @Test
  void sec06RaisesForAModelOutOfSupportAndClearsWhenReplaced() {
    fleet.model("CH-100", null, LocalDate.parse("2025-03-31"));
    fleet.model("CH-200", "2.4.0", LocalDate.parse("2029-12-31"));
    fleet.state("meter-9", 0, s -> s.setModel("CH-100"));
    assertEquals(List.of(RAISED), fleet.statuses("SEC-06"));
    fleet.state("meter-9", 10, s -> s.setModel("CH-200"));
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-06"));
    // A registry change of the end of support applies at the next report
    fleet.model("CH-200", "2.4.0", LocalDate.parse("2025-01-01"));
    fleet.state("meter-9", 20, s -> s.setModel("CH-200"));
    assertEquals(List.of(RAISED, CLEARED, RAISED), fleet.statuses("SEC-06"));
  }

  @Test
  void sec07RaisesOnVerificationFailuresAndClearsOnSuccess() {
    fleet.event("plc-01", 0, "firmware_update_result", "result", "signature_invalid");
    fleet.event("plc-01", 5, "boot", "secure_boot", "failed");
    assertEquals(List.of(RAISED), fleet.statuses("SEC-07", "update-verification"));
    assertEquals(List.of(RAISED), fleet.statuses("SEC-07", "secure-boot"));
    fleet.event("plc-01", 10, "firmware_update_result", "result", "success");
    fleet.event("plc-01", 15, "boot", "secure_boot", "ok");
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-07", "update-verification"));
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-07", "secure-boot"));
  }

  @Test
  void sec08RaisesOnDowngradeIgnoresAStaleReportAndClearsWhenTheVersionIsBack() {
    fleet.state("boiler-01", 0, s -> s.setFirmware("2.4.1"));
    fleet.state("boiler-01", 10, s -> s.setFirmware("2.10.0"));
    assertEquals(List.of(), fleet.statuses("SEC-08"), "2.10.0 is an upgrade (numeric comparison)");
    fleet.state("boiler-01", 5, s -> s.setFirmware("2.4.1"));
    assertEquals(List.of(), fleet.statuses("SEC-08"), "a late report of the older version is not a downgrade");
    fleet.state("boiler-01", 20, s -> s.setFirmware("2.3.0"));
    assertEquals(List.of(RAISED), fleet.statuses("SEC-08"));
    assertEquals("2.3.0", fleet.last("SEC-08").getObservedText());
    fleet.state("boiler-01", 30, s -> s.setFirmware("2.10.0"));
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-08"));
  }

  @Test
  void sec08AnApprovedDowngradeDoesNotRaiseAndBecomesTheNewReference() {
    // Given plc-02 with an approval from 4.6.0 to 4.5.2 valid for the first minute only
    fleet.register(Asset.newBuilder().setDeviceId("plc-02").setSite("plant-a").setAssetClass("plc")
        .setServices(List.of()).setApprovedChanges(List.of(ApprovedChange.newBuilder().setFromFirmware("4.6.0")
            .setToFirmware("4.5.2").setValidFrom(T0).setValidUntil(T0.plusSeconds(60)).setReference("CHG-1042")
            .build())).build());
    fleet.state("plc-02", 0, s -> s.setFirmware("4.6.0"));
    // When it goes down to 4.5.2 within the validity: no violation
    fleet.state("plc-02", 10, s -> s.setFirmware("4.5.2"));
    assertEquals(List.of(), fleet.statuses("SEC-08"));
    // and 4.5.2 stays the reference after the approval expired
    fleet.state("plc-02", 120, s -> s.setFirmware("4.5.2"));
    assertEquals(List.of(), fleet.statuses("SEC-08"));
    // But a further downgrade, not approved, raises
    fleet.state("plc-02", 130, s -> s.setFirmware("2.8.0"));
    assertEquals(List.of(RAISED), fleet.statuses("SEC-08"));
    assertTrue(fleet.last("SEC-08").getDetail().contains("from 4.5.2 to 2.8.0"), fleet.last("SEC-08").getDetail());
  }

  @Test
  void sec08AnApprovalPublishedLaterClearsTheOpenDowngradeAtTheNextReport() {
    Asset.Builder plc = Asset.newBuilder().setDeviceId("plc-02").setSite("plant-a").setAssetClass("plc")
        .setServices(List.of());
    fleet.register(plc.build());
    fleet.state("plc-02", 0, s -> s.setFirmware("4.6.0"));
    fleet.state("plc-02", 10, s -> s.setFirmware("2.8.0"));
    assertEquals(List.of(RAISED), fleet.statuses("SEC-08"));
    // An approval for another target version changes nothing
    fleet.register(plc.setApprovedChanges(List.of(ApprovedChange.newBuilder().setToFirmware("3.0.0").build()))
        .build());
    fleet.state("plc-02", 20, s -> s.setFirmware("2.8.0"));
    assertEquals(List.of(RAISED), fleet.statuses("SEC-08"));
    // The registry approves the change from 4.6.0 (any target): the next report clears
    fleet.register(plc.setApprovedChanges(List.of(ApprovedChange.newBuilder().setFromFirmware("4.6.0")
        .setReference("CHG-7").build())).build());
    fleet.state("plc-02", 30, s -> s.setFirmware("2.8.0"));
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-08"));
    assertTrue(fleet.last("SEC-08").getDetail().contains("approved (CHG-7)"), fleet.last("SEC-08").getDetail());
  }

  @Test
  void sec09RaisesOnConfigurationDriftFromTheLearnedOrApprovedBaseline() {
    fleet.state("chiller-01", 0, s -> s.setConfigHash("sha256:aaa"));
    assertEquals(List.of(), fleet.statuses("SEC-09"), "the first hash becomes the baseline");
    fleet.state("chiller-01", 10, s -> s.setConfigHash("sha256:bbb"));
    assertEquals(List.of(RAISED), fleet.statuses("SEC-09"));
    fleet.state("chiller-01", 20, s -> s.setConfigHash("sha256:aaa"));
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-09"));
    // A model with an approved baseline differs from its first report on
    fleet.state("plc-01", 0, s -> s.setModel("S-1500").setConfigHash("sha256:other"));
    assertEquals(List.of(RAISED, CLEARED, RAISED), fleet.statuses("SEC-09"));
  }

  @Test
  void sec11RaisesOnPortOutsideTheAllowlistOfTheAssetClassAndOnDebugInterface() {
    fleet.state("chiller-01", 0, s -> s.setOpenPorts(List.of(443, 22)));
    fleet.state("plc-01", 0, s -> s.setOpenPorts(List.of(102, 443)));
    fleet.state("ghost-1", 0, s -> s.setOpenPorts(List.of(23)));
    assertEquals(List.of(RAISED), fleet.statuses("SEC-11", "building-ports"));
    assertEquals("22", fleet.last("SEC-11").getObservedText());
    assertEquals(List.of(), fleet.statuses("SEC-11", "plc-ports"), "102 is allowed for PLCs");
    fleet.state("chiller-01", 10, s -> s.setOpenPorts(List.of(443)));
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-11", "building-ports"));
    fleet.event("plc-01", 20, "port_opened", "port", "5555", "debug", "true");
    fleet.event("plc-01", 30, "port_opened", "port", "443", "debug", "false");
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-11", "debug-interface"));
  }

  @Test
  void sec12RaisesOnUnknownPeerAndClearsOnAllowedOne() {
    fleet.event("meter-01", 0, "peer_connected", "peer", "198.51.100.7");
    assertEquals(List.of(RAISED), fleet.statuses("SEC-12"));
    fleet.event("meter-01", 10, "peer_connected", "peer", "broker.fleet.local");
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-12"));
  }

  @Test
  void sec13RaisesOnThreeSkewedMessagesInArrivalOrderAndClearsOnThreeInSync() {
    // Device clock ten minutes behind the gateway; arrival order counts, so the late-looking ts still count
    for (int i = 0; i < 3; i++) {
      fleet.telemetry("chiller-01", T0.plusSeconds(i), T0.plusSeconds(600 + i), null, Map.of("x", 1.0));
    }
    assertEquals(List.of(RAISED), fleet.statuses("SEC-13"));
    assertEquals(-600.0, fleet.last("SEC-13").getObserved(), 1.0);
    for (int i = 3; i < 6; i++) {
      fleet.telemetry("chiller-01", T0.plusSeconds(600 + i), T0.plusSeconds(600 + i), null, Map.of("x", 1.0));
    }
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-13"));
  }

  @Test
  void sec14RaisesFromTheWallClockPunctuatorAndClearsOnTheNextMessage() {
    // Given chiller-01 was heard at T0 (gateway receive time = wall clock of the driver)
    fleet.telemetry("chiller-01", T0, T0, null, Map.of("supply_temp_c", 7.0));
    // When two minutes of wall-clock time pass, it is not lost yet (3 × 1 min)
    fleet.advanceWallClock(Duration.ofMinutes(2));
    assertEquals(List.of(), fleet.statuses("SEC-14"));
    // When four minutes have passed
    fleet.advanceWallClock(Duration.ofMinutes(2));
    // Then the punctuator raises heartbeat loss, stamped with the wall-clock time
    assertEquals(List.of(RAISED), fleet.statuses("SEC-14"));
    Violation lost = fleet.last("SEC-14");
    assertTrue(lost.getEventTime().isAfter(T0.plusSeconds(180)), lost.toString());
    assertTrue(lost.getObserved() > 180, lost.toString());
    assertNull(lost.getReceivedAt(), "raised by the wall clock, not by a received record");
    // and it does not raise again while still silent
    fleet.advanceWallClock(Duration.ofMinutes(1));
    assertEquals(List.of(RAISED), fleet.statuses("SEC-14"));
    // When the device is heard again, it clears
    fleet.telemetry("chiller-01", T0.plusSeconds(300), T0.plusSeconds(300), null, Map.of("supply_temp_c", 7.0));
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-14"));
  }

  @Test
  void sec14RaisesAtOnceWhenTheDeviceAnnouncesItWentOfflineAndClearsWhenItIsBack() {
    // Given chiller-01 was heard
    fleet.telemetry("chiller-01", T0, T0, null, Map.of("supply_temp_c", 7.0));
    // When its gateway reports it offline (Sparkplug B DDEATH)
    fleet.event("chiller-01", 1, "offline", "sparkplug", "DDEATH");
    // Then heartbeat loss is raised without waiting for the silence, and not again by the punctuator
    assertEquals(List.of(RAISED), fleet.statuses("SEC-14"));
    fleet.advanceWallClock(Duration.ofMinutes(5));
    assertEquals(List.of(RAISED), fleet.statuses("SEC-14"));
    // When it is born again and reports, it clears
    fleet.telemetry("chiller-01", T0.plusSeconds(400), T0.plusSeconds(400), null, Map.of("supply_temp_c", 7.0));
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-14"));
  }

  @Test
  void sec15RaisesWhenADeviceFloodsAndClearsWhenTheRateDrops() {
    for (int i = 0; i < 100; i++) {
      fleet.telemetry("meter-01", T0.plusMillis(i * 50L), T0.plusMillis(i * 50L), null, Map.of("kw", 1.0));
    }
    assertEquals(List.of(RAISED), fleet.statuses("SEC-15"));
    fleet.telemetry("meter-01", T0.plusSeconds(30), T0.plusSeconds(30), null, Map.of("kw", 1.0));
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-15"));
  }

  @Test
  void sec15RaisesAboveTheLearnedBaselineIgnoresLateMessagesOfCompletedMinutesAndClearsWhenTheRateIsBack() {
    // Given meter-01 sends two messages a minute for ten minutes: the warm-up learns a baseline of 2 per minute
    for (int minute = 0; minute < 10; minute++) {
      fleet.telemetry("meter-01", minute * 60L + 5, Map.of("kw", 1.0));
      fleet.telemetry("meter-01", minute * 60L + 35, Map.of("kw", 1.0));
    }
    assertEquals(List.of(), fleet.statuses("SEC-15"));
    // When in minute 10 it sends 30 messages (the limit is max(4 x 2, 30) = 30: not above it yet)
    for (int i = 0; i < 30; i++) {
      fleet.telemetry("meter-01", 600L + i, Map.of("kw", 1.0));
    }
    assertEquals(List.of(), fleet.statuses("SEC-15"));
    // and five late messages of minute 5 arrive (their minute is complete and learned: not counted again)
    for (int i = 0; i < 5; i++) {
      fleet.telemetry("meter-01", 300L + 50 + i, Map.of("kw", 1.0));
    }
    assertEquals(List.of(), fleet.statuses("SEC-15"));
    // When the 31st message of minute 10 comes
    fleet.telemetry("meter-01", 640, Map.of("kw", 1.0));
    // Then the learned-baseline check raises (the hard cap of 100 per 10 s is far away)
    assertEquals(List.of(RAISED), fleet.statuses("SEC-15", "learned-baseline"));
    assertEquals(31.0, fleet.last("SEC-15").getObserved());
    assertEquals(List.of(), fleet.statuses("SEC-15", "hard-cap"));
    // When minute 11 is back at two messages, it holds until minute 11 is complete
    fleet.telemetry("meter-01", 665, Map.of("kw", 1.0));
    fleet.telemetry("meter-01", 695, Map.of("kw", 1.0));
    assertEquals(List.of(RAISED), fleet.statuses("SEC-15", "learned-baseline"));
    // Then the first message of minute 12 completes it within the limit: cleared
    fleet.telemetry("meter-01", 725, Map.of("kw", 1.0));
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-15", "learned-baseline"));
  }

  @Test
  void sec16RaisesOnTamperOutsideMaintenanceOnly() {
    // Maintenance mode: tamper is expected
    fleet.state("elevator-01", 0, s -> s.setMode("maintenance"));
    fleet.event("elevator-01", 10, "tamper", "state", "open");
    assertEquals(List.of(), fleet.statuses("SEC-16"));
    // Back in service: tamper raises, closing the enclosure clears
    fleet.state("elevator-01", 20, s -> s.setMode("running"));
    fleet.event("elevator-01", 30, "tamper");
    assertEquals(List.of(RAISED), fleet.statuses("SEC-16"));
    fleet.event("elevator-01", 40, "tamper", "state", "closed");
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-16"));
    // A device that never reported a mode is armed from the start
    fleet.event("meter-01", 0, "tamper", "state", "open");
    assertEquals(List.of(RAISED, CLEARED, RAISED), fleet.statuses("SEC-16"));
  }

  @Test
  void sec16DoesNotRaiseOnTamperInAScheduledMaintenanceWindowOfTheRegistry() {
    // Given elevator-01 (reporting mode running) with an explicit window T0+1h..T0+2h and a weekly window on
    // Tuesdays 19:00-20:00 Tokyo (T0 is Tuesday 2025-11-25 10:00Z = 19:00 Tokyo)
    fleet.register(Asset.newBuilder().setDeviceId("elevator-01").setSite("hq").setAssetClass("elevator-controller")
        .setServices(List.of()).setMaintenanceWindows(List.of(
            MaintenanceWindow.newBuilder().setFrom(T0.plusSeconds(3600)).setUntil(T0.plusSeconds(7200)).build(),
            MaintenanceWindow.newBuilder().setDays(List.of("TUESDAY")).setStartTime("19:00")
                .setDurationSeconds(1800).setTimeZone("Asia/Tokyo").build())).build());
    fleet.state("elevator-01", 0, s -> s.setMode("running"));
    // When the enclosure opens within the weekly window (device time 19:10 Tokyo): no violation
    fleet.event("elevator-01", 600, "tamper", "state", "open");
    fleet.event("elevator-01", 900, "tamper", "state", "closed");
    assertEquals(List.of(), fleet.statuses("SEC-16"));
    // and within the explicit window
    fleet.event("elevator-01", 3700, "tamper", "state", "open");
    fleet.event("elevator-01", 3800, "tamper", "state", "closed");
    assertEquals(List.of(), fleet.statuses("SEC-16"));
    // Then outside both windows the same event raises
    fleet.event("elevator-01", 7200, "tamper", "state", "open");
    assertEquals(List.of(RAISED), fleet.statuses("SEC-16"));
    // A device without windows raises inside those times
    fleet.event("meter-01", 600, "tamper", "state", "open");
    assertEquals(List.of(RAISED, RAISED), fleet.statuses("SEC-16"));
  }

  @Test
  void sec17RaisesOnDegradedSecurityStateCaseInsensitively() {
    fleet.state("plc-01", 0, s -> s.setSecurityState("DEGRADED"));
    assertEquals(List.of(RAISED), fleet.statuses("SEC-17"));
    fleet.state("plc-01", 10, s -> s.setSecurityState("normal"));
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-17"));
  }

  @Test
  void sec18RaisesOnSequenceRegressionIgnoresDuplicatesAndRestartsAfterBoot() {
    fleet.telemetry("chiller-01", T0, T0, 10L, Map.of("x", 1.0));
    fleet.telemetry("chiller-01", T0.plusSeconds(1), T0.plusSeconds(1), 11L, Map.of("x", 1.0));
    fleet.telemetry("chiller-01", T0.plusSeconds(1), T0.plusSeconds(2), 11L, Map.of("x", 1.0));
    assertEquals(List.of(), fleet.statuses("SEC-18"), "a duplicate (QoS 1 redelivery) is not a replay");
    // A replayed message: old sequence number (and old device time)
    fleet.telemetry("chiller-01", T0, T0.plusSeconds(3), 10L, Map.of("x", 1.0));
    assertEquals(List.of(RAISED), fleet.statuses("SEC-18", "telemetry-sequence"));
    fleet.telemetry("chiller-01", T0.plusSeconds(4), T0.plusSeconds(4), 12L, Map.of("x", 1.0));
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-18", "telemetry-sequence"));
    // After a boot the counter restarts without a violation
    fleet.event("chiller-01", 5, "boot");
    fleet.telemetry("chiller-01", T0.plusSeconds(6), T0.plusSeconds(6), 1L, Map.of("x", 1.0));
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-18", "telemetry-sequence"));
  }

  @Test
  void sec20RaisesOnThreeBootsWithinFifteenMinutesAndClearsLater() {
    fleet.event("plc-01", 0, "boot");
    fleet.event("plc-01", 300, "boot");
    assertEquals(List.of(), fleet.statuses("SEC-20"));
    fleet.event("plc-01", 600, "boot");
    assertEquals(List.of(RAISED), fleet.statuses("SEC-20"));
    fleet.telemetry("plc-01", 1000, Map.of("motor_temp_c", 45.0));
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("SEC-20"));
  }

  @Test
  void flt04RaisesCriticalWhenASafetyViolationFollowsASecurityOneWithinThirtyMinutes() {
    // Given an authentication burst on chiller-01 (SEC-01 raised)
    for (int s = 0; s < 5; s++) {
      fleet.event("chiller-01", s, "auth_failure", "source", "10.9.9.9");
    }
    assertEquals(List.of(RAISED), fleet.statuses("SEC-01", "failures-per-device"));
    // When ten minutes later the supply temperature leaves its envelope (SAF-01 raised)
    for (int s = 600; s < 603; s++) {
      fleet.telemetry("chiller-01", s, Map.of("supply_temp_c", 15.0));
    }
    // Then FLT-04 raises as critical, on the same device
    assertEquals(List.of(RAISED), fleet.statuses("SAF-01"));
    assertEquals(List.of(RAISED), fleet.statuses("FLT-04"));
    Violation correlated = fleet.last("FLT-04");
    assertEquals(Severity.CRITICAL, correlated.getSeverity());
    assertEquals("chiller-01", correlated.getDeviceId());
    assertTrue(correlated.getDetail().contains("SAF-01"), correlated.getDetail());
    // and carries the receive time of the reading that raised SAF-01 (received 50 ms after its device time)
    assertEquals(T0.plusSeconds(602).plusMillis(50), correlated.getReceivedAt());
    assertEquals(correlated.getReceivedAt(), fleet.last("SAF-01").getReceivedAt());
    // When the safety violation clears, so does FLT-04
    for (int s = 603; s < 606; s++) {
      fleet.telemetry("chiller-01", s, Map.of("supply_temp_c", 8.0));
    }
    assertEquals(List.of(RAISED, CLEARED), fleet.statuses("FLT-04"));
  }

  @Test
  void flt04StaysQuietWhenTheSafetyViolationComesMoreThanThirtyMinutesLater() {
    for (int s = 0; s < 5; s++) {
      fleet.event("chiller-02", s, "auth_failure", "source", "10.9.9.9");
    }
    for (int s = 3600; s < 3603; s++) {
      fleet.telemetry("chiller-02", s, Map.of("supply_temp_c", 15.0));
    }
    assertEquals(List.of(RAISED), fleet.statuses("SAF-01"));
    assertEquals(List.of(), fleet.statuses("FLT-04"));
  }

  @Test
  void keepsTheTwinWithLastValuesReportedStateAndLastEvent() {
    fleet.telemetry("plc-01", 10, Map.of("motor_temp_c", 45.0));
    fleet.state("plc-01", 20, s -> s.setModel("S-1500").setFirmware("3.0.0").setMode("running"));
    fleet.state("plc-01", 15, s -> s.setModel("S-1500").setFirmware("2.0.0").setMode("idle"));
    fleet.event("plc-01", 30, "boot");

    KeyValueStore<String, DeviceTwin> twins = fleet.driver.getKeyValueStore(FleetTopology.DEVICE_TWINS_STORE);
    DeviceTwin twin = twins.get("plc-01");
    assertNotNull(twin);
    assertEquals(4L, twin.getMessages());
    assertEquals(45.0, twin.getMetrics().get("motor_temp_c"));
    assertEquals("3.0.0", twin.getReported().getFirmware(), "the late report did not overwrite the newer one");
    assertEquals("running", twin.getReported().getMode());
    assertEquals("boot", twin.getLastEventType());
    assertEquals(T0.plusSeconds(30), twin.getLastSeenAt());
  }
}
