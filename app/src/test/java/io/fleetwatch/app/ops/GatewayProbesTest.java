package io.fleetwatch.app.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetwatch.embedded.InstrumentedGateway;
import io.fleetwatch.gateway.GatewayConfig;
import io.fleetwatch.streams.api.ApiServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The gateway's probes as {@code fleetwatch gateway} serves them (health and metrics routes only): live vs ready from its lifecycle. */
class GatewayProbesTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void gatewayProbesGoFromLiveNotReadyWhileItCannotConnectToDownOnceClosed() throws Exception {
    // Given a gateway whose broker and Kafka do not listen, behind the ops server
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    GatewayConfig config = GatewayConfig.builder().mqttServerUri("tcp://127.0.0.1:1").mqttClientId("gw-probes")
        .kafkaBootstrapServers("127.0.0.1:1").build();
    InstrumentedGateway instrumented = InstrumentedGateway.create(config, metrics);
    try (ApiServer ops = ApiServer.builder(new InetSocketAddress("127.0.0.1", 0), metrics).build()) {
      ops.health().add("gateway", instrumented::health);
      ops.start();
      assertProbes(ops, 200, 503, "NOT_READY", "NOT_STARTED");

      // When it starts and keeps trying to connect: live, not ready
      instrumented.gateway().start();
      assertProbes(ops, 200, 503, "NOT_READY", "MQTT_DISCONNECTED");

      // When it is closed: neither
      instrumented.gateway().close();
      assertProbes(ops, 503, 503, "DOWN", "CLOSED");
      assertFalse(InstrumentedGateway.health(instrumented.gateway()).live());
    } finally {
      instrumented.close();
    }
  }

  private void assertProbes(ApiServer ops, int live, int ready, String status, String gateway) throws Exception {
    assertEquals(live, get(ops, "/health/live").statusCode(), "/health/live with the gateway " + gateway);
    assertEquals(ready, get(ops, "/health/ready").statusCode(), "/health/ready with the gateway " + gateway);
    HttpResponse<String> health = get(ops, "/health");
    assertEquals(ready, health.statusCode());
    JsonNode body = json.readTree(health.body());
    assertEquals(status, body.get("status").asText(), body.toString());
    assertEquals(gateway, body.get("gateway").asText(), body.toString());
  }

  private HttpResponse<String> get(ApiServer ops, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ops.port() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
