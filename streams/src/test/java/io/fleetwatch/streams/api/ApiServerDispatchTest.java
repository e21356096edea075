package io.fleetwatch.streams.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetwatch.streams.api.RouteTable.Access;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one dispatch of {@link ApiServer}: route table, then tokens, then the handler, with JSON errors. */
class ApiServerDispatchTest {
  private static final String READ = "reader-token-0123456789";
  private static final String WRITE = "writer-token-0123456789";

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper mapper = new ObjectMapper();
  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private ApiServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private void start(ApiServer.Builder builder) throws Exception {
    server = builder.build();
    server.start();
  }

  private ApiServer.Builder withThings() {
    ApiServer.Builder builder = ApiServer.builder(new InetSocketAddress("127.0.0.1", 0), metrics);
    builder.routes()
        .get("/api/things/{id}", Access.READ, r -> r.sendJson(200, mapper.createObjectNode().put("id",
            r.parameter("id"))))
        .post("/api/things/{id}/touch", Access.WRITE, r -> r.sendJson(200, mapper.createObjectNode()
            .put("touched", r.parameter("id"))))
        .get("/api/broken", Access.READ, r -> {
          throw new IllegalStateException("bug");
        })
        .get("/api/bad", Access.READ, r -> {
          throw new BadRequest("bad thing");
        });
    return builder;
  }

  @Test
  void aServerWithoutApiRoutesServesOnlyHealthAndMetrics() throws Exception {
    // Given the gateway's server: probes and metrics only
    start(ApiServer.builder(new InetSocketAddress("127.0.0.1", 0), metrics));
    server.health().add("gateway", () -> Health.State.notReady("MQTT_NOT_SUBSCRIBED"));

    HttpResponse<String> ready = send("GET", "/health/ready", null);
    assertEquals(503, ready.statusCode());
    assertEquals("MQTT_NOT_SUBSCRIBED", mapper.readTree(ready.body()).get("gateway").asText());
    assertEquals(200, send("GET", "/health/live", null).statusCode());
    assertEquals(200, send("GET", "/metrics", null).statusCode());
    assertTrue(send("GET", "/metrics", null).headers().firstValue("Content-Type").orElse("")
        .startsWith("text/plain; version=0.0.4"));
    assertError(send("GET", "/api/incidents", null), 404, "no such resource: /api/incidents");
    HttpResponse<String> post = send("POST", "/metrics", null);
    assertError(post, 405, "method POST not allowed on /metrics");
    assertEquals("GET", post.headers().firstValue("Allow").orElse(null));
  }

  @Test
  void routesByPatternAndAnswersUnknownPathsAndWrongMethodsInJson() throws Exception {
    start(withThings());
    assertEquals("a.b-1", mapper.readTree(send("GET", "/api/things/a.b-1", null).body()).get("id").asText());
    assertError(send("GET", "/api/things", null), 404, "no such resource: /api/things");
    HttpResponse<String> wrong = send("GET", "/api/things/x/touch", null);
    assertError(wrong, 405, "method GET not allowed on /api/things/x/touch");
    assertEquals("POST", wrong.headers().firstValue("Allow").orElse(null));
    assertError(send("GET", "/api/bad", null), 400, "bad thing");
    assertError(send("GET", "/api/broken", null), 500, "internal error");
  }

  @Test
  void checksTheTokenOfEachRouteKindBeforeTheHandler() throws Exception {
    start(withThings().readToken(READ).writeToken(WRITE));
    // reads: read or write token; probes and metrics open
    assertError(send("GET", "/api/things/x", null), 401, "missing or wrong bearer token");
    assertEquals(200, send("GET", "/api/things/x", READ).statusCode());
    assertEquals(200, send("GET", "/api/things/x", WRITE).statusCode());
    assertEquals(200, send("GET", "/health/live", null).statusCode());
    assertEquals(200, send("GET", "/metrics", null).statusCode());
    // an anonymous GET under /api/ learns nothing of which paths exist
    assertError(send("GET", "/api/nothing", null), 401, "missing or wrong bearer token");
    assertError(send("GET", "/api/things/x/touch", null), 401, "missing or wrong bearer token");
    assertError(send("GET", "/api/nothing", READ), 404, "no such resource: /api/nothing");
    // writes: the write token only, with a WWW-Authenticate challenge
    HttpResponse<String> reader = send("POST", "/api/things/x/touch", READ);
    assertError(reader, 401, "missing or wrong bearer token");
    assertTrue(reader.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
    assertEquals("x", mapper.readTree(send("POST", "/api/things/x/touch", WRITE).body()).get("touched").asText());
  }

  @Test
  void withoutTokensEveryRouteIsOpen() throws Exception {
    start(withThings());
    assertEquals(200, send("GET", "/api/things/x", null).statusCode());
    HttpResponse<String> touched = send("POST", "/api/things/x/touch", null);
    assertEquals(200, touched.statusCode());
    assertFalse(touched.headers().firstValue("X-Fleetwatch-Served-By").isPresent(), "no advertised address");
  }

  private void assertError(HttpResponse<String> response, int status, String message) throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    JsonNode body = mapper.readTree(response.body());
    assertEquals(message, body.get("error").asText());
    assertEquals(status, body.get("status").asInt());
  }

  private HttpResponse<String> send(String method, String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString("{}"));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
