package io.fleetwatch.streams.topology;

import static io.fleetwatch.avro.ViolationStatus.RAISED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.streams.policy.RuntimeCatalogue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Policies published on {@code fleet.policies} change what the running topology evaluates, without a restart. */
class RuntimePolicyChangesTest {
  @TempDir
  Path stateDir;
  private PolicyDriver fleet;
  private String saf01;

  @BeforeEach
  void start() throws Exception {
    fleet = new PolicyDriver(stateDir);
    fleet.register("chiller-01", "hq", "chiller");
    saf01 = Files.readString(Path.of("../policies/saf-01-safe-envelope.yaml"));
  }

  @AfterEach
  void stop() {
    fleet.close();
  }

  @Test
  void aPublishedLowerThresholdAppliesFromTheNextReading() {
    // Given 11 °C is inside the shipped chiller envelope (max 12)
    for (int s = 0; s < 3; s++) {
      fleet.telemetry("chiller-01", s, Map.of("supply_temp_c", 11.0));
    }
    assertEquals(List.of(), fleet.statuses("SAF-01"));

    // When version 2 of SAF-01 with max 10 is published
    fleet.publish("SAF-01", saf01.replace("version: 1", "version: 2").replace("max: 12", "max: 10"));

    // Then the same readings now raise, and the violation names the new version
    for (int s = 3; s < 6; s++) {
      fleet.telemetry("chiller-01", s, Map.of("supply_temp_c", 11.0));
    }
    assertEquals(List.of(RAISED), fleet.statuses("SAF-01"));
    assertEquals(2, fleet.last("SAF-01").getPolicyVersion());
    assertEquals(RuntimeCatalogue.Origin.PUBLISHED, fleet.catalogue.origin("SAF-01"));
  }

  @Test
  void anInvalidPublishedPolicyIsSkippedWithAReasonAndTheOthersKeepRunning() {
    // When a broken SAF-01 (a string where a number belongs) and a stale SEC-03 (version 0) are published
    fleet.publish("SAF-01", saf01.replace("version: 1", "version: 2").replace("max: 12", "max: twelve"));
    fleet.publish("SEC-03", "apiVersion: fleetwatch.io/v1\nkind: Policy\nid: SEC-03\nversion: 1\n");

    // Then both are rejected with file:line: field: why, and the definitions in force keep evaluating
    List<RuntimeCatalogue.Rejection> rejected = fleet.catalogue.rejections();
    assertEquals(2, rejected.size(), rejected.toString());
    assertTrue(rejected.get(0).reason().contains("checks[0].rule.max: expected a number, got 'twelve'"),
        rejected.get(0).reason());
    assertTrue(rejected.get(1).reason().contains("required field is missing"), rejected.get(1).reason());
    for (int s = 0; s < 3; s++) {
      fleet.telemetry("chiller-01", s, Map.of("supply_temp_c", 15.0));
    }
    assertEquals(List.of(RAISED), fleet.statuses("SAF-01"));
    assertEquals(1, fleet.last("SAF-01").getPolicyVersion());
  }

  @Test
  void aNewPolicyCanBeAddedAndAStaleVersionIsRefused() {
    // When a policy that no file defines is published
    fleet.publish("SEC-99", """
        apiVersion: fleetwatch.io/v1
        kind: Policy
        id: SEC-99
        version: 3
        title: Telnet event
        policyKind: security
        severity: low
        references: [{framework: nist-sp-800-171, provision: "3.4.7"}]
        remediation: Disable telnet.
        checks:
          - id: telnet
            rule: {type: predicate, event: port_opened, attribute: port, in: ["23"]}
        """);
    fleet.event("chiller-01", 0, "port_opened", "port", "23");
    // Then it evaluates at once
    assertEquals(List.of(RAISED), fleet.statuses("SEC-99"));

    // When version 2 of SAF-01 is in force and version 1 is published again, it is refused as stale
    fleet.publish("SAF-01", saf01.replace("version: 1", "version: 2"));
    fleet.publish("SAF-01", saf01);
    assertTrue(fleet.catalogue.rejections().stream().anyMatch(r -> r.policyId().equals("SAF-01")
        && r.reason().contains("older than version 2")), fleet.catalogue.rejections().toString());
    assertEquals(2, fleet.catalogue.current().policy("SAF-01").orElseThrow().version());
  }
}
