package io.fleetwatch.app.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetwatch.app.cli.FleetwatchCommand;
import io.fleetwatch.app.harness.GatewayProcess;
import io.fleetwatch.app.harness.HttpAnswer;
import io.fleetwatch.app.harness.Mosquitto;
import io.fleetwatch.app.harness.MosquittoPub;
import io.fleetwatch.app.harness.Ports;
import io.fleetwatch.app.harness.StreamsProcess;
import io.fleetwatch.embedded.EmbeddedKafka;
import io.fleetwatch.embedded.TopicProvisioner;
import io.fleetwatch.schemas.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import picocli.CommandLine;

/**
 * The operators' view end to end, with real parts: Debian's Prometheus scrapes {@code fleetwatch gateway} and
 * {@code fleetwatch streams}, each its own JVM, against a Kafka broker and a mosquitto broker outside them, with the
 * shipped alert rules loaded. Right after start, before any traffic, every metric a dashboard or an alert rule names
 * is already served (meters with known tag values are registered at 0). Then the simulator runs the demo fleet with an
 * overheating chiller (and a broken device sending malformed JSON), and every PromQL expression of every shipped dashboard evaluates without error, every panel
 * returns data, and every alert rule evaluates with health {@code ok}.
 *
 * <p>Grafana's variables are replaced the way Grafana would expand them for "All" on a one-hour view:
 * {@code $__rate_interval} by one minute, {@code $job}/{@code $instance}/{@code $datasource}-style label values by a regex that
 * matches any value.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrometheusDashboardsIT {
  private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  private static final Duration START = Duration.ofSeconds(120);
  private static final Duration DEADLINE = Duration.ofSeconds(150);
  /** Series Prometheus makes itself, never served by a target. */
  private static final Set<String> SYNTHETIC = Set.of("up", "scrape_duration_seconds", "scrape_samples_scraped",
      "scrape_samples_post_metric_relabeling", "scrape_series_added", "ALERTS", "ALERTS_FOR_STATE");
  private static final Pattern LABEL_VARIABLE =
      Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*(=~|=|!=|!~)\\s*\"\\$\\{?[A-Za-z_][A-Za-z0-9_:]*\\}?\"");

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();
  private Path dir;
  private EmbeddedKafka kafka;
  private Mosquitto mosquitto;
  private GatewayProcess gateway;
  private StreamsProcess streams;
  private Process prometheus;
  private int prometheusPort;
  private CompletableFuture<Integer> simulator;

  @BeforeAll
  void startBrokersAndComponents() throws Exception {
    assertTrue(Files.isExecutable(PROMETHEUS), PROMETHEUS + " missing: install Debian's prometheus package");
    dir = Files.createTempDirectory("prometheus-it");
    kafka = EmbeddedKafka.builder().build().start();
    mosquitto = Mosquitto.started();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      new TopicProvisioner(admin, 3, (short) 1).ensure(Topics.withDefaultPrefix(), Duration.ofSeconds(30));
    }
    // The two JVMs boot while the registry is applied and Prometheus starts (it scrapes them once they listen).
    gateway = GatewayProcess.start(Map.of(
        "FLEETWATCH_MQTT_URI", mosquitto.uri(),
        "FLEETWATCH_MQTT_CLIENT_ID", "prometheus-it-gateway",
        "FLEETWATCH_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers()), dir.resolve("gateway.log"));
    streams = StreamsProcess.start(Map.of(
        "FLEETWATCH_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
        "FLEETWATCH_STREAMS_APPLICATION_ID", "prometheus-it",
        "FLEETWATCH_STREAMS_STATE_DIR", dir.resolve("state").toString(),
        "FLEETWATCH_POLICIES", OpsFiles.ROOT.resolve("policies").toString()), Ports.free(), dir.resolve("streams.log"));
    StringWriter out = new StringWriter();
    int applied = FleetwatchCommand.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(out, true))
        .execute("registry", "apply", "--bootstrap-servers", kafka.bootstrapServers(),
            OpsFiles.ROOT.resolve("examples/demo-fleet/assets.yaml").toString());
    assertEquals(0, applied, "registry apply: " + out);
    startPrometheus();
    gateway.awaitReady(START);
    streams.awaitHealthy(START);
  }

  @AfterAll
  void stopEverything() throws Exception {
    if (simulator != null) {
      simulator.cancel(true);
    }
    if (prometheus != null) {
      prometheus.destroy();
      if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
        prometheus.destroyForcibly();
      }
    }
    for (AutoCloseable c : new AutoCloseable[] {gateway, streams, mosquitto, kafka}) {
      if (c != null) {
        c.close();
      }
    }
  }

  @Test
  @Order(1)
  void servesEveryMetricOfEveryDashboardAndAlertRuleRightAfterStartBeforeAnyTraffic() throws Exception {
    // Given the metric names the dashboards and alert rules use
    Map<String, List<String>> required = new TreeMap<>();
    for (OpsFiles.Query q : OpsFiles.queries()) {
      for (PromQlSelectors.Selector s : PromQlSelectors.of(q.expr())) {
        if (!SYNTHETIC.contains(s.metric())) {
          required.computeIfAbsent(s.metric(), m -> new ArrayList<>()).add(q.where());
        }
      }
    }
    assertTrue(required.size() > 20, "expected the dashboards to use many metrics, found " + required.keySet());

    // When both components are scraped (no message published yet) until all names appear or the deadline passes
    Map<String, List<String>> missing = new TreeMap<>(required);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      Set<String> served = new TreeSet<>();
      served.addAll(DashboardMetricsIT.seriesNames(scrape(gateway.get("/metrics"), "gateway")));
      served.addAll(DashboardMetricsIT.seriesNames(scrape(streams.get("/metrics"), "streams")));
      missing.keySet().removeAll(served);
      if (missing.isEmpty() || System.nanoTime() - deadline > 0) {
        break;
      }
      TimeUnit.SECONDS.sleep(1); // poll interval; bounded by the deadline
    }

    // Then none is missing
    StringBuilder report = new StringBuilder();
    missing.forEach((metric, where) -> report.append("\n  ").append(metric).append(" used by ").append(where));
    assertTrue(missing.isEmpty(), "not served before the first message:" + report);
  }

  @Test
  @Order(2)
  void everyDashboardQueryAndAlertRuleEvaluatesAndEveryPanelHasDataWhileTheSimulatorRuns() throws Exception {
    // Given Prometheus scraping both components every second, with the shipped alert rules
    awaitPrometheusScrapingBoth();
    // and the simulator publishing the demo fleet, with one chiller overheating
    simulator = CompletableFuture.supplyAsync(() -> FleetwatchCommand.commandLine()
        .setOut(new PrintWriter(new StringWriter(), true)).setErr(new PrintWriter(new StringWriter(), true))
        .execute("simulate", "--mqtt-uri", mosquitto.uri(),
            "--fleet", OpsFiles.ROOT.resolve("examples/demo-fleet/assets.yaml").toString(),
            "--scenarios-dir", OpsFiles.ROOT.resolve("scenarios").toString(),
            "--scenario", "chiller-overheat", "--rate", "50", "--duration", "PT4M",
            "--client-id-prefix", "prometheus-it-sim"));
    // and a misbehaving device sending malformed JSON every second, so the rejection panels have something to show
    ScheduledExecutorService broken = Executors.newSingleThreadScheduledExecutor();
    broken.scheduleWithFixedDelay(this::publishMalformed, 0, 1, TimeUnit.SECONDS);
    try {
      awaitEveryPanelWithData();
    } finally {
      broken.shutdownNow();
    }
  }

  private void publishMalformed() {
    try {
      MosquittoPub.publish(mosquitto.uri(), "fleet/hq/prometheus-it-broken/telemetry", "{not json");
    } catch (Exception e) {
      Thread.currentThread().interrupt(); // stopping
    }
  }

  private void awaitEveryPanelWithData() throws Exception {
    // When every panel's queries are evaluated until each panel returns data (or the deadline passes)
    List<PanelQueries> panels = panels();
    Map<String, String> errors = new TreeMap<>();
    Map<String, String> empty = new TreeMap<>();
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (true) {
      errors.clear();
      empty.clear();
      for (PanelQueries panel : panels) {
        boolean data = false;
        for (String expr : panel.exprs()) {
          JsonNode answer = query(expr);
          if (!"success".equals(answer.path("status").asText())) {
            errors.put(panel.where() + ": " + expr, answer.path("error").asText(answer.toString()));
          } else if (!answer.path("data").path("result").isEmpty()) {
            data = true;
          }
        }
        if (!data) {
          empty.put(panel.where(), String.join(" | ", panel.exprs()));
        }
      }
      assertTrue(errors.isEmpty(), "queries Prometheus refused:" + lines(errors));
      if (empty.isEmpty() || System.nanoTime() - deadline > 0) {
        break;
      }
      // (the message is a supplier: built eagerly, its join() would wait for the whole simulator run)
      assertTrue(!simulator.isDone() || simulator.join() == 0, () -> "the simulator stopped with " + simulator.join());
      TimeUnit.SECONDS.sleep(1); // poll interval; bounded by the deadline
    }

    // Then every panel shows data
    assertTrue(empty.isEmpty(), "panels without data while the simulator runs:" + lines(empty));

    // and every alert rule has been evaluated without error
    Map<String, String> unhealthy = new TreeMap<>();
    int rules = 0;
    for (JsonNode group : get(prometheusPort, "/api/v1/rules").path("data").path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        rules++;
        if (!"ok".equals(rule.path("health").asText())) {
          unhealthy.put(rule.path("name").asText(), rule.path("health").asText() + " " + rule.path("lastError"));
        }
      }
    }
    assertTrue(rules >= 10, "expected the shipped alert rules to be loaded, found " + rules);
    assertTrue(unhealthy.isEmpty(), "alert rules not evaluated cleanly:" + lines(unhealthy));
  }

  /** A panel and its PromQL expressions with Grafana's variables expanded. */
  private record PanelQueries(String where, List<String> exprs) {}

  private List<PanelQueries> panels() {
    List<PanelQueries> panels = new ArrayList<>();
    for (Path file : OpsFiles.dashboards()) {
      for (JsonNode panel : OpsFiles.panels(OpsFiles.json(file))) {
        List<String> exprs = new ArrayList<>();
        for (JsonNode target : panel.path("targets")) {
          if (!target.path("expr").asText().isBlank()) {
            exprs.add(expand(target.path("expr").asText()));
          }
        }
        if (!exprs.isEmpty()) {
          panels.add(new PanelQueries(OpsFiles.ROOT.relativize(file) + " '" + panel.path("title").asText() + "'",
              exprs));
        }
      }
    }
    assertTrue(panels.size() > 10, "expected many panels with queries, found " + panels.size());
    return panels;
  }

  /** Grafana's expansion for "All" and a 1 s scrape interval. */
  static String expand(String expr) {
    Matcher m = LABEL_VARIABLE.matcher(expr);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String op = m.group(2).startsWith("!") ? "!~" : "=~";
      m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + op + (op.equals("!~") ? "\"^$\"" : "\".*\"")));
    }
    m.appendTail(out);
    return out.toString().replace("$__rate_interval", "1m").replace("${__rate_interval}", "1m")
        .replace("$__interval", "5s").replace("${__interval}", "5s").replace("$__range", "5m");
  }

  private void startPrometheus() throws Exception {
    prometheusPort = Ports.free();
    String config = """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        rule_files:
          - %s
        scrape_configs:
          - job_name: %s
            static_configs:
              - targets: ['127.0.0.1:%d']
          - job_name: %s
            static_configs:
              - targets: ['127.0.0.1:%d']
        """.formatted(OpsFiles.ALERTS, OpsFiles.GATEWAY_JOB, gateway.httpPort(), OpsFiles.STREAMS_JOB,
        streams.httpPort());
    Path file = dir.resolve("prometheus.yml");
    Files.writeString(file, config);
    prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + file,
        "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + prometheusPort)
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
  }

  private void awaitPrometheusScrapingBoth() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      assertTrue(prometheus.isAlive(), "prometheus exited: " + Files.readString(dir.resolve("prometheus.log")));
      JsonNode up = query("up");
      if ("success".equals(up.path("status").asText()) && up.path("data").path("result").size() == 2
          && allOne(up.path("data").path("result"))) {
        return;
      }
      assertTrue(System.nanoTime() - deadline < 0, "Prometheus did not scrape both targets: " + up);
      TimeUnit.MILLISECONDS.sleep(500); // poll interval; bounded by the deadline
    }
  }

  private static boolean allOne(JsonNode result) {
    for (JsonNode series : result) {
      if (!"1".equals(series.path("value").path(1).asText())) {
        return false;
      }
    }
    return true;
  }

  private JsonNode query(String expr) throws Exception {
    return get(prometheusPort, "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
  }

  private JsonNode get(int port, String path) throws Exception {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      return json.readTree(r.body());
    } catch (IOException e) {
      return json.createObjectNode().put("status", "unreachable").put("error", e.toString());
    }
  }

  private static String scrape(HttpAnswer answer, String component) {
    assertEquals(200, answer.status(), component + " GET /metrics: " + answer.body());
    return answer.body();
  }

  private static String lines(Map<String, String> entries) {
    StringBuilder b = new StringBuilder();
    entries.forEach((k, v) -> b.append("\n  ").append(k).append(" -> ").append(v));
    return b.toString();
  }
}
