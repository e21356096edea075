package io.fleetwatch.app.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetwatch.app.cli.FleetwatchCommand;
import io.fleetwatch.app.demo.DemoPipeline;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code fleetwatch simulate --check} against the demo pipeline (embedded MQTT and KRaft Kafka, gateway, streams
 * with the full policy catalogue, HTTP API; its own simulator off): the scenarios' expected incidents appear and
 * the command exits 0; an expected incident that cannot occur, or a forbidden one that does, makes it exit 1. The
 * vulnerable-component scenario runs after its advisory was imported with {@code fleetwatch advisories import}.
 * Each check waits at most for its scenarios' deadlines. The scenarios whose policy windows take minutes run in
 * {@link LongScenarioCheckIT}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScenarioCheckIT {
  private static final Path ADVISORY = Path.of("..", "examples", "advisories", "excert-2026-0004.json");
  private DemoPipeline pipeline;
  private int runs;

  @BeforeAll
  void startPipeline() throws Exception {
    pipeline = CheckRun.startPipeline(CheckRun.POLICIES);
  }

  @AfterAll
  void stopPipeline() {
    if (pipeline != null) {
      pipeline.close();
    }
  }

  @Test
  @Order(0)
  void theDemoFleetAtRestRaisesNoIncident(@TempDir Path dir) throws Exception {
    // Given 30 s of normal load from every device, then a marker: meter-01 connects to an unknown peer (SEC-12)
    Files.writeString(dir.resolve("quiet-then-marker.yaml"), """
        apiVersion: fleetwatch.io/v1
        kind: Scenario
        name: quiet-then-marker
        description: >-
          Normal load for 30 s, then a new peer as a marker that the pipeline has caught up. Normal load must not
          look like a lost heartbeat, a message-rate anomaly or a stuck sensor anywhere.
        targets: {marker: {device: meter-01}}
        steps: [{at: PT30S, target: marker, events: {type: peer_connected, count: 1, attributes: {peer: 203.0.113.50}}}]
        expect: [{policy: SEC-12, target: marker, within: PT60S}]
        forbid: [{policy: SEC-14}, {policy: SEC-15}, {policy: SAF-05}]
        """);

    CheckRun r = simulate(dir, "--scenario", "quiet-then-marker", "--check", "--api", api(), "--state-interval",
        "PT10S");

    // Then the marker is the only incident: the healthy baseline trips no policy of the catalogue
    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("PASSED: 1 of 1 expected incidents appeared, no forbidden incident (3 watched)"),
        r.output());
    HttpResponse<String> incidents = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(api() + "/api/incidents")).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode all = new ObjectMapper().readTree(incidents.body());
    List<String> policies = new ArrayList<>();
    all.forEach(i -> policies.add(i.path("policyId").asText() + " on " + i.path("deviceId").asText()));
    assertEquals(List.of("SEC-12 on meter-01"), policies);
  }

  @Test
  @Order(1)
  void chillerOverheatRaisesSaf01AndTheCheckPasses() {
    CheckRun r = simulate(CheckRun.SCENARIOS, "--scenario", "chiller-overheat", "--check", "--api", api());

    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("OK       chiller-overheat: SAF-01 on chiller-01 -> SAF-01.chiller-01."), r.output());
    assertTrue(r.output().contains("PASSED: 1 of 1 expected incidents appeared"), r.output());
  }

  @Test
  @Order(2)
  void aScenarioWhoseExpectedIncidentCannotOccurFailsTheCheckWithExitCode1(@TempDir Path dir) throws Exception {
    // Given a scenario that keeps the chiller inside its envelope but expects SAF-01
    Files.writeString(dir.resolve("cool-chiller.yaml"), """
        apiVersion: fleetwatch.io/v1
        kind: Scenario
        name: cool-chiller
        description: The chiller is held at a normal 8 °C, yet SAF-01 is expected; it cannot open.
        targets: {chiller: {device: chiller-02}}
        schedule: {start: PT2S}
        steps: [{target: chiller, for: PT30S, force: {metric: supply_temp_c, value: 8.0}}]
        expect: [{policy: SAF-01, target: chiller, within: PT8S}]
        """);

    CheckRun r = simulate(dir, "--scenario", "cool-chiller", "--check", "--api", api());

    assertEquals(1, r.exit(), r.output());
    assertTrue(r.output().contains("MISSING  cool-chiller: SAF-01 on chiller-02 not raised within 8 s"), r.output());
    assertTrue(r.output().contains("FAILED: 0 of 1 expected incidents appeared"), r.output());
  }

  @Test
  @Order(3)
  void crossDeviceScenariosRaiseASiteLevelSprayFindingAndASharedCredentialOnBothDevices() throws Exception {
    // Given no device of hq sees enough failures for SEC-01, and two devices of two sites share a credential
    CheckRun r = simulate(CheckRun.SCENARIOS, "--scenario", "password-spray", "--scenario", "shared-credential", "--check",
        "--api", api());

    // Then the site-level SEC-01 and SEC-02 on both devices appear
    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("OK       password-spray: SEC-01 at site hq -> SEC-01.hq."), r.output());
    assertTrue(r.output().contains("OK       shared-credential: SEC-02 on elevator-01 -> "), r.output());
    assertTrue(r.output().contains("OK       shared-credential: SEC-02 on plc-02 -> "), r.output());
    // and the spray opened a site incident, not a device one: no hq device has a SEC-01 incident
    HttpResponse<String> incidents = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(api() + "/api/incidents?site=hq")).build(),
        HttpResponse.BodyHandlers.ofString());
    List<String> sec01 = new ArrayList<>();
    new ObjectMapper().readTree(incidents.body()).forEach(i -> {
      if (i.path("policyId").asText().equals("SEC-01")) {
        sec01.add(i.path("deviceId").isNull() || i.path("deviceId").isMissingNode() ? "site" : i.path("deviceId").asText());
      }
    });
    assertEquals(List.of("site"), sec01, incidents.body());
  }

  @Test
  @Order(3)
  void aForbiddenIncidentThatAppearsFailsTheCheckWithExitCode1(@TempDir Path dir) throws Exception {
    // Given a scenario that overheats chiller-02 yet forbids SAF-01 on it, watched for 15 s (it opens a few seconds
    // after the overheat starts; the chiller is back to normal for the last 3 s)
    Files.writeString(dir.resolve("overheat-forbidden.yaml"), """
        apiVersion: fleetwatch.io/v1
        kind: Scenario
        name: overheat-forbidden
        description: The chiller is driven to 15 °C (outside 4..12 °C), yet SAF-01 is forbidden; it opens.
        targets: {chiller: {device: chiller-02}}
        schedule: {start: PT2S}
        steps: [{target: chiller, for: PT10S, force: {metric: supply_temp_c, value: 15.0}}]
        expect: []
        forbid: [{policy: SAF-01, target: chiller}]
        """);

    CheckRun r = simulate(dir, "--scenario", "overheat-forbidden", "--check", "--api", api(), "--duration", "PT15S");

    // Then the check names the incident and fails
    assertEquals(1, r.exit(), r.output());
    assertTrue(r.output().contains("FORBIDDEN overheat-forbidden: SAF-01 on chiller-02 -> SAF-01.chiller-02."),
        r.output());
    assertTrue(r.output().contains("FAILED: 0 of 0 expected incidents appeared, 1 forbidden incident appeared"
        + " (1 watched)"), r.output());
  }

  @Test
  @Order(4)
  void safetyAndSecurityScenariosCombinedInOneRunRaiseEveryExpectedIncident() {
    List<String> args = new ArrayList<>();
    for (String scenario : List.of("pressure-spike", "interlock-command", "brute-force-login", "default-credential",
        "tls-downgrade", "new-open-port", "firmware-downgrade", "config-drift", "replayed-messages", "tamper",
        "reboot-loop", "intrusion-then-overheat", "update-while-running",
        // the skewed clock makes the boiler's readings late for the envelope rules: after the pressure spike
        "clock-skew@PT70S")) {
      args.add("--scenario");
      args.add(scenario);
    }
    args.addAll(List.of("--check", "--api", api()));

    CheckRun r = simulate(CheckRun.SCENARIOS, args.toArray(String[]::new));

    assertEquals(0, r.exit(), r.output());
    for (String expected : List.of("SAF-02 on boiler-01", "SAF-01 on boiler-01", "SAF-03 on plc-01",
        "SEC-01 on meter-01", "SEC-02 on meter-11", "SEC-03 on chiller-11", "SEC-11 on elevator-01",
        "SEC-08 on plc-02", "SEC-05 on plc-02", "SEC-09 on plc-01", "SEC-18 on chiller-02", "SEC-16 on elevator-01",
        "SEC-20 on meter-11", "SEC-04 on chiller-11", "FLT-04 on chiller-11", "SAF-06 on plc-02",
        "SEC-13 on boiler-01")) {
      assertTrue(r.output().contains(": " + expected + " -> "), expected + " missing in:\n" + r.output());
    }
  }

  @Test
  @Order(5)
  void checkModeReadsIncidentsFromTheIncidentsTopicWithoutTheApi() {
    CheckRun r = simulate(CheckRun.SCENARIOS, "--scenario", "security-degraded", "--check", "--bootstrap-servers",
        pipeline.bootstrapServers());

    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("OK       security-degraded: SEC-17 on elevator-01 -> "), r.output());
  }

  @Test
  @Order(6)
  void aComponentNamedInAnImportedAdvisoryRaisesSec10OnTheDeviceOnlyWhereTheVersionMatches() {
    // Given the fictional advisory for openssl 1.1.1k, imported with the CLI
    StringWriter out = new StringWriter();
    CommandLine cli = FleetwatchCommand.commandLine().setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(out, true));
    int imported = cli.execute("advisories", "import", ADVISORY.toString(), "--bootstrap-servers",
        pipeline.bootstrapServers(), "--partitions", "3");
    assertEquals(0, imported, out.toString());

    // When meter-01 reports openssl 1.1.1k in its inventory (chiller-02 keeps openssl 3.0.13)
    CheckRun r = simulate(CheckRun.SCENARIOS, "--scenario", "vulnerable-component", "--check", "--api", api());

    // Then SEC-10 opens on meter-01 and not on chiller-02
    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("OK       vulnerable-component: SEC-10 on meter-01 -> "), r.output());
    assertTrue(r.output().contains("PASSED: 1 of 1 expected incidents appeared, no forbidden incident (1 watched)"),
        r.output());
  }

  private String api() {
    return CheckRun.api(pipeline);
  }

  private CheckRun simulate(Path scenarios, String... args) {
    return CheckRun.simulate(pipeline, scenarios, "check-it-" + (++runs), args);
  }
}
