package io.fleetwatch.streams.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import io.fleetwatch.avro.Advisory;
import io.fleetwatch.avro.DeviceFinding;
import io.fleetwatch.avro.DeviceInventory;
import io.fleetwatch.avro.DeviceTwin;
import io.fleetwatch.avro.FindingStatus;
import io.fleetwatch.avro.VulnerabilityFinding;
import io.fleetwatch.streams.api.InstanceRouting.KeyOwner;
import io.fleetwatch.streams.topology.FleetTopology;
import io.fleetwatch.streams.vulnerability.VulnerabilityTopology;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Routing of API requests between instances: key lookups forwarded once to the owner (with the caller's
 * {@code Authorization}), 503 with {@code Retry-After} while nobody owns the key or the owner does not answer, list
 * endpoints fanned out and merged, partial answers said so. Real HTTP servers on loopback; the Kafka Streams
 * assignment is a fake {@link InstanceRouting}.
 */
class InstanceRoutingApiTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");
  private static final String TWINS = FleetTopology.DEVICE_TWINS_STORE;
  private static final String FINDINGS = VulnerabilityTopology.FINDINGS_STORE;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ObjectMapper mapper = new ObjectMapper();
  private final List<AutoCloseable> started = new ArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stop() throws Exception {
    release.countDown();
    for (AutoCloseable c : started) {
      c.close();
    }
  }

  @Test
  void anyInstanceAnswersForTheDevicesOfTheOther() throws Exception {
    HostInfo a = loopback(freePort());
    HostInfo b = loopback(freePort());
    FakeRouting routingA = new FakeRouting(a).own("dev-a", null).own("dev-b", b);
    FakeRouting routingB = new FakeRouting(b).own("dev-a", a).own("dev-b", null);
    start(a, new Fleet(List.of("dev-a"), List.of()), routingA, Duration.ofSeconds(3));
    start(b, new Fleet(List.of("dev-b"), List.of()), routingB, Duration.ofSeconds(3));

    HttpResponse<String> viaA = get(a, "/api/devices/dev-b", Map.of());
    assertEquals(200, viaA.statusCode(), viaA.body());
    assertEquals("dev-b", mapper.readTree(viaA.body()).path("deviceId").asText());
    assertEquals("127.0.0.1:" + b.port(), viaA.headers().firstValue(InstanceClient.SERVED_BY).orElse(null));
    HttpResponse<String> viaB = get(b, "/api/devices/dev-a", Map.of());
    assertEquals(200, viaB.statusCode(), viaB.body());
    assertEquals("dev-a", mapper.readTree(viaB.body()).path("deviceId").asText());
    assertEquals("127.0.0.1:" + a.port(), viaB.headers().firstValue(InstanceClient.SERVED_BY).orElse(null));
    HttpResponse<String> local = get(a, "/api/devices/dev-a", Map.of());
    assertEquals(200, local.statusCode(), local.body());
    assertEquals("127.0.0.1:" + a.port(), local.headers().firstValue(InstanceClient.SERVED_BY).orElse(null));
  }

  @Test
  void forwardsTheLookupOnceWithTheCallersAuthorizationAndRelaysTheOwnersAnswer() throws Exception {
    Stub owner = stub(404, "{\"error\":\"no device dev-x\",\"status\":404}", false);
    HostInfo a = loopback(freePort());
    start(a, new Fleet(List.of(), List.of()), new FakeRouting(a).own("dev-x", owner.host), Duration.ofSeconds(3));

    HttpResponse<String> answer = get(a, "/api/devices/dev-x", Map.of("Authorization", "Bearer 0123456789abcdef"));

    assertEquals(404, answer.statusCode(), answer.body());
    assertEquals("no device dev-x", mapper.readTree(answer.body()).path("error").asText());
    assertEquals(1, owner.requests.size());
    Headers seen = owner.requests.get(0);
    assertEquals("Bearer 0123456789abcdef", seen.getFirst("Authorization"));
    assertEquals("127.0.0.1:" + a.port(), seen.getFirst(InstanceClient.FORWARDED_FROM));
    assertEquals("/api/devices/dev-x", owner.paths.get(0));
  }

  @Test
  void aForwardedRequestIsNeverForwardedAgain() throws Exception {
    Stub owner = stub(200, "{}", false);
    HostInfo a = loopback(freePort());
    start(a, new Fleet(List.of(), List.of()), new FakeRouting(a).own("dev-x", owner.host), Duration.ofSeconds(3));

    HttpResponse<String> answer = get(a, "/api/devices/dev-x", Map.of(InstanceClient.FORWARDED_FROM, "10.0.0.9:8080"));

    assertEquals(503, answer.statusCode(), answer.body());
    assertEquals("1", answer.headers().firstValue("Retry-After").orElse(null));
    assertTrue(mapper.readTree(answer.body()).path("error").asText().contains("moved"), answer.body());
    assertEquals(0, owner.requests.size(), "the owner was asked again");
  }

  @Test
  void answers503WithRetryAfterWhileNoInstanceHoldsTheKey() throws Exception {
    HostInfo a = loopback(freePort());
    FakeRouting routing = new FakeRouting(a);
    routing.owners.put("dev-a", KeyOwner.unavailable());
    start(a, new Fleet(List.of("dev-a"), List.of()), routing, Duration.ofSeconds(3));

    HttpResponse<String> answer = get(a, "/api/devices/dev-a", Map.of());

    assertEquals(503, answer.statusCode(), answer.body());
    assertEquals("1", answer.headers().firstValue("Retry-After").orElse(null));
    assertTrue(answer.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    assertTrue(mapper.readTree(answer.body()).path("error").asText().contains("no instance holds device dev-a"),
        answer.body());
  }

  @Test
  void answers503NamingTheOwnerWhenItIsDownOrDoesNotAnswerInTime() throws Exception {
    HostInfo down = loopback(freePort());
    Stub hung = stub(200, "{}", true);
    HostInfo a = loopback(freePort());
    start(a, new Fleet(List.of(), List.of()), new FakeRouting(a).own("dev-down", down).own("dev-hung", hung.host),
        Duration.ofMillis(300));

    HttpResponse<String> refused = get(a, "/api/devices/dev-down", Map.of());
    assertEquals(503, refused.statusCode(), refused.body());
    assertEquals("1", refused.headers().firstValue("Retry-After").orElse(null));
    assertTrue(mapper.readTree(refused.body()).path("error").asText()
        .contains("instance 127.0.0.1:" + down.port() + " holding device dev-down did not answer"), refused.body());

    long began = System.nanoTime();
    HttpResponse<String> slow = get(a, "/api/devices/dev-hung", Map.of());
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
    assertEquals(503, slow.statusCode(), slow.body());
    assertTrue(mapper.readTree(slow.body()).path("error").asText().contains("timed out"), slow.body());
    assertTrue(tookMs < 2_000, "answered after " + tookMs + " ms with a 300 ms request timeout");
  }

  @Test
  void listsTheFindingsOfEveryInstanceMergedByAdvisory() throws Exception {
    HostInfo a = loopback(freePort());
    HostInfo b = loopback(freePort());
    start(a, new Fleet(List.of(), List.of(finding("ADV-1", "dev-a"))), new FakeRouting(a).hosts(a, b),
        Duration.ofSeconds(3));
    start(b, new Fleet(List.of(), List.of(finding("ADV-1", "dev-b"), finding("ADV-2", "dev-c"))),
        new FakeRouting(b).hosts(a, b), Duration.ofSeconds(3));

    HttpResponse<String> list = get(a, "/api/vulnerabilities", Map.of());

    assertEquals(200, list.statusCode(), list.body());
    assertFalse(list.headers().firstValue("X-Partial").isPresent(), list.headers().map().toString());
    JsonNode entries = mapper.readTree(list.body());
    assertEquals(2, entries.size(), list.body());
    assertEquals("ADV-1", entries.get(0).path("advisoryId").asText());
    assertEquals(2, entries.get(0).path("affected").asInt());
    assertEquals(List.of("dev-a", "dev-b"), deviceIds(entries.get(0)));
    assertEquals("ADV-2", entries.get(1).path("advisoryId").asText());
    assertEquals(List.of("dev-c"), deviceIds(entries.get(1)));

    HttpResponse<String> one = get(a, "/api/vulnerabilities/ADV-2", Map.of());
    assertEquals(200, one.statusCode(), one.body());
    assertEquals(List.of("dev-c"), deviceIds(mapper.readTree(one.body())));
    assertEquals(404, get(a, "/api/vulnerabilities/ADV-9", Map.of()).statusCode());
  }

  @Test
  void saysWhichInstanceDidNotAnswerRatherThanListingLess() throws Exception {
    HostInfo a = loopback(freePort());
    HostInfo down = loopback(freePort());
    start(a, new Fleet(List.of(), List.of(finding("ADV-1", "dev-a"))), new FakeRouting(a).hosts(a, down),
        Duration.ofSeconds(3));

    HttpResponse<String> list = get(a, "/api/vulnerabilities", Map.of());

    assertEquals(200, list.statusCode(), list.body());
    assertEquals("true", list.headers().firstValue("X-Partial").orElse(null));
    String unanswered = list.headers().firstValue("X-Unanswered-Instances").orElse("");
    assertTrue(unanswered.startsWith("127.0.0.1:" + down.port() + " (unreachable"), unanswered);
    assertEquals(List.of("dev-a"), deviceIds(mapper.readTree(list.body()).get(0)));
  }

  @Test
  void aForwardedListIsAnsweredFromTheLocalStoresOnly() throws Exception {
    HostInfo a = loopback(freePort());
    Stub other = stub(200, "[]", false);
    start(a, new Fleet(List.of(), List.of(finding("ADV-1", "dev-a"))), new FakeRouting(a).hosts(a, other.host),
        Duration.ofSeconds(3));

    HttpResponse<String> list = get(a, "/api/vulnerabilities", Map.of(InstanceClient.FORWARDED_FROM, "x:1"));

    assertEquals(200, list.statusCode(), list.body());
    assertEquals(List.of("dev-a"), deviceIds(mapper.readTree(list.body()).get(0)));
    assertEquals(0, other.requests.size(), "the other instance was asked");
  }

  @Test
  void answers503WhileTheInstancesOfTheFindingsAreUnknown() throws Exception {
    HostInfo a = loopback(freePort());
    start(a, new Fleet(List.of(), List.of(finding("ADV-1", "dev-a"))), new FakeRouting(a), Duration.ofSeconds(3));

    HttpResponse<String> list = get(a, "/api/vulnerabilities", Map.of());

    assertEquals(503, list.statusCode(), list.body());
    assertEquals("1", list.headers().firstValue("Retry-After").orElse(null));
    assertTrue(mapper.readTree(list.body()).has("error"), list.body());
  }

  private static List<String> deviceIds(JsonNode entry) {
    List<String> ids = new ArrayList<>();
    entry.path("affectedDevices").forEach(d -> ids.add(d.path("deviceId").asText()));
    return ids;
  }

  private static DeviceFinding finding(String advisoryId, String deviceId) {
    return DeviceFinding.newBuilder().setDeviceId(deviceId).setSite("hq").setStatus(FindingStatus.AFFECTED)
        .setSince(T0).setFinding(VulnerabilityFinding.newBuilder().setAdvisoryId(advisoryId)
            .setComponent("pkg:generic/openssl").setCveIds(List.of("CVE-2025-0001")).build())
        .build();
  }

  private void start(HostInfo self, Fleet fleet, FakeRouting routing, Duration requestTimeout) throws IOException {
    ApiServer server = new StreamsApi(fleet).devices(fleet).vulnerabilities(fleet)
        .routing(routing, Duration.ofMillis(500), requestTimeout)
        .server(new InetSocketAddress(self.host(), self.port()), () -> KafkaStreams.State.RUNNING,
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    server.start();
    started.add(server);
  }

  private HttpResponse<String> get(HostInfo instance, String path, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + instance.port() + path)).timeout(Duration.ofSeconds(10));
    headers.forEach(request::header);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HostInfo loopback(int port) {
    return new HostInfo("127.0.0.1", port);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Another instance's API: records the requests, answers {@code status} and {@code body}, or hangs. */
  private Stub stub(int status, String body, boolean hang) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    Stub stub = new Stub(new HostInfo("127.0.0.1", server.getAddress().getPort()), new CopyOnWriteArrayList<>(),
        new CopyOnWriteArrayList<>());
    server.createContext("/", exchange -> {
      try (exchange) {
        stub.requests.add(exchange.getRequestHeaders());
        stub.paths.add(exchange.getRequestURI().getPath());
        if (hang) {
          release.await(30, TimeUnit.SECONDS);
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
    started.add(() -> server.stop(0));
    return stub;
  }

  private record Stub(HostInfo host, List<Headers> requests, List<String> paths) {}

  /** Routing as a test sets it: owners per device (absent = local), the instances of the findings store. */
  private static final class FakeRouting implements InstanceRouting {
    private final HostInfo self;
    final Map<String, KeyOwner> owners = new ConcurrentHashMap<>();
    private volatile List<HostInfo> hosts = List.of();

    FakeRouting(HostInfo self) {
      this.self = self;
    }

    FakeRouting own(String device, HostInfo owner) {
      owners.put(device, owner == null ? KeyOwner.local() : KeyOwner.remote(owner));
      return this;
    }

    FakeRouting hosts(HostInfo... instances) {
      hosts = List.of(instances);
      return this;
    }

    @Override
    public Optional<HostInfo> self() {
      return Optional.of(self);
    }

    @Override
    public KeyOwner owner(String store, String key) {
      assertEquals(TWINS, store);
      return owners.getOrDefault(key, KeyOwner.local());
    }

    @Override
    public List<HostInfo> hosts(String store) {
      assertEquals(FINDINGS, store);
      return hosts;
    }
  }

  /** One instance's stores: the twins of its devices and the findings on them. */
  private static final class Fleet implements NoIncidents, DeviceQueries, VulnerabilityQueries {
    private final List<String> devices;
    private final List<DeviceFinding> findings;

    Fleet(List<String> devices, List<DeviceFinding> findings) {
      this.devices = devices;
      this.findings = findings;
    }

    @Override
    public Optional<DeviceTwin> twin(String deviceId) {
      return devices.contains(deviceId) ? Optional.of(DeviceTwin.newBuilder().setDeviceId(deviceId).setSite("hq")
          .setLastSeenAt(T0).setLastReceivedAt(T0).setMetrics(Map.of()).setMessages(1L).build()) : Optional.empty();
    }

    @Override
    public List<ActiveCheck> activeChecks(String deviceId) {
      return List.of();
    }

    @Override
    public List<DeviceFinding> findings(int limit) {
      return new ArrayList<>(findings);
    }

    @Override
    public List<DeviceFinding> findingsOfAdvisory(String advisoryId, int limit) {
      return new ArrayList<>(findings.stream().filter(f -> f.getFinding().getAdvisoryId().equals(advisoryId)).toList());
    }

    @Override
    public List<DeviceFinding> findingsOfDevice(String deviceId) {
      return new ArrayList<>(findings.stream().filter(f -> f.getDeviceId().equals(deviceId)).toList());
    }

    @Override
    public Optional<DeviceInventory> inventory(String deviceId) {
      return Optional.empty();
    }

    @Override
    public Optional<Advisory> advisory(String advisoryId) {
      return Optional.empty();
    }
  }
}
