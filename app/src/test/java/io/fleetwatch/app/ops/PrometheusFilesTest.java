package io.fleetwatch.app.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped Prometheus files pass Prometheus' own checks: {@code promtool check config} (which also checks the
 * rule files it references), {@code promtool check rules}, the alert unit tests ({@code promtool test rules}), and
 * every dashboard query parses as PromQL once Grafana's variables are filled in; the Alertmanager configuration passes
 * {@code amtool check-config}. Needs Debian's {@code prometheus} package ({@code /usr/bin/promtool}) and
 * {@code prometheus-alertmanager} ({@code /usr/bin/amtool}); each check is skipped where its tool is not installed.
 */
class PrometheusFilesTest {
  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
  private static final Path AMTOOL = Path.of("/usr/bin/amtool");
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void configurationIsValidForPrometheus() throws Exception {
    promtool("check", "config", OpsFiles.PROMETHEUS_CONFIG.toString());
  }

  @Test
  void alertmanagerConfigurationIsValidForAlertmanager() throws Exception {
    assumeTrue(Files.isExecutable(AMTOOL), AMTOOL + " not installed (apt-get install -y prometheus-alertmanager)");
    run(AMTOOL, "check-config", OpsFiles.ALERTMANAGER_CONFIG.toString());
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
  void everyDashboardQueryIsValidPromQlWithItsVariablesFilledIn(@TempDir Path dir) throws Exception {
    // promtool parses expressions of rule files: one recording rule per dashboard query, Grafana variables filled in
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard-queries\n    rules:\n");
    int n = 0;
    for (OpsFiles.Query q : OpsFiles.queries()) {
      if (q.where().startsWith("dashboards/grafana/")) {
        String expr = q.expr().replace("$__rate_interval", "1m").replace("$job", "fleetwatch-.*")
            .replace("$instance", ".*");
        rules.append("      - record: dashboard_query_").append(n++).append("\n        expr: ")
            .append(JSON.writeValueAsString(expr)).append("\n");
      }
    }
    assertTrue(n > 80, "only " + n + " dashboard queries found");
    Path file = dir.resolve("dashboard-queries.yml");
    Files.writeString(file, rules);
    promtool("check", "rules", file.toString());
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

  @Test
  void everyAlertLinksItsRunbookSectionOfTheOperationsGuide() {
    Map<String, String> sections = markdownSections(read(OpsFiles.OPERATIONS_DOC));
    String prefix = OpsFiles.ROOT.relativize(OpsFiles.OPERATIONS_DOC) + "#";
    List<String> problems = new ArrayList<>();
    int alerts = 0;
    for (var group : OpsFiles.yaml(OpsFiles.ALERTS).path("groups")) {
      for (var rule : group.path("rules")) {
        alerts++;
        String name = rule.path("alert").asText();
        String url = rule.path("annotations").path("runbook_url").asText();
        if (!url.startsWith(prefix)) {
          problems.add(name + ": runbook_url '" + url + "' is not " + prefix + "<section>");
        } else if (!sections.containsKey(url.substring(prefix.length()))) {
          problems.add(name + ": " + url + " names no section of " + prefix.substring(0, prefix.length() - 1));
        } else if (!sections.get(url.substring(prefix.length())).matches("(?s).*\\n1\\. .*")) {
          problems.add(name + ": section " + url + " has no numbered steps (what to do)");
        }
      }
    }
    assertEquals(List.of(), problems);
    assertTrue(alerts >= 14, "only " + alerts + " alerts read");
  }

  @Test
  void everyLinkWithinTheOperationsGuideNamesOneOfItsSections() {
    String doc = read(OpsFiles.OPERATIONS_DOC);
    Set<String> anchors = markdownSections(doc).keySet();
    Set<String> broken = new TreeSet<>();
    Matcher link = Pattern.compile("\\]\\(#([^)]+)\\)").matcher(doc);
    while (link.find()) {
      if (!anchors.contains(link.group(1))) {
        broken.add(link.group(1));
      }
    }
    assertEquals(Set.of(), broken);
  }

  /**
   * The sections of a Markdown document by the anchor GitHub gives their heading (lower case, punctuation other than
   * {@code -} and {@code _} removed, spaces to {@code -}, repeats numbered {@code -1}, {@code -2}), with their text.
   */
  private static Map<String, String> markdownSections(String markdown) {
    Map<String, String> sections = new LinkedHashMap<>();
    String anchor = null;
    StringBuilder body = new StringBuilder();
    for (String line : (markdown + "\n# end").split("\n", -1)) {
      Matcher heading = Pattern.compile("^#{1,6} (.+)$").matcher(line);
      if (!heading.matches()) {
        body.append(line).append('\n');
        continue;
      }
      if (anchor != null) {
        sections.put(anchor, body.toString());
      }
      String slug = heading.group(1).strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "")
          .replace(' ', '-');
      anchor = slug;
      for (int n = 1; sections.containsKey(anchor); n++) {
        anchor = slug + "-" + n;
      }
      body = new StringBuilder();
    }
    return sections;
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
    run(PROMTOOL, args);
  }

  private static void run(Path tool, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(tool.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), tool.getFileName() + " did not finish within 60 s");
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + output);
  }
}
