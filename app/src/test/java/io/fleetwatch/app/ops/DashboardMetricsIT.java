package io.fleetwatch.app.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetwatch.app.demo.DemoPipeline;
import io.fleetwatch.app.demo.DemoSettings;
import io.fleetwatch.app.harness.MosquittoPub;
import io.fleetwatch.app.harness.Ports;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every metric name used by a dashboard panel or an alert rule is served by the component its {@code job} selects,
 * so renaming a metric breaks the build instead of a dashboard.
 *
 * <p>The demo pipeline provides the brokers, topics and asset registry (no simulator: the test publishes its own
 * readings with {@code mosquitto_pub}, enough to open and resolve an incident). Against it run the two production
 * commands exactly as Prometheus scrapes them in docker-compose.yml: {@code fleetwatch gateway} and
 * {@code fleetwatch streams}, each as its own JVM from the shaded {@code target/fleetwatch.jar}, configured by
 * FLEETWATCH_* environment variables. {@code job="fleetwatch-gateway"} selectors of alert rules are checked against the
 * gateway's /metrics, {@code job="fleetwatch-streams"} against the streams app's; dashboard selectors against the
 * component(s) whose identifying metric the dashboard's {@code job} variable queries. Kafka Streams task and state-store metrics
 * are bound by Micrometer's refresh (every 60 s), so the check polls until all names are there or the deadline.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardMetricsIT {
  private static final Duration DEADLINE = Duration.ofSeconds(180);
  /** Series Prometheus makes itself, never served by a target. */
  private static final Set<String> SYNTHETIC = Set.of("up", "scrape_duration_seconds", "scrape_samples_scraped",
      "scrape_samples_post_metric_relabeling", "scrape_series_added", "ALERTS", "ALERTS_FOR_STATE");
  private static final Path JAR = Path.of("target", "fleetwatch.jar");

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private DemoPipeline pipeline;
  private final List<Process> children = new ArrayList<>();
  private Path stateDir;
  private final Map<String, Integer> metricsPorts = new LinkedHashMap<>();

  @BeforeAll
  void startPipelineAndComponents() throws Exception {
    assertTrue(Files.isRegularFile(JAR), JAR.toAbsolutePath() + " missing: run through `mvn verify` (package first)");
    DemoSettings settings = new DemoSettings("127.0.0.1", 0, 0, 0, null,
        Path.of("..", "examples", "demo-fleet", "assets.yaml"), Path.of("..", "policies"), false, 0, 3);
    pipeline = new DemoPipeline(settings, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
        .start();
    stateDir = Files.createTempDirectory("ops-it-streams");

    int gatewayPort = Ports.free();
    children.add(start("gateway", Map.of(
        "FLEETWATCH_MQTT_URI", pipeline.mqttUri(),
        "FLEETWATCH_MQTT_CLIENT_ID", "ops-it-gateway",
        "FLEETWATCH_MQTT_TOPIC_ROOT", "opsit",
        "FLEETWATCH_KAFKA_BOOTSTRAP_SERVERS", pipeline.bootstrapServers(),
        "FLEETWATCH_HTTP_HOST", Ports.LOOPBACK,
        "FLEETWATCH_HTTP_PORT", Integer.toString(gatewayPort))));
    metricsPorts.put(OpsFiles.GATEWAY_JOB, gatewayPort);

    int streamsPort = Ports.free();
    children.add(start("streams", Map.of(
        "FLEETWATCH_KAFKA_BOOTSTRAP_SERVERS", pipeline.bootstrapServers(),
        "FLEETWATCH_STREAMS_APPLICATION_ID", "ops-it-streams",
        "FLEETWATCH_STREAMS_STATE_DIR", stateDir.toString(),
        "FLEETWATCH_HTTP_HOST", Ports.LOOPBACK,
        "FLEETWATCH_HTTP_PORT", Integer.toString(streamsPort),
        "FLEETWATCH_POLICIES", Path.of("..", "policies").toAbsolutePath().normalize().toString())));
    metricsPorts.put(OpsFiles.STREAMS_JOB, streamsPort);

    for (int port : metricsPorts.values()) {
      awaitHealthy(port);
    }

    // One message through the standalone gateway, so its counters and Kafka timer have values.
    MosquittoPub.publish(pipeline.mqttUri(), "opsit/hq/ops-probe-01/telemetry",
        "{\"ts\":" + System.currentTimeMillis() + ",\"metrics\":{\"supply_temp_c\":8.0}}");
    // chiller-01 leaves its envelope (4..12 °C, 3 consecutive readings): an incident opens (detection-latency
    // histogram); a responder acknowledges it through the standalone streams API (time-to-acknowledge timer);
    // chiller-01 comes back and the incident resolves (resolved counter).
    long ts = System.currentTimeMillis() - 60_000;
    for (double value : new double[] {15.0, 15.0, 15.0}) {
      ts += 1000;
      publishSupplyTemp(ts, value);
    }
    acknowledgeOpenIncident(streamsPort, "chiller-01");
    for (double value : new double[] {8.0, 8.0, 8.0}) {
      ts += 1000;
      publishSupplyTemp(ts, value);
    }
  }

  private void publishSupplyTemp(long ts, double value) throws Exception {
    MosquittoPub.publish(pipeline.mqttUri(), "fleet/hq/chiller-01/telemetry",
        "{\"ts\":" + ts + ",\"metrics\":{\"supply_temp_c\":" + value + "}}");
  }

  /**
   * Acknowledges the device's open incident through the standalone streams API until that process has applied an
   * acknowledgement (its time-to-acknowledge timer is served). Both streams apps of this test write
   * {@code fleet.incidents}, so the API can list an incident before the standalone app opened it itself; a command
   * it cannot apply yet is rejected, and the acknowledgement is sent again.
   */
  private void acknowledgeOpenIncident(int port, String deviceId) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      HttpResponse<String> open = get(port, "/api/incidents?status=open");
      last = open.statusCode() + " " + open.body();
      if (open.statusCode() == 200) {
        for (JsonNode incident : new ObjectMapper().readTree(open.body())) {
          if (deviceId.equals(incident.path("deviceId").asText())) {
            HttpResponse<String> ack = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/api/incidents/" + incident.path("id").asText() + "/acknowledge"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"actor\":\"ops-it\",\"reason\":\"dashboards check\"}"))
                .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
            last = "acknowledge: " + ack.statusCode() + " " + ack.body();
            if (awaitServed(port, "fleetwatch_incident_acknowledge_time_seconds_count", Duration.ofSeconds(10))) {
              return;
            }
          }
        }
      }
      TimeUnit.MILLISECONDS.sleep(200); // poll interval; bounded by the deadline
    }
    throw new AssertionError("no acknowledgement of " + deviceId + " applied within " + DEADLINE + ": " + last);
  }

  private boolean awaitServed(int port, String series, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (seriesNames(scrape(port)).contains(series)) {
        return true;
      }
      TimeUnit.MILLISECONDS.sleep(250); // poll interval; bounded by the deadline
    }
    return false;
  }

  @AfterAll
  void stopEverything() throws Exception {
    for (Process p : children) {
      p.destroy(); // SIGTERM: the command's shutdown hook closes it cleanly
    }
    for (Process p : children) {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    if (pipeline != null) {
      pipeline.close();
    }
    if (stateDir != null) {
      try (Stream<Path> files = Files.walk(stateDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  @Test
  void everyMetricOfEveryDashboardPanelAndAlertRuleIsServedByTheComponentItsJobScrapes() throws Exception {
    // Given the metric names each job's selectors use: the job an alert selector names, or the jobs of the
    // components a dashboard's job variable lists (DashboardsTest checks both)
    Map<Set<String>, Map<String, List<String>>> required = new LinkedHashMap<>();
    for (OpsFiles.Query q : OpsFiles.queries()) {
      for (PromQlSelectors.Selector s : PromQlSelectors.of(q.expr())) {
        if (!SYNTHETIC.contains(s.metric())) {
          Set<String> jobs = s.equalTo("job") != null ? Set.of(s.equalTo("job")) : q.jobs();
          required.computeIfAbsent(jobs, j -> new TreeMap<>())
              .computeIfAbsent(s.metric(), m -> new ArrayList<>()).add(q.where());
        }
      }
    }
    Set<String> jobsUsed = new TreeSet<>();
    required.keySet().forEach(jobsUsed::addAll);
    assertEquals(Set.of(OpsFiles.GATEWAY_JOB, OpsFiles.STREAMS_JOB), jobsUsed);

    // When the components' /metrics are scraped until every name appears in one of its jobs (or the deadline passes)
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    Map<String, List<String>> missing;
    do {
      missing = new TreeMap<>();
      Map<String, Set<String>> served = new LinkedHashMap<>();
      for (String job : jobsUsed) {
        served.put(job, seriesNames(scrape(metricsPorts.get(job))));
      }
      for (var jobs : required.entrySet()) {
        for (var metric : jobs.getValue().entrySet()) {
          if (jobs.getKey().stream().noneMatch(job -> served.get(job).contains(metric.getKey()))) {
            missing.put(String.join("|", new TreeSet<>(jobs.getKey())) + " " + metric.getKey(), metric.getValue());
          }
        }
      }
      if (missing.isEmpty()) {
        break;
      }
      TimeUnit.SECONDS.sleep(2); // poll interval; bounded by the deadline
    } while (System.nanoTime() < deadline);

    // Then none is missing
    StringBuilder report = new StringBuilder();
    missing.forEach((metric, where) -> report.append("\n  ").append(metric).append(" used by ").append(where));
    assertTrue(missing.isEmpty(), "metrics used by dashboards/alerts but not served:" + report);
  }

  @Test
  void everyFleetwatchMetricServedIsDocumentedInTheMetricsTable() throws Exception {
    String doc = Files.readString(OpsFiles.METRICS_DOC);
    Set<String> undocumented = new TreeSet<>();
    for (int port : metricsPorts.values()) {
      Set<String> families = families(scrape(port));
      for (String family : families) {
        boolean maxOfTimer = family.endsWith("_max") && families.contains(family.substring(0, family.length() - 4));
        if (family.startsWith("fleetwatch_") && !maxOfTimer && !doc.contains("`" + family + "`")) {
          undocumented.add(family);
        }
      }
    }
    assertEquals(Set.of(), undocumented, "add these to the table of docs/metrics.md");
  }

  private Process start(String command, Map<String, String> env) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx384m", "-jar", JAR.toString(), command)
        .redirectErrorStream(true)
        .redirectOutput(Path.of("target", "ops-it-" + command + ".log").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("FLEETWATCH_"));
    pb.environment().putAll(env);
    return pb.start();
  }

  private void awaitHealthy(int port) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      for (Process p : children) {
        assertTrue(p.isAlive(), "a component exited with " + (p.isAlive() ? "" : p.exitValue())
            + "; see target/ops-it-*.log");
      }
      try {
        HttpResponse<String> r = get(port, "/health");
        if (r.statusCode() == 200) {
          return;
        }
        last = r.statusCode() + " " + r.body();
      } catch (IOException e) {
        last = e.toString();
      }
      TimeUnit.MILLISECONDS.sleep(200); // poll interval; bounded by the deadline
    }
    throw new AssertionError("127.0.0.1:" + port + "/health not 200 within " + DEADLINE + ": " + last);
  }

  private String scrape(int port) throws Exception {
    HttpResponse<String> r = get(port, "/metrics");
    assertEquals(200, r.statusCode(), "GET /metrics on " + port);
    return r.body();
  }

  private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Names of the series in a Prometheus text exposition ({@code _bucket}, {@code _count}, ... included). */
  static Set<String> seriesNames(String exposition) {
    Set<String> names = new TreeSet<>();
    for (String line : exposition.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        int end = 0;
        while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
          end++;
        }
        names.add(line.substring(0, end));
      }
    }
    return names;
  }

  /** Metric family names declared by {@code # TYPE} lines. */
  static Set<String> families(String exposition) {
    Set<String> names = new TreeSet<>();
    for (String line : exposition.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        names.add(line.split(" ")[2]);
      }
    }
    return names;
  }
}
