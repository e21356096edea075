package io.fleetwatch.streams.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fleetwatch.avro.DeviceTwin;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentStatus;
import io.fleetwatch.avro.Severity;
import io.fleetwatch.streams.policy.RuntimeCatalogue;
import io.fleetwatch.streams.topology.FleetTopology;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import io.fleetwatch.avro.IncidentCommand;
import io.fleetwatch.avro.IncidentCommandType;
import io.fleetwatch.avro.Verification;
import io.fleetwatch.streams.incident.CommandResult;
import io.fleetwatch.streams.incident.IncidentLifecycle;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.UUID;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read-only HTTP API of the streams app on the JDK HTTP server.
 *
 * <ul>
 *   <li>{@code GET /api/incidents?status=open|acknowledged|resolved&site=..&severity=info|low|medium|high|critical}
 *       → JSON array, newest ({@code openedAt}) first</li>
 *   <li>{@code GET /api/incidents/{id}} → the incident, or 404</li>
 *   <li>{@code GET /api/devices/{id}} → the device twin (last values, reported state, last event), its active
 *       violations (raised checks, with policy version and severity) and open incident ids, or 404. With several
 *       instances ({@link InstanceRouting}) the request goes to the instance holding the device's partition
 *       (forwarded once, with the caller's {@code Authorization} header and {@code X-Fleetwatch-Forwarded-From}); 503
 *       with {@code Retry-After} while no instance holds it (rebalancing) or the holder does not answer</li>
 *   <li>{@code GET /api/vulnerabilities[/{advisoryId}]} → findings by advisory (see {@link VulnerabilityApi}); the
 *       device document also carries its {@code inventory} and {@code vulnerabilities}</li>
 *   <li>{@code GET /api/policies} → the catalogue in force ({@code policies}: id, version, origin file or
 *       published, references, checks with rule type and scope) and the refused definitions ({@code rejected})</li>
 *   <li>{@code GET /health/live}, {@code /health/ready}, {@code /health} → see {@link Health}: live while Kafka
 *       Streams is CREATED, REBALANCING or RUNNING, ready while it is RUNNING and every check added to
 *       {@link #health()} is ready; {@code /health} answers as {@code /health/ready}, with
 *       {@code {"status":"UP|NOT_READY|DOWN","live":..,"ready":..,"streams":"<state>",...}}</li>
 *   <li>{@code GET /metrics} → Prometheus text format</li>
 *   <li>{@code POST /api/incidents/{id}/acknowledge|assign|resolve|verify} with a JSON body
 *       {@code {"actor": "...", "reason": "...", "assignee": "..." (assign), "verification":
 *       "true_positive|benign_positive|false_positive" (verify)}} → the command goes to
 *       {@code fleet.incident-commands}; 200 with the updated incident once it shows in the store (up to 5 s), else
 *       202 {@code {"status": "accepted", "commandId": ...}}. Unknown incident → 404, illegal transition → 409, bad
 *       body → 400, missing or wrong {@code Authorization: Bearer <token>} when a token is configured → 401.
 *       Served when the queries object also implements {@link IncidentCommandSink}.</li>
 * </ul>
 * Bad query parameters → 400, unknown paths → 404, other methods → 405, store not queryable yet → 503;
 * every error body is {@code {"error": "..."}}. With an advertised address every answer carries
 * {@code X-Fleetwatch-Served-By: host:port} of the instance whose stores answered.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
  private static final String JSON = "application/json; charset=utf-8";
  private static final String INCIDENTS = "/api/incidents";
  private static final String DEVICES = "/api/devices";
  private static final String POLICIES = "/api/policies";
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern INCIDENT_ID = Pattern.compile("[A-Za-z0-9._|-]{1,256}");
  private static final Set<String> FILTERS = Set.of("status", "site", "severity");
  private static final Map<String, IncidentStatus> STATUSES = Map.of("open", IncidentStatus.OPEN,
      "acknowledged", IncidentStatus.ACKNOWLEDGED, "resolved", IncidentStatus.RESOLVED);
  private static final Map<String, Severity> SEVERITIES = Map.of("info", Severity.INFO, "low", Severity.LOW,
      "medium", Severity.MEDIUM, "high", Severity.HIGH, "critical", Severity.CRITICAL);
  private static final Map<String, IncidentCommandType> COMMANDS = Map.of("acknowledge",
      IncidentCommandType.ACKNOWLEDGE, "assign", IncidentCommandType.ASSIGN, "resolve", IncidentCommandType.RESOLVE,
      "verify", IncidentCommandType.VERIFY);
  private static final Map<String, Verification> VERDICTS = Map.of("true_positive", Verification.TRUE_POSITIVE,
      "benign_positive", Verification.BENIGN_POSITIVE, "false_positive", Verification.FALSE_POSITIVE);
  private static final Set<String> COMMAND_FIELDS = Set.of("actor", "reason", "assignee", "verification");
  private static final int MAX_BODY = 16 * 1024;
  private static final Duration APPLY_WAIT = Duration.ofSeconds(5);
  private static final Comparator<Incident> NEWEST_FIRST = Comparator
      .comparing(Incident::getOpenedAt).reversed()
      .thenComparing(Incident::getId);

  private final HttpServer server;
  private final List<HttpContext> contexts = new ArrayList<>();
  private final ExecutorService executor;
  private final IncidentQueries incidents;
  private final DeviceQueries devices;
  private final PolicyQueries policies;
  private final IncidentCommandSink commands;
  private final Supplier<KafkaStreams.State> state;
  private final PrometheusMeterRegistry prometheus;
  private final Health health;
  private final ObjectMapper mapper = new ObjectMapper();
  private final AvroJson incidentJson = new AvroJson(mapper);
  private final DeviceJson deviceJson = new DeviceJson(mapper);
  private final PolicyJson policyJson = new PolicyJson(mapper);
  private final VulnerabilityQueries vulnerabilities;
  private final VulnerabilityJson vulnerabilityJson = new VulnerabilityJson(mapper);
  private final InstanceRouting routing;
  private final InstanceClient instances;

  /**
   * Binds the server (not started yet). Device and policy endpoints are served when {@code incidents} also
   * implements {@link DeviceQueries} / {@link PolicyQueries} (as {@code FleetStreamsApp.incidentQueries()} does).
   *
   * @param bind address and port; port 0 picks a free port (see {@link #port()})
   * @param incidents incident reads
   * @param state current Kafka Streams state, for {@code /health}
   * @param prometheus registry scraped by {@code /metrics}
   */
  public ApiServer(InetSocketAddress bind, IncidentQueries incidents, Supplier<KafkaStreams.State> state,
      PrometheusMeterRegistry prometheus) throws IOException {
    this(bind, incidents, incidents instanceof DeviceQueries d ? d : null,
        incidents instanceof PolicyQueries p ? p : null, state, prometheus);
  }

  /**
   * Binds the server (not started yet).
   *
   * @param bind address and port; port 0 picks a free port (see {@link #port()})
   * @param incidents incident reads
   * @param devices device twin reads, or {@code null} (then {@code /api/devices} answers 404)
   * @param policies the catalogue in force, or {@code null} (then {@code /api/policies} answers 404)
   * @param state current Kafka Streams state, for {@code /health}
   * @param prometheus registry scraped by {@code /metrics}
   */
  public ApiServer(InetSocketAddress bind, IncidentQueries incidents, DeviceQueries devices, PolicyQueries policies,
      Supplier<KafkaStreams.State> state, PrometheusMeterRegistry prometheus) throws IOException {
    this(bind, incidents, devices, policies, state, prometheus,
        incidents instanceof KafkaStreamsIncidentQueries k ? k.routing() : InstanceRouting.LOCAL,
        InstanceClient.CONNECT_TIMEOUT, InstanceClient.REQUEST_TIMEOUT);
  }

  /**
   * Binds the server (not started yet), answering for the keys {@code routing} says are local and forwarding or
   * fanning out to the other instances it names.
   *
   * @param routing where keys and stores live; {@link InstanceRouting#LOCAL} when running alone
   * @param connectTimeout connect timeout towards another instance
   * @param requestTimeout whole-request timeout towards another instance
   * @see #ApiServer(InetSocketAddress, IncidentQueries, DeviceQueries, PolicyQueries, Supplier,
   *     PrometheusMeterRegistry)
   */
  public ApiServer(InetSocketAddress bind, IncidentQueries incidents, DeviceQueries devices, PolicyQueries policies,
      Supplier<KafkaStreams.State> state, PrometheusMeterRegistry prometheus, InstanceRouting routing,
      Duration connectTimeout, Duration requestTimeout) throws IOException {
    this.routing = Objects.requireNonNull(routing, "routing");
    this.instances = routing.self().map(self -> new InstanceClient(self, connectTimeout, requestTimeout))
        .orElse(null);
    this.incidents = Objects.requireNonNull(incidents, "incidents");
    this.devices = devices;
    this.policies = policies;
    this.commands = incidents instanceof IncidentCommandSink sink
        && (!(incidents instanceof KafkaStreamsIncidentQueries k) || k.acceptsCommands()) ? sink : null;
    this.state = Objects.requireNonNull(state, "state");
    this.health = new Health().add("streams", () -> Health.streams(state.get()));
    this.prometheus = Objects.requireNonNull(prometheus, "prometheus");
    this.server = HttpServer.create(Objects.requireNonNull(bind, "bind"), 0);
    AtomicInteger threads = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "fleetwatch-api-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    contexts.add(server.createContext("/", this::handle));
    if (incidents instanceof VulnerabilityQueries vulnerabilities) {
      this.vulnerabilities = vulnerabilities;
      contexts.add(server.createContext(VulnerabilityApi.PATH,
          new VulnerabilityApi(vulnerabilities, mapper, routing, instances)));
    } else {
      this.vulnerabilities = null;
    }
  }

  /**
   * Protects the read endpoints too: every {@code GET /api/...} then needs {@code Authorization: Bearer <readToken>}
   * (the write token, when one is set, is accepted as well) and gets 401 {@code {"error"}} otherwise;
   * {@code /health} and {@code /metrics} stay open for probes and Prometheus. Call before {@link #start()}.
   */
  public ApiServer requireReadToken(String readToken) {
    Objects.requireNonNull(readToken, "readToken");
    Filter guard = new Filter() {
      @Override
      public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        String writeToken = commands == null ? null : commands.requiredToken();
        if (exchange.getRequestURI().getPath().startsWith("/api/") && "GET".equals(exchange.getRequestMethod())
            && !authorized(header, readToken) && (writeToken == null || !authorized(header, writeToken))) {
          try (exchange) {
            sendError(exchange, 401, "missing or wrong bearer token");
          }
          return;
        }
        chain.doFilter(exchange);
      }

      @Override
      public String description() {
        return "bearer token on the read endpoints";
      }
    };
    for (HttpContext context : contexts) {
      context.getFilters().add(guard);
    }
    return this;
  }

  /**
   * The checks behind {@code /health}, {@code /health/live} and {@code /health/ready}: Kafka Streams' state, and
   * whatever else the process adds (e.g. the demo's gateway).
   */
  public Health health() {
    return health;
  }

  public void start() {
    server.start();
    LOG.info("HTTP API listening on {}", server.getAddress());
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      URI uri = exchange.getRequestURI();
      String path = uri.getPath();
      try {
        Route route = route(path);
        if (route == Route.NOT_FOUND) {
          sendError(exchange, 404, "no such resource: " + path);
          return;
        }
        String allowed = route == Route.INCIDENT_COMMAND ? "POST" : "GET";
        if (!allowed.equals(exchange.getRequestMethod())) {
          exchange.getResponseHeaders().add("Allow", allowed);
          sendError(exchange, 405, "method " + exchange.getRequestMethod() + " not allowed on " + path);
          return;
        }
        switch (route) {
          case HEALTH -> health(exchange, path);
          case METRICS -> send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
              prometheus.scrape().getBytes(StandardCharsets.UTF_8));
          case INCIDENT_LIST -> list(exchange, query(uri.getRawQuery()));
          case INCIDENT -> one(exchange, path.substring(INCIDENTS.length() + 1));
          case DEVICE -> device(exchange, path.substring(DEVICES.length() + 1));
          case POLICY_LIST -> policyList(exchange);
          case INCIDENT_COMMAND -> {
            String rest = path.substring(INCIDENTS.length() + 1);
            int slash = rest.indexOf('/');
            incidentCommand(exchange, rest.substring(0, slash), rest.substring(slash + 1));
          }
          default -> sendError(exchange, 404, "no such resource: " + path);
        }
      } catch (BadRequest e) {
        sendError(exchange, 400, e.getMessage());
      } catch (InvalidStateStoreException e) {
        LOG.debug("Store not queryable: {}", e.getMessage());
        exchange.getResponseHeaders().add("Retry-After", "1");
        sendError(exchange, 503, "store not ready (" + state.get() + "), retry shortly");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        sendError(exchange, 503, "interrupted");
      } catch (Exception e) {
        LOG.error("HTTP {} {} failed", exchange.getRequestMethod(), path, e);
        sendError(exchange, 500, "internal error");
      }
    }
  }

  private enum Route { HEALTH, METRICS, INCIDENT_LIST, INCIDENT, INCIDENT_COMMAND, DEVICE, POLICY_LIST, NOT_FOUND }

  private Route route(String path) {
    if (devices != null && path.startsWith(DEVICES + "/") && path.indexOf('/', DEVICES.length() + 1) < 0
        && path.length() > DEVICES.length() + 1) {
      return Route.DEVICE;
    }
    if (policies != null && policies.catalogue() != null && (POLICIES.equals(path) || (POLICIES + "/").equals(path))) {
      return Route.POLICY_LIST;
    }
    if (commands != null && path.startsWith(INCIDENTS + "/")) {
      String rest = path.substring(INCIDENTS.length() + 1);
      int slash = rest.indexOf('/');
      if (slash > 0 && rest.indexOf('/', slash + 1) < 0 && COMMANDS.containsKey(rest.substring(slash + 1))) {
        return Route.INCIDENT_COMMAND;
      }
    }
    return incidentRoute(path);
  }

  private static Route incidentRoute(String path) {
    if (Health.PATH.equals(path) || Health.LIVE_PATH.equals(path) || Health.READY_PATH.equals(path)) {
      return Route.HEALTH;
    }
    if ("/metrics".equals(path)) {
      return Route.METRICS;
    }
    if (INCIDENTS.equals(path) || (INCIDENTS + "/").equals(path)) {
      return Route.INCIDENT_LIST;
    }
    if (path.startsWith(INCIDENTS + "/") && path.indexOf('/', INCIDENTS.length() + 1) < 0) {
      return Route.INCIDENT;
    }
    return Route.NOT_FOUND;
  }

  private void health(HttpExchange exchange, String path) throws IOException {
    Health.Answer answer = health.answer(path).orElseThrow();
    send(exchange, answer.status(), JSON, answer.json().getBytes(StandardCharsets.UTF_8));
  }

  private void list(HttpExchange exchange, Map<String, String> query) throws IOException {
    for (String name : query.keySet()) {
      if (!FILTERS.contains(name)) {
        throw new BadRequest("unknown query parameter '" + name + "', expected one of " + sorted(FILTERS));
      }
    }
    IncidentStatus status = choice(query, "status", STATUSES);
    Severity severity = choice(query, "severity", SEVERITIES);
    String site = query.get("site");
    if (site != null && !IDENTIFIER.matcher(site).matches()) {
      throw new BadRequest("site must match [A-Za-z0-9._-]{1,64}, got '" + site + "'");
    }
    List<Incident> matching = incidents.all().stream()
        .filter(i -> status == null || i.getStatus() == status)
        .filter(i -> severity == null || i.getSeverity() == severity)
        .filter(i -> site == null || site.equals(i.getSite()))
        .sorted(NEWEST_FIRST)
        .toList();
    ArrayNode body = mapper.createArrayNode();
    matching.forEach(i -> body.add(incidentJson.write(i)));
    sendJson(exchange, 200, body);
  }

  private void one(HttpExchange exchange, String id) throws IOException {
    if (!INCIDENT_ID.matcher(id).matches()) {
      throw new BadRequest("malformed incident id '" + id + "'");
    }
    Optional<Incident> incident = incidents.byId(id);
    if (incident.isEmpty()) {
      sendError(exchange, 404, "no incident with id " + id);
      return;
    }
    sendJson(exchange, 200, incidentJson.write(incident.get()));
  }

  private void device(HttpExchange exchange, String id) throws IOException, InterruptedException {
    if (!IDENTIFIER.matcher(id).matches()) {
      throw new BadRequest("device id must match [A-Za-z0-9._-]{1,64}, got '" + id + "'");
    }
    InstanceRouting.KeyOwner owner = routing.owner(FleetTopology.DEVICE_TWINS_STORE, id);
    switch (owner.ownership()) {
      case UNAVAILABLE -> {
        exchange.getResponseHeaders().add("Retry-After", "1");
        sendError(exchange, 503, "no instance holds device " + id + " right now (" + state.get()
            + ", partitions being assigned), retry shortly");
        return;
      }
      case REMOTE -> {
        forward(exchange, owner.host(), "device " + id);
        return;
      }
      default -> { } // local: answered below
    }
    Optional<DeviceTwin> twin = devices.twin(id);
    if (twin.isEmpty()) {
      sendError(exchange, 404, "no device " + id + (instances == null ? " seen by this instance" : ""));
      return;
    }
    RuntimeCatalogue catalogue = policies == null ? null : policies.catalogue();
    List<String> openIncidents = incidents.all().stream()
        .filter(i -> id.equals(i.getDeviceId()) && i.getStatus() != IncidentStatus.RESOLVED)
        .map(Incident::getId).sorted().toList();
    ObjectNode body = deviceJson.write(twin.get(), devices.activeChecks(id),
        catalogue == null ? null : catalogue.current(), openIncidents);
    if (vulnerabilities != null) {
      vulnerabilityJson.addTo(body, vulnerabilities.inventory(id), vulnerabilities.findingsOfDevice(id));
    }
    sendJson(exchange, 200, body);
  }

  private void incidentCommand(HttpExchange exchange, String id, String action) throws Exception {
    String token = commands.requiredToken();
    if (token != null && !authorized(exchange.getRequestHeaders().getFirst("Authorization"), token)) {
      exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"fleetwatch\"");
      sendError(exchange, 401, "missing or wrong bearer token");
      return;
    }
    if (!INCIDENT_ID.matcher(id).matches()) {
      throw new BadRequest("malformed incident id '" + id + "'");
    }
    IncidentCommandType type = COMMANDS.get(action);
    JsonNode body = body(exchange);
    IncidentCommand command = IncidentCommand.newBuilder()
        .setCommandId(UUID.randomUUID().toString())
        .setIncidentId(id)
        .setType(type)
        .setActor(text(body, "actor", true))
        .setReason(text(body, "reason", false))
        .setAssignee(text(body, "assignee", type == IncidentCommandType.ASSIGN))
        .setVerification(verdict(body, type))
        .setIssuedAt(Instant.now())
        .build();
    Optional<Incident> incident = incidents.byId(id);
    if (incident.isEmpty()) {
      sendError(exchange, 404, "no incident with id " + id);
      return;
    }
    // The pipeline decides again on arrival; checking here answers an illegal transition at once.
    CommandResult expected = new IncidentLifecycle().command(incident.get(), command);
    if (!expected.isApplied()) {
      sendError(exchange, 409, expected.rejection());
      return;
    }
    commands.submit(command);
    LOG.info("Command {} {} on incident {} by {} submitted", command.getCommandId(), type, id, command.getActor());
    long deadline = System.nanoTime() + APPLY_WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<Incident> now = incidents.byId(id);
      if (now.isPresent() && reflects(now.get(), command)) {
        sendJson(exchange, 200, incidentJson.write(now.get()));
        return;
      }
      Thread.sleep(50); // waiting for the global store to catch up with the pipeline
    }
    ObjectNode accepted = mapper.createObjectNode();
    accepted.put("status", "accepted");
    accepted.put("commandId", command.getCommandId());
    accepted.put("incidentId", id);
    sendJson(exchange, 202, accepted);
  }

  /**
   * Answers with {@code owner}'s answer to the same request; 503 when this request was itself forwarded (the
   * assignment moved in between: never forwarded twice) or the owner does not answer.
   */
  private void forward(HttpExchange exchange, HostInfo owner, String what) throws IOException, InterruptedException {
    String address = InstanceClient.address(owner);
    exchange.getResponseHeaders().add("Retry-After", "1");
    if (InstanceClient.forwarded(exchange)) {
      sendError(exchange, 503, what + " moved to instance " + address + " while this request was forwarded,"
          + " retry shortly");
      return;
    }
    InstanceClient.Reply reply = instances.get(owner, exchange);
    if (!reply.answered()) {
      LOG.warn("Instance {} holding {} did not answer: {}", address, what, reply.failure());
      sendError(exchange, 503, "instance " + address + " holding " + what + " did not answer (" + reply.failure()
          + "), retry shortly");
      return;
    }
    if (reply.status() != 503) {
      exchange.getResponseHeaders().remove("Retry-After");
    }
    reply.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
    send(exchange, reply.status(), reply.headers().getOrDefault("Content-Type", JSON), reply.body());
  }

  private static boolean reflects(Incident incident, IncidentCommand command) {
    return incident.getHistory().stream().anyMatch(t -> command.getActor().equals(t.getActor())
        && t.getAt().toEpochMilli() == command.getIssuedAt().toEpochMilli());
  }

  private static boolean authorized(String header, String token) {
    if (header == null || !header.startsWith("Bearer ")) {
      return false;
    }
    byte[] given = header.substring("Bearer ".length()).strip().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, token.getBytes(StandardCharsets.UTF_8));
  }

  private JsonNode body(HttpExchange exchange) throws IOException {
    byte[] raw;
    try (InputStream in = exchange.getRequestBody()) {
      raw = in.readNBytes(MAX_BODY + 1);
    }
    if (raw.length > MAX_BODY) {
      throw new BadRequest("body larger than " + MAX_BODY + " bytes");
    }
    JsonNode body;
    try {
      body = raw.length == 0 ? mapper.createObjectNode() : mapper.readTree(raw);
    } catch (IOException e) {
      throw new BadRequest("body is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (body == null || !body.isObject()) {
      throw new BadRequest("body must be a JSON object");
    }
    body.fieldNames().forEachRemaining(name -> {
      if (!COMMAND_FIELDS.contains(name)) {
        throw new BadRequest("unknown field '" + name + "', expected " + sorted(COMMAND_FIELDS));
      }
    });
    return body;
  }

  private static String text(JsonNode body, String field, boolean required) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        throw new BadRequest(field + " is required");
      }
      return null;
    }
    if (!value.isTextual() || value.asText().isBlank() || value.asText().length() > 256) {
      throw new BadRequest(field + " must be a non-blank string of at most 256 characters");
    }
    return value.asText();
  }

  private static Verification verdict(JsonNode body, IncidentCommandType type) {
    String value = text(body, "verification", type == IncidentCommandType.VERIFY);
    if (value == null) {
      return null;
    }
    Verification v = VERDICTS.get(value.toLowerCase(Locale.ROOT));
    if (v == null) {
      throw new BadRequest("verification must be one of " + sorted(VERDICTS.keySet()) + ", got '" + value + "'");
    }
    return v;
  }

  private void policyList(HttpExchange exchange) throws IOException {
    sendJson(exchange, 200, policyJson.write(policies.catalogue()));
  }

  private static <T> T choice(Map<String, String> query, String name, Map<String, T> accepted) {
    String value = query.get(name);
    if (value == null) {
      return null;
    }
    T result = accepted.get(value.toLowerCase(Locale.ROOT));
    if (result == null) {
      throw new BadRequest(name + " must be one of " + sorted(accepted.keySet()) + ", got '" + value + "'");
    }
    return result;
  }

  private static Map<String, String> query(String rawQuery) {
    Map<String, String> result = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return result;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name;
      String value;
      try {
        name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new BadRequest("malformed query string");
      }
      if (result.put(name, value) != null) {
        throw new BadRequest("query parameter '" + name + "' given more than once");
      }
    }
    return result;
  }

  private static String sorted(Set<String> values) {
    return values.stream().sorted().toList().toString();
  }

  private void sendError(HttpExchange exchange, int status, String message) throws IOException {
    ObjectNode body = mapper.createObjectNode();
    body.put("error", message);
    body.put("status", status);
    sendJson(exchange, status, body);
  }

  private void sendJson(HttpExchange exchange, int status, JsonNode body) throws IOException {
    send(exchange, status, JSON, mapper.writeValueAsBytes(body));
  }

  private void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    if (instances != null && !exchange.getResponseHeaders().containsKey(InstanceClient.SERVED_BY)) {
      routing.self().ifPresent(self -> exchange.getResponseHeaders().set(InstanceClient.SERVED_BY,
          InstanceClient.address(self)));
    }
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** A client error answered with 400. */
  private static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadRequest(String message) {
      super(message);
    }
  }
}
