package io.fleetwatch.app.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetwatch.app.cli.FleetwatchCommand;
import io.fleetwatch.app.demo.DemoPipeline;
import io.fleetwatch.app.demo.DemoSettings;
import io.fleetwatch.app.harness.KafkaProbe;
import io.fleetwatch.app.harness.MosquittoPub;
import io.fleetwatch.avro.Violation;
import io.fleetwatch.avro.ViolationStatus;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
 * Policies changed at run time, end to end: the demo pipeline (embedded MQTT and Kafka, gateway, streams app, API;
 * no simulator), {@code mosquitto_pub} as the device, and {@code fleetwatch policies validate|apply} through the
 * CLI's own code path while everything keeps running.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PolicyHotReloadIT {
  private static final String TOPIC = "fleet/hq/chiller-01/telemetry";
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private DemoPipeline pipeline;
  private long ts = System.currentTimeMillis() - 60_000;
  private int published;

  @TempDir
  Path dir;

  @BeforeAll
  void startPipeline() throws Exception {
    DemoSettings settings = new DemoSettings("127.0.0.1", 0, 0, 0, null,
        Path.of("..", "examples", "demo-fleet", "assets.yaml"), Path.of("..", "policies"), false, 20, 3);
    pipeline = new DemoPipeline(settings, new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8)).start();
  }

  @AfterAll
  void stopPipeline() {
    if (pipeline != null) {
      pipeline.close();
    }
  }

  @Test
  @Order(1)
  void aLowerThresholdAppliedWithTheCliFiresWithoutRestart() throws Exception {
    // Given 11 °C is inside the shipped chiller envelope (4..12): three readings open nothing
    for (int i = 0; i < 3; i++) {
      publishSupplyTemp(11.0);
    }
    JsonNode twin = awaitJson("/api/devices/chiller-01", d -> d.path("messages").asInt() == published);
    assertEquals(11.0, twin.path("metrics").path("supply_temp_c").asDouble());
    assertEquals(0, twin.path("activeViolations").size(), twin.toString());

    // When SAF-01 version 2 with max 10 is applied with `fleetwatch policies apply` while the app runs
    String saf01 = Files.readString(Path.of("..", "policies", "saf-01-safe-envelope.yaml"));
    Path changed = dir.resolve("saf-01.yaml");
    Files.writeString(changed, saf01.replace("version: 1", "version: 2").replace("max: 12", "max: 10"));
    Cli apply = cli("policies", "apply", changed.toString(), "--bootstrap-servers", pipeline.bootstrapServers());
    assertEquals(0, apply.exit, apply.err);
    assertTrue(apply.out.contains("applied SAF-01 version 2"), apply.out);
    // and the streams app reports it in force
    awaitJson("/api/policies", p -> version(p, "SAF-01") == 2);

    // Then the same readings now open an incident, raised by version 2
    for (int i = 0; i < 3; i++) {
      publishSupplyTemp(11.0);
    }
    JsonNode device = awaitJson("/api/devices/chiller-01", d -> d.path("activeViolations").size() > 0);
    assertEquals("SAF-01", device.path("activeViolations").get(0).path("policyId").asText());
    assertEquals(2, device.path("activeViolations").get(0).path("policyVersion").asInt());
    awaitJson("/api/incidents?status=open", l -> l.size() == 1 && l.get(0).path("policyId").asText().equals("SAF-01"));
    // and the first SAF-01 violation of chiller-01 ever raised came from version 2: version 1 never fired on 11 °C
    KafkaProbe probe = new KafkaProbe(pipeline.bootstrapServers());
    List<ConsumerRecord<byte[], Violation>> violations = probe.waitFor(pipeline.topics().violations().name(),
        pipeline.topics().violations().valueSerde().deserializer(),
        records -> records.stream().anyMatch(r -> r.value().getPolicyId().equals("SAF-01")), DEADLINE);
    Violation first = violations.stream().map(ConsumerRecord::value)
        .filter(v -> v.getPolicyId().equals("SAF-01") && v.getStatus() == ViolationStatus.RAISED)
        .findFirst().orElseThrow();
    assertEquals(2, first.getPolicyVersion());
    assertEquals(11.0, first.getObserved());
  }

  @Test
  @Order(2)
  void anInvalidPolicyFileIsRefusedWithFileLineFieldAndReasonAndNothingIsPublished() throws Exception {
    // Given a policy file with a word where the maximum belongs (line 32 of the shipped SAF-01)
    String saf01 = Files.readString(Path.of("..", "policies", "saf-01-safe-envelope.yaml"));
    Path bad = dir.resolve("bad-saf-01.yaml");
    Files.writeString(bad, saf01.replace("version: 1", "version: 3").replace("max: 12", "max: twelve"));

    // When it is validated, then applied
    Cli validate = cli("policies", "validate", bad.toString());
    Cli apply = cli("policies", "apply", bad.toString(), "--bootstrap-servers", pipeline.bootstrapServers());

    // Then both exit 1 naming file, line, field and why
    String expected = "bad-saf-01.yaml:" + lineOf(saf01, "max: 12") + ": checks[0].rule.max: expected a number, "
        + "got 'twelve'";
    assertEquals(1, validate.exit);
    assertEquals(expected, validate.err.strip());
    assertEquals(1, apply.exit);
    assertEquals(expected, apply.err.strip());
    // and the streams app still runs version 2
    assertEquals(2, version(awaitJson("/api/policies", p -> true), "SAF-01"));
    // and a valid directory validates with exit 0
    Cli valid = cli("policies", "validate", Path.of("..", "policies").toString());
    assertEquals(0, valid.exit, valid.err);
    assertTrue(valid.out.contains("26 policies, valid"), valid.out);
  }

  private static int lineOf(String text, String needle) {
    String[] lines = text.split("\n");
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].contains(needle)) {
        return i + 1;
      }
    }
    throw new AssertionError(needle + " not found");
  }

  private static int version(JsonNode policies, String id) {
    for (JsonNode p : policies.path("policies")) {
      if (p.path("id").asText().equals(id)) {
        return p.path("version").asInt();
      }
    }
    return -1;
  }

  private record Cli(int exit, String out, String err) {}

  private static Cli cli(String... args) {
    CommandLine cl = FleetwatchCommand.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Cli(exit, out.toString(), err.toString());
  }

  private void publishSupplyTemp(double value) throws Exception {
    ts += 1000;
    published++;
    MosquittoPub.publish(pipeline.mqttUri(), TOPIC,
        "{\"ts\":" + ts + ",\"metrics\":{\"supply_temp_c\":" + value + "}}");
  }

  private JsonNode awaitJson(String path, Predicate<JsonNode> match) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    String last = null;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + pipeline.httpPort() + path)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      last = response.statusCode() + " " + response.body();
      if (response.statusCode() == 200) {
        JsonNode body = json.readTree(response.body());
        if (match.test(body)) {
          return body;
        }
      }
      TimeUnit.MILLISECONDS.sleep(100); // poll interval; the wait is bounded by the deadline
    }
    throw new AssertionError(path + " did not match within " + DEADLINE + "; last answer: " + last);
  }
}
