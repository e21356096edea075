package io.fleetwatch.streams.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentCommand;
import io.fleetwatch.avro.IncidentStatus;
import io.fleetwatch.avro.PolicyKind;
import io.fleetwatch.avro.Severity;
import io.fleetwatch.avro.Transition;
import io.fleetwatch.streams.incident.IncidentLifecycle;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The write endpoints of the API against an in-memory pipeline that applies commands with the real lifecycle. */
class IncidentCommandApiTest {
  private static final String TOKEN = "secret-token-0123456789";
  private static final String ID = "SAF-01.chiller-01.1000";

  private final Map<String, Incident> store = new ConcurrentHashMap<>();
  private final List<IncidentCommand> submitted = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper mapper = new ObjectMapper();
  private ApiServer server;

  /** Queries and sink in one, like the streams app's; "Kafka" applies each command at once. */
  private final class Pipeline implements IncidentQueries, IncidentCommandSink {
    @Override
    public List<Incident> all() {
      return new ArrayList<>(store.values());
    }

    @Override
    public Optional<Incident> byId(String id) {
      return Optional.ofNullable(store.get(id));
    }

    @Override
    public void submit(IncidentCommand command) {
      submitted.add(command);
      var result = new IncidentLifecycle().command(store.get(command.getIncidentId()), command);
      if (result.isApplied()) {
        store.put(command.getIncidentId(), result.incident());
      }
    }

    @Override
    public String requiredToken() {
      return TOKEN;
    }
  }

  @BeforeEach
  void start() throws Exception {
    Instant at = Instant.parse("2025-11-25T10:00:00Z");
    store.put(ID, Incident.newBuilder().setId(ID).setDedupKey("SAF-01|chiller-01").setStatus(IncidentStatus.OPEN)
        .setPolicyId("SAF-01").setTitle("Safe envelope breach").setKind(PolicyKind.SAFETY).setSeverity(Severity.HIGH)
        .setDeviceId("chiller-01").setSite("hq").setOpenedAt(at).setLastSeenAt(at).setDetectedAt(at)
        .setSummary("hot").setHistory(List.of(new Transition(IncidentStatus.OPEN, at, "raised", null))).build());
    Pipeline pipeline = new Pipeline();
    server = new StreamsApi(pipeline).commands(pipeline).server(new InetSocketAddress("127.0.0.1", 0),
        () -> KafkaStreams.State.RUNNING, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> post(String path, String body, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void acknowledgesWithTheTokenAndAnswersTheUpdatedIncident() throws Exception {
    HttpResponse<String> response = post("/api/incidents/" + ID + "/acknowledge",
        "{\"actor\":\"alice\",\"reason\":\"on it\"}", TOKEN);

    assertEquals(200, response.statusCode(), response.body());
    JsonNode body = mapper.readTree(response.body());
    assertEquals("acknowledged", body.get("status").asText());
    assertEquals("alice", body.get("acknowledgedBy").asText());
    assertEquals(1, submitted.size());
    assertEquals("on it", submitted.get(0).getReason());
  }

  @Test
  void refusesAMissingOrWrongTokenWithoutSubmitting() throws Exception {
    String body = "{\"actor\":\"alice\"}";
    assertEquals(401, post("/api/incidents/" + ID + "/acknowledge", body, null).statusCode());
    HttpResponse<String> wrong = post("/api/incidents/" + ID + "/acknowledge", body, "not-the-token");
    assertEquals(401, wrong.statusCode());
    assertTrue(wrong.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
    assertTrue(submitted.isEmpty());
  }

  @Test
  void answersUnknownIncidentIllegalTransitionAndBadBodiesWith4xxAndAMessage() throws Exception {
    assertEquals(404, post("/api/incidents/SAF-01.nope.1/resolve", "{\"actor\":\"a\"}", TOKEN).statusCode());
    assertEquals(400, post("/api/incidents/" + ID + "/assign", "{\"actor\":\"a\"}", TOKEN).statusCode(),
        "assign needs an assignee");
    assertEquals(400, post("/api/incidents/" + ID + "/verify", "{\"actor\":\"a\",\"verification\":\"maybe\"}",
        TOKEN).statusCode());
    assertEquals(400, post("/api/incidents/" + ID + "/acknowledge", "not json", TOKEN).statusCode());
    assertEquals(200, post("/api/incidents/" + ID + "/resolve", "{\"actor\":\"a\"}", TOKEN).statusCode());

    HttpResponse<String> again = post("/api/incidents/" + ID + "/acknowledge", "{\"actor\":\"a\"}", TOKEN);
    assertEquals(409, again.statusCode());
    assertEquals("cannot acknowledge an incident that is resolved",
        mapper.readTree(again.body()).get("error").asText());
    assertEquals(1, submitted.size(), "only the valid resolve was submitted");
  }

  @Test
  void verifiesAResolvedIncidentAndGetIsNotAllowedOnCommands() throws Exception {
    post("/api/incidents/" + ID + "/resolve", "{\"actor\":\"a\"}", TOKEN);
    HttpResponse<String> verified = post("/api/incidents/" + ID + "/verify",
        "{\"actor\":\"bob\",\"verification\":\"false_positive\",\"reason\":\"maintenance test\"}", TOKEN);
    assertEquals(200, verified.statusCode(), verified.body());
    assertEquals("false_positive", mapper.readTree(verified.body()).get("verification").asText());

    HttpResponse<String> get = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.port() + "/api/incidents/" + ID + "/verify")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(405, get.statusCode());
  }
}
