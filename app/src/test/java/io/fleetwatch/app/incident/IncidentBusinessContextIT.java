package io.fleetwatch.app.incident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetwatch.app.cli.FleetwatchCommand;
import io.fleetwatch.app.demo.DemoPipeline;
import io.fleetwatch.app.demo.DemoSettings;
import io.fleetwatch.app.harness.KafkaProbe;
import io.fleetwatch.app.harness.MosquittoPub;
import io.fleetwatch.avro.IncidentStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo fleet end to end (embedded MQTT and Kafka, gateway, streams app, HTTP API; no simulator; Debian's
 * {@code mosquitto_pub} as the device): chiller-01 at hq, serving datacenter cooling (RTO 30 min), overheats. The
 * incident names the service, its RTO and cost per hour, the IoT-SSF category and severity factors, the
 * stakeholders with contacts and P1..P4 actions; a responder acknowledges it over HTTP (token required); it
 * resolves by itself after recovery and a short quiet period; {@code fleetwatch incidents tail} prints it; and an
 * independent Avro implementation (npm {@code avsc}) reads {@code fleet.incidents} with the shipped .avsc files.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IncidentBusinessContextIT {
  private static final String TOPIC = "fleet/hq/chiller-01/telemetry";
  private static final String TOKEN = "it-token-0123456789abcdef";
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private DemoPipeline pipeline;
  private long ts = System.currentTimeMillis() - 60_000;
  private String incidentId;

  @BeforeAll
  void startPipeline() throws Exception {
    DemoSettings settings = new DemoSettings("127.0.0.1", 0, 0, 0, null,
        Path.of("..", "examples", "demo-fleet", "assets.yaml"), Path.of("..", "policies"), false, 20, 3,
        Duration.ofSeconds(3), Duration.ZERO, TOKEN);
    pipeline = new DemoPipeline(settings, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
        .start();
  }

  @AfterAll
  void stopPipeline() {
    if (pipeline != null) {
      pipeline.close();
    }
  }

  @Test
  @Order(1)
  void anOverheatingChillerOpensAnIncidentWithItsBusinessContext() throws Exception {
    // When chiller-01 reports 15.0 °C three times (SAF-01 envelope 4..12)
    for (int i = 0; i < 3; i++) {
      publishSupplyTemp(15.0);
    }

    // Then the open SAF-01 incident carries the business context
    JsonNode incident = awaitIncident("open", i -> i.path("deviceId").asText().equals("chiller-01")
        && i.path("impact").isObject());
    incidentId = incident.get("id").asText();
    JsonNode impact = incident.get("impact");
    JsonNode cooling = find(impact.get("services"), s -> s.get("serviceId").asText().equals("datacenter-cooling"));
    assertEquals(1800, cooling.get("rtoSeconds").asLong(), cooling.toString());
    assertEquals(2_400_000.0, cooling.get("costPerHour").asDouble());
    assertEquals(1800, impact.get("rtoSeconds").asLong(), "the tightest RTO of the hurt services");
    assertEquals(2_550_000.0, impact.get("costPerHour").asDouble());
    assertEquals("JPY", impact.get("currency").asText());
    assertTrue(impact.get("secondsUntilRtoBreach").asLong() < 1800, impact.toString());
    assertEquals("III", incident.get("ssf").get("category").asText());
    assertEquals("high", incident.get("severity").asText());
    assertEquals("policy-default", incident.get("severityFactors").get(0).get("factor").asText());
    assertEquals("category", incident.get("severityFactors").get(1).get("factor").asText());
    JsonNode owner = find(incident.get("stakeholders"), s -> s.get("role").asText().equals("owner"));
    assertEquals("facilities@hq.example", owner.get("email").asText());
    assertTrue(owner.get("routed").asBoolean());
    JsonNode contractor = find(incident.get("stakeholders"),
        s -> s.get("role").asText().equals("maintenance-contractor"));
    assertEquals("+81-3-0000-0099", contractor.get("phone").asText());
    List<String> perspectives = new ArrayList<>();
    incident.get("actions").forEach(a -> perspectives.add(a.get("perspective").asText()));
    assertEquals(List.of("P1", "P2", "P3", "P4"), perspectives.stream().distinct().sorted().toList(),
        incident.get("actions").toString());
  }

  @Test
  @Order(2)
  void acknowledgingOverHttpNeedsTheTokenAndShowsInTheNextRead() throws Exception {
    String path = "/api/incidents/" + incidentId + "/acknowledge";
    String body = "{\"actor\":\"alice\",\"reason\":\"on my way\"}";

    // Without the token: 401
    assertEquals(401, post(path, body, null).statusCode());
    // With it: applied
    HttpResponse<String> acked = post(path, body, TOKEN);
    assertEquals(200, acked.statusCode(), acked.body());
    assertEquals("acknowledged", json.readTree(acked.body()).get("status").asText());

    // Then the next read shows it
    JsonNode read = get("/api/incidents/" + incidentId);
    assertEquals("acknowledged", read.get("status").asText());
    assertEquals("alice", read.get("acknowledgedBy").asText());

    // And an illegal transition or an unknown incident is refused with a message
    HttpResponse<String> again = post(path, body, TOKEN);
    assertEquals(409, again.statusCode());
    assertTrue(json.readTree(again.body()).get("error").asText().contains("acknowledged"), again.body());
    assertEquals(404, post("/api/incidents/SAF-01.nowhere.1/acknowledge", body, TOKEN).statusCode());
    assertEquals(400, post(path, "{\"who\":\"alice\"}", TOKEN).statusCode());
  }

  @Test
  @Order(3)
  void itResolvesByItselfAfterRecoveryAndTheQuietPeriod() throws Exception {
    for (int i = 0; i < 3; i++) {
      publishSupplyTemp(8.0);
    }
    JsonNode resolved = awaitIncident("resolved", i -> i.get("id").asText().equals(incidentId));
    assertTrue(resolved.hasNonNull("resolvedAt"), resolved.toString());
    assertEquals("alice", resolved.get("acknowledgedBy").asText());
    assertEquals(0, resolved.get("escalationLevel").asInt());
  }

  @Test
  @Order(4)
  void incidentsTailPrintsTheIncidentAsItChanged() {
    StringWriter out = new StringWriter();
    var cl = FleetwatchCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(new StringWriter(), true));
    int code = cl.execute("incidents", "tail", "--bootstrap-servers", pipeline.bootstrapServers(),
        "--from-beginning", "--details", "--max", "3");
    assertEquals(0, code);
    String printed = out.toString();
    assertTrue(printed.contains(incidentId), printed);
    assertTrue(printed.contains("Server room cooling (HQ)"), printed);
    assertTrue(printed.contains("facilities@hq.example"), printed);
  }

  @Test
  @Order(5)
  void anIndependentAvroImplementationReadsTheIncidentsWithTheShippedSchemas(@TempDir Path dir) throws Exception {
    // Given the raw values of fleet.incidents
    List<ConsumerRecord<byte[], byte[]>> records = new KafkaProbe(pipeline.bootstrapServers()).waitFor(
        pipeline.topics().incidents().name(), new ByteArrayDeserializer(),
        all -> all.stream().map(r -> pipeline.topics().incidents().valueSerde().deserializer()
            .deserialize(r.topic(), r.value()))
            .anyMatch(i -> i.getId().equals(incidentId) && i.getStatus() == IncidentStatus.RESOLVED), DEADLINE);
    StringBuilder hex = new StringBuilder();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      hex.append(HexFormat.of().formatHex(r.value())).append('\n');
    }
    Files.writeString(dir.resolve("records.hex"), hex);
    for (String file : List.of("package.json", "package-lock.json", "read-incidents.js")) {
      Files.copy(Path.of("src", "test", "node", file), dir.resolve(file));
    }

    // When node with npm avsc decodes them from the .avsc files alone (fingerprint checked)
    run(dir, "npm", "ci", "--no-audit", "--no-fund");
    String decoded = run(dir, "node", "read-incidents.js",
        Path.of("..", "schemas", "src", "main", "avro").toAbsolutePath().toString(), "records.hex");

    // Then every record decodes, and the last state of the incident is the one the API served
    List<JsonNode> values = new ArrayList<>();
    for (String line : decoded.split("\n")) {
      if (!line.isBlank()) {
        values.add(json.readTree(line));
      }
    }
    assertEquals(records.size(), values.size());
    JsonNode last = values.stream().filter(v -> v.get("id").asText().equals(incidentId))
        .reduce((a, b) -> b).orElseThrow();
    assertEquals("RESOLVED", last.get("status").asText());
    assertEquals("III", last.get("ssf").get("category").asText());
    assertEquals("alice", last.get("acknowledgedBy").asText());
    assertTrue(last.get("impact").get("services").toString().contains("datacenter-cooling"));
  }

  private static String run(Path dir, String... command) throws Exception {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(false).start();
    byte[] stdout = p.getInputStream().readAllBytes();
    byte[] stderr = p.getErrorStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish within 120 s");
    }
    String out = new String(stdout, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out + new String(stderr, StandardCharsets.UTF_8));
    return out;
  }

  private static JsonNode find(JsonNode array, Predicate<JsonNode> match) {
    for (JsonNode n : array) {
      if (match.test(n)) {
        return n;
      }
    }
    throw new AssertionError("nothing matched in " + array);
  }

  private void publishSupplyTemp(double value) throws Exception {
    ts += 1000;
    MosquittoPub.publish(pipeline.mqttUri(), TOPIC, "{\"ts\":" + ts + ",\"metrics\":{\"supply_temp_c\":" + value + "}}");
  }

  private JsonNode awaitIncident(String status, Predicate<JsonNode> match) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response = raw("/api/incidents?status=" + status);
      if (response.statusCode() == 200) {
        last = json.readTree(response.body());
        for (JsonNode incident : last) {
          if (match.test(incident)) {
            return incident;
          }
        }
      }
      pause();
    }
    throw new AssertionError("no " + status + " incident matched within " + DEADLINE + "; last answer: " + last);
  }

  /** Poll interval of the waits above; each wait is bounded by its deadline. */
  private static void pause() {
    try {
      TimeUnit.MILLISECONDS.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> response = raw(path);
    assertEquals(200, response.statusCode(), path + ": " + response.body());
    return json.readTree(response.body());
  }

  private HttpResponse<String> raw(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pipeline.httpPort() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String body, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pipeline.httpPort() + path))
        .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
