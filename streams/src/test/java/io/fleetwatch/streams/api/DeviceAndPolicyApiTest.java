package io.fleetwatch.streams.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetwatch.avro.CheckState;
import io.fleetwatch.avro.DeviceTwin;
import io.fleetwatch.avro.ReportedState;
import io.fleetwatch.streams.policy.PolicyLoader;
import io.fleetwatch.streams.policy.RuntimeCatalogue;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeviceAndPolicyApiTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper mapper = new ObjectMapper();
  private final RuntimeCatalogue catalogue = new RuntimeCatalogue(new PolicyLoader().load(Path.of("../policies")));
  private ApiServer server;

  @BeforeEach
  void start() throws Exception {
    IncidentQueries incidents = new NoIncidents() {};
    DeviceQueries devices = new DeviceQueries() {
      @Override
      public Optional<DeviceTwin> twin(String deviceId) {
        if (!deviceId.equals("chiller-01")) {
          return Optional.empty();
        }
        return Optional.of(DeviceTwin.newBuilder().setDeviceId("chiller-01").setSite("hq").setLastSeenAt(T0)
            .setLastReceivedAt(T0).setMetrics(Map.of("supply_temp_c", 15.0)).setMessages(3L)
            .setReported(ReportedState.newBuilder().setReportedAt(T0).setFirmware("2.3.9").setTls("1.0")
                .setOpenPorts(List.of(443)).build())
            .setLastEventType("auth_failure").setLastEventAt(T0).build());
      }

      @Override
      public List<ActiveCheck> activeChecks(String deviceId) {
        return List.of(new ActiveCheck("SAF-01", "chiller-supply-temp",
            CheckState.newBuilder().setActive(true).setLastEventTime(T0).build()));
      }
    };
    server = new StreamsApi(incidents).devices(devices).policies(() -> catalogue).server(
        new InetSocketAddress("127.0.0.1", 0), () -> KafkaStreams.State.RUNNING,
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void servesTheTwinWithReportedStateAndActiveViolations() throws Exception {
    JsonNode device = get("/api/devices/chiller-01", 200);
    assertEquals(15.0, device.path("metrics").path("supply_temp_c").asDouble());
    assertEquals("2.3.9", device.path("reported").path("firmware").asText());
    assertEquals(443, device.path("reported").path("openPorts").get(0).asInt());
    assertEquals("auth_failure", device.path("lastEvent").path("type").asText());
    JsonNode active = device.path("activeViolations").get(0);
    assertEquals("SAF-01", active.path("policyId").asText());
    assertEquals("high", active.path("severity").asText());
    assertEquals(1, active.path("policyVersion").asInt());
  }

  @Test
  void answers404ForAnUnknownDeviceAnd400ForAMalformedId() throws Exception {
    get("/api/devices/ghost", 404);
    get("/api/devices/bad%7Cid", 400);
  }

  @Test
  void servesTheCatalogueInForceWithVersionsAndRejections() throws Exception {
    catalogue.publish("SEC-03", "test", "not: [a policy");
    JsonNode body = get("/api/policies", 200);
    assertEquals(26, body.path("policies").size());
    JsonNode saf01 = body.path("policies").get(1);
    assertEquals("SAF-01", saf01.path("id").asText());
    assertEquals(1, saf01.path("version").asInt());
    assertEquals("file", saf01.path("origin").asText());
    assertEquals("envelope", saf01.path("checks").get(0).path("type").asText());
    assertTrue(saf01.path("references").size() > 0);
    assertEquals("SEC-03", body.path("rejected").get(0).path("id").asText());
    assertTrue(body.path("rejected").get(0).path("reason").asText().startsWith("test:"),
        body.path("rejected").toString());
  }

  private JsonNode get(String path, int status) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.port() + path)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(status, response.statusCode(), response.body());
    return mapper.readTree(response.body());
  }
}
