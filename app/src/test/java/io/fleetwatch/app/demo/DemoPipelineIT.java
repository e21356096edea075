package io.fleetwatch.app.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetwatch.app.harness.KafkaProbe;
import io.fleetwatch.app.harness.MosquittoPub;
import io.fleetwatch.avro.DeadLetter;
import io.fleetwatch.avro.DeadLetterReason;
import io.fleetwatch.avro.Telemetry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The walking skeleton end to end, as a user would drive it: the demo pipeline without the simulator (embedded
 * MQTT broker and KRaft Kafka, gateway, streams app, HTTP API), and Debian's {@code mosquitto_pub} as the device.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoPipelineIT {
  private static final String TOPIC = "fleet/hq/chiller-01/telemetry";
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private DemoPipeline pipeline;
  private long ts = System.currentTimeMillis() - 60_000;

  @BeforeAll
  void startPipeline() throws Exception {
    DemoSettings settings = new DemoSettings("127.0.0.1", 0, 0, 0, null,
        Path.of("..", "examples", "demo-fleet", "assets.yaml"), Path.of("..", "policies"), false, 20, 3);
    pipeline = new DemoPipeline(settings, new PrintStream(printed, true, StandardCharsets.UTF_8)).start();
  }

  @AfterAll
  void stopPipeline() {
    if (pipeline != null) {
      pipeline.close();
    }
  }

  @Test
  @Order(1)
  void threeReadingsAboveTheEnvelopeOpenAnIncidentVisibleInTheApi() throws Exception {
    // When chiller-01 reports 15.0 °C three times (envelope 4..12 for 3 consecutive readings)
    for (int i = 0; i < 3; i++) {
      publishSupplyTemp(15.0);
    }

    // Then an open SAF-01 incident for the device appears in the API
    JsonNode incident = awaitIncident("open", i -> i.path("deviceId").asText().equals("chiller-01"));
    assertEquals("open", incident.get("status").asText());
    assertEquals("hq", incident.get("site").asText());
    assertEquals("SAF-01", incident.get("policyId").asText());
    assertEquals("high", incident.get("severity").asText());
    assertTrue(incident.get("openedAt").asText().endsWith("Z"), incident.toString());
    assertTrue(incident.get("id").asText().startsWith("SAF-01.chiller-01."), incident.toString());
    // and GET /api/incidents/{id} returns the same incident
    JsonNode byId = get("/api/incidents/" + incident.get("id").asText());
    assertEquals(incident.get("id"), byId.get("id"));
    // and the demo printed a line for it
    awaitPrinted("OPENED");
  }

  @Test
  @Order(2)
  void threeReadingsBackInsideResolveIt() throws Exception {
    for (int i = 0; i < 3; i++) {
      publishSupplyTemp(8.0);
    }

    JsonNode resolved = awaitIncident("resolved", i -> i.path("deviceId").asText().equals("chiller-01"));
    assertTrue(resolved.hasNonNull("resolvedAt"), resolved.toString());
    assertEquals(0, get("/api/incidents?status=open").size());
    awaitPrinted("RESOLVED");
  }

  @Test
  @Order(3)
  void aPayloadThatIsNotJsonIsDeadLetteredAndThePipelineKeepsWorking() throws Exception {
    // When a device sends garbage
    MosquittoPub.publish(pipeline.mqttUri(), TOPIC, "this is not json");

    // Then it lands in the dead-letter topic with a machine-readable reason and the raw bytes
    KafkaProbe probe = new KafkaProbe(pipeline.bootstrapServers());
    ConsumerRecord<byte[], DeadLetter> dead = probe.waitForValue(pipeline.topics().deadLetter().name(),
        pipeline.topics().deadLetter().valueSerde().deserializer(),
        d -> d.getReason() == DeadLetterReason.MALFORMED_JSON, DEADLINE);
    assertEquals(TOPIC, dead.value().getMqttTopic());
    assertEquals("this is not json", StandardCharsets.UTF_8.decode(dead.value().getPayload()).toString());

    // And the next good readings still flow and open a new incident
    for (int i = 0; i < 3; i++) {
      publishSupplyTemp(16.0);
    }
    JsonNode reopened = awaitIncident("open", i -> i.path("deviceId").asText().equals("chiller-01"));
    JsonNode first = get("/api/incidents?status=resolved").get(0);
    assertNotEquals(first.get("id"), reopened.get("id"));
    probe.waitFor(pipeline.topics().telemetry().name(), pipeline.topics().telemetry().valueSerde().deserializer(),
        records -> records.stream().map(ConsumerRecord::value).filter(t -> t.getDeviceId().equals("chiller-01"))
            .map(Telemetry::getMetrics).filter(m -> Double.valueOf(16.0).equals(m.get("supply_temp_c"))).count() == 3,
        DEADLINE);
  }

  @Test
  @Order(4)
  void aKafkaRecordTheStreamsAppCannotDecodeIsDeadLetteredUnderExactlyOnce() throws Exception {
    // Given a producer that writes something other than Avro to the telemetry topic
    Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(pipeline.topics().telemetry().name(), "chiller-01",
          "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8))).get();
    }

    // Then the streams app dead-letters it with its source position (committed with the next transaction)
    KafkaProbe probe = new KafkaProbe(pipeline.bootstrapServers());
    ConsumerRecord<byte[], DeadLetter> dead = probe.waitForValue(pipeline.topics().deadLetter().name(),
        pipeline.topics().deadLetter().valueSerde().deserializer(),
        d -> d.getReason() == DeadLetterReason.UNDECODABLE_RECORD, DEADLINE);
    assertEquals("streams", dead.value().getComponent());
    assertEquals(pipeline.topics().telemetry().name(), dead.value().getSource().getTopic());

    // And the stream thread is still running: readings back inside resolve the open incident
    for (int i = 0; i < 3; i++) {
      publishSupplyTemp(8.0);
    }
    awaitNoOpenIncident();
    assertEquals(200, raw("/health").statusCode());
  }

  @Test
  @Order(5)
  void servesHealthAndPrometheusMetrics() throws Exception {
    HttpResponse<String> health = raw("/health");
    assertEquals(200, health.statusCode(), health.body());

    HttpResponse<String> metrics = raw("/metrics");
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.body().contains("fleetwatch_gateway_messages_received_total"), "gateway metrics missing");
    assertTrue(metrics.body().contains("fleetwatch_incidents_opened_total"), "incident metrics missing");
  }

  private void publishSupplyTemp(double value) throws Exception {
    ts += 1000;
    MosquittoPub.publish(pipeline.mqttUri(), TOPIC,
        "{\"ts\":" + ts + ",\"metrics\":{\"supply_temp_c\":" + value + "}}");
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

  private void awaitNoOpenIncident() throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    JsonNode open = null;
    while (System.nanoTime() < deadline) {
      open = get("/api/incidents?status=open");
      if (open.isEmpty()) {
        return;
      }
      pause();
    }
    throw new AssertionError("incidents still open after " + DEADLINE + ": " + open);
  }

  private void awaitPrinted(String word) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (System.nanoTime() < deadline) {
      if (printed.toString(StandardCharsets.UTF_8).contains(word)) {
        return;
      }
      pause();
    }
    throw new AssertionError("the demo printed no " + word + " line: " + printed.toString(StandardCharsets.UTF_8));
  }

  /** Poll interval of the waits above; each wait is bounded by its deadline. */
  private static void pause() {
    try {
      java.util.concurrent.TimeUnit.MILLISECONDS.sleep(100);
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
}
