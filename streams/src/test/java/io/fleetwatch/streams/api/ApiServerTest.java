package io.fleetwatch.streams.api;

import static org.junit.jupiter.api.Assertions.assertFalse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetwatch.avro.FrameworkRef;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentStatus;
import io.fleetwatch.avro.PolicyKind;
import io.fleetwatch.avro.Severity;
import io.fleetwatch.avro.Transition;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ApiServerTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");

  private final Map<String, Incident> store = new LinkedHashMap<>();
  private final AtomicBoolean storeReady = new AtomicBoolean(true);
  private final AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.RUNNING);
  private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper mapper = new ObjectMapper();
  private ApiServer server;

  /** The in-memory stand-in for the global store, failing like an interactive query while not ready. */
  private final IncidentQueries queries = new IncidentQueries() {
    @Override
    public List<Incident> all() {
      requireReady();
      return new ArrayList<>(store.values());
    }

    @Override
    public Optional<Incident> byId(String id) {
      requireReady();
      return Optional.ofNullable(store.get(id));
    }

    private void requireReady() {
      if (!storeReady.get()) {
        throw new InvalidStateStoreException("store incidents is not ready");
      }
    }
  };

  @BeforeEach
  void start() throws Exception {
    put(incident("SAF-01.chiller-01.1000", "hq", IncidentStatus.OPEN, Severity.HIGH, T0));
    put(incident("SAF-01.chiller-02.2000", "hq", IncidentStatus.RESOLVED, Severity.HIGH, T0.plusSeconds(60)));
    put(incident("SAF-01.boiler-07.3000", "plant-2", IncidentStatus.OPEN, Severity.CRITICAL, T0.plusSeconds(120)));
    server = new StreamsApi(queries).server(new InetSocketAddress("127.0.0.1", 0), state::get, prometheus);
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void listsIncidentsNewestFirstWithLowerCaseEnumsAndIsoTimes() throws Exception {
    HttpResponse<String> response = get("/api/incidents");
    assertEquals(200, response.statusCode());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    JsonNode body = mapper.readTree(response.body());
    assertEquals(List.of("SAF-01.boiler-07.3000", "SAF-01.chiller-02.2000", "SAF-01.chiller-01.1000"), ids(body));
    JsonNode first = body.get(2);
    assertEquals("open", first.get("status").asText());
    assertEquals("high", first.get("severity").asText());
    assertEquals("safety", first.get("kind").asText());
    assertEquals("2025-11-25T10:00:00Z", first.get("openedAt").asText());
    assertEquals("2025-11-25T10:00:00.040Z", first.get("openedReceivedAt").asText());
    assertTrue(first.get("resolvedAt").isNull());
    assertEquals("chiller-supply-temp", first.get("activeChecks").get(0).asText());
    assertEquals("iso-27400", first.get("references").get(0).get("framework").asText());
    assertEquals("open", first.get("history").get(0).get("status").asText());
    for (String field : List.of("id", "deviceId", "site", "policyId", "title", "lastSeenAt", "detectedAt", "summary")) {
      assertTrue(first.hasNonNull(field), field);
    }
  }

  @Test
  void filtersByStatusSiteAndSeverity() throws Exception {
    assertEquals(List.of("SAF-01.boiler-07.3000", "SAF-01.chiller-01.1000"),
        ids(mapper.readTree(get("/api/incidents?status=open").body())));
    assertEquals(List.of("SAF-01.chiller-02.2000"),
        ids(mapper.readTree(get("/api/incidents?status=resolved&site=hq").body())));
    assertEquals(List.of("SAF-01.boiler-07.3000"),
        ids(mapper.readTree(get("/api/incidents?severity=critical").body())));
    assertEquals(List.of(), ids(mapper.readTree(get("/api/incidents?status=acknowledged").body())));
  }

  @Test
  void rejectsBadQueryParametersWith400AndAMessage() throws Exception {
    for (String query : List.of("status=closed", "severity=urgent", "site=h%20q", "colour=red")) {
      HttpResponse<String> response = get("/api/incidents?" + query);
      assertEquals(400, response.statusCode(), query);
      assertTrue(mapper.readTree(response.body()).get("error").asText().length() > 10, query);
    }
    assertTrue(mapper.readTree(get("/api/incidents?status=closed").body()).get("error").asText()
        .contains("status must be one of [acknowledged, open, resolved]"));
  }

  @Test
  void returnsOneIncidentOr404() throws Exception {
    HttpResponse<String> found = get("/api/incidents/SAF-01.chiller-01.1000");
    assertEquals(200, found.statusCode());
    assertEquals("chiller-01", mapper.readTree(found.body()).get("deviceId").asText());

    HttpResponse<String> missing = get("/api/incidents/SAF-01.nothing.1");
    assertEquals(404, missing.statusCode());
    assertTrue(mapper.readTree(missing.body()).get("error").asText().contains("SAF-01.nothing.1"));
  }

  @Test
  void answersUnknownPathsWith404AndOtherMethodsWith405() throws Exception {
    assertEquals(404, get("/api/nothing").statusCode());
    assertEquals(404, get("/api/incidents/a/b").statusCode());
    HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri("/api/incidents"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, post.statusCode());
  }

  @Test
  void answers503WhileTheStoreIsNotQueryable() throws Exception {
    storeReady.set(false);
    state.set(KafkaStreams.State.REBALANCING);
    HttpResponse<String> response = get("/api/incidents");
    assertEquals(503, response.statusCode());
    assertTrue(mapper.readTree(response.body()).get("error").asText().contains("not ready"));
  }

  @Test
  void healthFollowsTheStreamsStateFromStartToError() throws Exception {
    // Given a client not started yet: live, not ready
    state.set(KafkaStreams.State.CREATED);
    assertProbes(200, 503, "NOT_READY", "CREATED");
    // When it assigns partitions: still not ready
    state.set(KafkaStreams.State.REBALANCING);
    assertProbes(200, 503, "NOT_READY", "REBALANCING");
    // When it runs: ready
    state.set(KafkaStreams.State.RUNNING);
    assertProbes(200, 200, "UP", "RUNNING");
    // When it fails: neither
    state.set(KafkaStreams.State.ERROR);
    assertProbes(503, 503, "DOWN", "ERROR");
  }

  @Test
  void anAddedCheckHoldsReadinessBackWhileStreamsRuns() throws Exception {
    AtomicBoolean gatewayReady = new AtomicBoolean(false);
    server.health().add("gateway", () -> gatewayReady.get() ? Health.State.ready("READY")
        : Health.State.notReady("MQTT_NOT_SUBSCRIBED"));
    HttpResponse<String> waiting = get("/health/ready");
    assertEquals(503, waiting.statusCode());
    assertEquals("MQTT_NOT_SUBSCRIBED", mapper.readTree(waiting.body()).get("gateway").asText());
    assertEquals(200, get("/health/live").statusCode());

    gatewayReady.set(true);
    HttpResponse<String> ready = get("/health/ready");
    assertEquals(200, ready.statusCode());
    assertEquals("READY", mapper.readTree(ready.body()).get("gateway").asText());
    assertEquals("RUNNING", mapper.readTree(ready.body()).get("streams").asText());
  }

  private void assertProbes(int live, int ready, String status, String streams) throws Exception {
    assertEquals(live, get("/health/live").statusCode(), "/health/live in " + streams);
    HttpResponse<String> readiness = get("/health/ready");
    assertEquals(ready, readiness.statusCode(), "/health/ready in " + streams);
    HttpResponse<String> health = get("/health");
    assertEquals(ready, health.statusCode(), "/health answers as /health/ready in " + streams);
    JsonNode body = mapper.readTree(health.body());
    assertEquals(status, body.get("status").asText());
    assertEquals(streams, body.get("streams").asText());
    assertEquals(live == 200, body.get("live").asBoolean());
    assertEquals(ready == 200, body.get("ready").asBoolean());
    assertEquals(body, mapper.readTree(readiness.body()));
  }

  @Test
  void servesPrometheusMetrics() throws Exception {
    Counter.builder("fleetwatch.streams.observations").register(prometheus).increment(3);
    HttpResponse<String> response = get("/metrics");
    assertEquals(200, response.statusCode());
    assertTrue(response.body().contains("fleetwatch_streams_observations_total 3.0"), response.body());
  }

  private void put(Incident incident) {
    store.put(incident.getId(), incident);
  }

  private static Incident incident(String id, String site, IncidentStatus status, Severity severity, Instant at) {
    String[] parts = id.split("\\.");
    List<Transition> history = new ArrayList<>(List.of(new Transition(IncidentStatus.OPEN, at, "raised", null)));
    if (status == IncidentStatus.RESOLVED) {
      history.add(new Transition(IncidentStatus.RESOLVED, at.plusSeconds(30), "cleared", null));
    }
    return Incident.newBuilder()
        .setId(id).setDedupKey(parts[0] + "|" + parts[1]).setStatus(status).setPolicyId(parts[0])
        .setTitle("Safe envelope breach").setKind(PolicyKind.SAFETY).setSeverity(severity)
        .setDeviceId(parts[1]).setSite(site).setAssetClass("chiller")
        .setOpenedAt(at).setLastSeenAt(at).setResolvedAt(status == IncidentStatus.RESOLVED ? at.plusSeconds(30) : null)
        .setDetectedAt(at.plusMillis(120))
        .setOpenedReceivedAt(at.plusMillis(40))
        .setActiveChecks(status == IncidentStatus.RESOLVED ? List.of() : List.of("chiller-supply-temp"))
        .setSummary("supply_temp_c 15.0 outside [4.0, 12.0] for 3 consecutive readings")
        .setReferences(List.of(new FrameworkRef("iso-27400", "safety")))
        .setEvidence(List.of()).setHistory(history).build();
  }

  private static List<String> ids(JsonNode array) {
    List<String> ids = new ArrayList<>();
    array.forEach(n -> ids.add(n.get("id").asText()));
    return ids;
  }

  @Test
  void aReadTokenProtectsEveryApiReadButNotHealthOrMetrics() throws Exception {
    server.close();
    String token = "reader-token-0123456789";
    server = new StreamsApi(queries).readToken(token)
        .server(new InetSocketAddress("127.0.0.1", 0), state::get, prometheus);
    server.start();

    HttpResponse<String> anonymous = get("/api/incidents");
    assertEquals(401, anonymous.statusCode());
    assertEquals("missing or wrong bearer token", new ObjectMapper().readTree(anonymous.body()).get("error").asText());
    assertFalse(anonymous.body().contains("SAF-01"), "nothing of the data leaks: " + anonymous.body());
    assertEquals(401, send("/api/incidents/SAF-01.chiller-01.1000", "Bearer wrong-token-0123456789").statusCode());

    HttpResponse<String> authorized = send("/api/incidents", "Bearer " + token);
    assertEquals(200, authorized.statusCode());
    assertTrue(authorized.body().contains("SAF-01.chiller-01.1000"));
    assertEquals(200, get("/health").statusCode());
    assertEquals(200, get("/metrics").statusCode());
  }

  private HttpResponse<String> send(String path, String authorization) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).header("Authorization", authorization).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }
}
