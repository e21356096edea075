package io.fleetwatch.app.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shipped Prometheus files pass Prometheus' own checks: {@code promtool check config} (which also checks the
 * rule files it references), {@code promtool check rules}, and the alert unit tests ({@code promtool test rules}).
 * Needs Debian's {@code prometheus} package ({@code /usr/bin/promtool}); skipped where it is not installed.
 */
class PrometheusFilesTest {
  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

  @Test
  void configurationIsValidForPrometheus() throws Exception {
    promtool("check", "config", OpsFiles.PROMETHEUS_CONFIG.toString());
  }

  @Test
  void alertRulesAreValidForPrometheus() throws Exception {
    promtool("check", "rules", OpsFiles.ALERTS.toString());
  }

  @Test
  void alertsFireAndStayQuietAsTheirUnitTestsExpect() throws Exception {
    promtool("test", "rules", OpsFiles.ALERT_TESTS.toString());
  }

  @Test
  void everyAlertHasASeverityASummaryAndIsCoveredByAUnitTestOrListedAsUntested() {
    List<String> problems = new ArrayList<>();
    String tests = read(OpsFiles.ALERT_TESTS);
    List<String> untested = new ArrayList<>();
    for (var group : OpsFiles.yaml(OpsFiles.ALERTS).path("groups")) {
      for (var rule : group.path("rules")) {
        String name = rule.path("alert").asText();
        String severity = rule.path("labels").path("severity").asText();
        if (!severity.equals("critical") && !severity.equals("warning")) {
          problems.add(name + ": severity must be critical or warning, got '" + severity + "'");
        }
        if (rule.path("annotations").path("summary").asText().isBlank()
            || rule.path("annotations").path("description").asText().isBlank()) {
          problems.add(name + ": needs a summary and a description");
        }
        if (!tests.contains("alertname: " + name + "\n")) {
          untested.add(name);
        }
      }
    }
    assertEquals(List.of(), problems);
    // Simple threshold rules without a unit test; everything with arithmetic, ratios or histograms has one.
    assertEquals(List.of("FleetwatchStreamsDown", "FleetwatchGatewayMqttDisconnected", "FleetwatchStreamThreadFailed",
        "FleetwatchGatewayKafkaSendFailing", "FleetwatchQos0MessagesDropped", "FleetwatchCommitLatencyHigh"), untested);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void promtool(String... args) throws Exception {
    assumeTrue(Files.isExecutable(PROMTOOL), PROMTOOL + " not installed (apt-get install -y prometheus)");
    List<String> command = new ArrayList<>(List.of(PROMTOOL.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool did not finish within 60 s");
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + output);
  }
}
