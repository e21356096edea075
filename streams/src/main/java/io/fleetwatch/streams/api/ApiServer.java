package io.fleetwatch.streams.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one HTTP server of a fleetwatch process: health probes, Prometheus metrics and whatever API routes the process
 * registers in its {@link RouteTable}. The streams app registers its API through {@link StreamsApi}; the gateway
 * serves only the probes and {@code /metrics}.
 *
 * <p>Every server answers {@code GET /health/live}, {@code /health/ready} and {@code /health} (see {@link Health};
 * the streams app adds a {@code streams} check through {@link Builder#stores}) and {@code GET /metrics} (Prometheus
 * text format); both are open to anyone. Requests go through one dispatch: the route table decides (unknown path →
 * 404 {@code "no such resource: <path>"}, known path with another method → 405 with {@code Allow}), then the
 * {@link BearerTokens} decide (401 {@code "missing or wrong bearer token"}; a write route also answers
 * {@code WWW-Authenticate: Bearer}); a {@code GET} under {@code /api/} that finds no route needs the read token
 * too, so an anonymous caller learns nothing of a protected API. A handler's {@link BadRequest} → 400; a store that
 * is not queryable ({@link InvalidStateStoreException}) → 503 with {@code Retry-After: 1}; an interrupted wait → 503;
 * anything else → 500 {@code "internal error"} (logged). Every error body is {@code {"error": "...", "status": n}}.
 *
 * <p>Built on the JDK's {@code com.sun.net.httpserver}: the API is a handful of small JSON routes on loopback or
 * behind a proxy, which that server carries with a small thread pool, and it adds no dependency (nor its CVEs and
 * upgrades) to a jar that already ships Kafka, Paho and Micrometer; the route table and the token checks, all a
 * framework would add here, are the two small classes beside this one.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
  private static final String API_PREFIX = "/api/";
  private static final String METRICS_PATH = "/metrics";
  private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";
  private static final int THREADS = 4;

  private final HttpServer server;
  private final ExecutorService executor;
  private final RouteTable routes;
  private final BearerTokens tokens;
  private final Health health;
  private final Supplier<KafkaStreams.State> stores;
  private final String servedBy;
  private final ObjectMapper mapper = new ObjectMapper();

  private ApiServer(Builder builder) throws IOException {
    this.routes = builder.routes;
    this.tokens = new BearerTokens(builder.readToken, builder.writeToken);
    this.health = builder.health;
    this.stores = builder.stores;
    this.servedBy = builder.servedBy == null ? null : InstanceClient.address(builder.servedBy);
    this.server = HttpServer.create(builder.bind, 0);
    AtomicInteger threads = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(THREADS, r -> {
      Thread t = new Thread(r, "fleetwatch-http-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  /**
   * A server on {@code bind} (port 0 picks a free port, see {@link #port()}) with the health probes and
   * {@code /metrics} of {@code metrics} already routed.
   */
  public static Builder builder(InetSocketAddress bind, PrometheusMeterRegistry metrics) {
    return new Builder(bind, metrics);
  }

  /** The checks behind the health probes; checks may be added while the server runs (e.g. the demo's gateway). */
  public Health health() {
    return health;
  }

  public void start() {
    server.start();
    LOG.info("HTTP server listening on http://{}:{}/ ({} routes, {})", server.getAddress().getHostString(), port(),
        routes.routes().size(), tokens);
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
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      RouteTable.Match match = routes.match(method, path);
      Map<String, String> parameters = match instanceof RouteTable.Found found ? found.parameters() : Map.of();
      ApiRequest request = new ApiRequest(exchange, parameters, mapper, servedBy);
      try {
        RouteTable.Access access = match instanceof RouteTable.Found found ? found.route().access()
            : "GET".equals(method) && path.startsWith(API_PREFIX) ? RouteTable.Access.READ : RouteTable.Access.OPEN;
        if (!tokens.permit(access, exchange.getRequestHeaders().getFirst("Authorization"))) {
          if (access == RouteTable.Access.WRITE) {
            request.header("WWW-Authenticate", "Bearer realm=\"fleetwatch\"");
          }
          request.sendError(401, "missing or wrong bearer token");
          return;
        }
        if (match instanceof RouteTable.Found found) {
          found.route().handler().handle(request);
        } else if (match instanceof RouteTable.NotAllowed notAllowed) {
          request.header("Allow", String.join(", ", notAllowed.allowed()));
          request.sendError(405, "method " + method + " not allowed on " + path);
        } else {
          request.sendError(404, "no such resource: " + path);
        }
      } catch (BadRequest e) {
        request.sendError(400, e.getMessage());
      } catch (InvalidStateStoreException e) {
        LOG.debug("Store not queryable: {}", e.getMessage());
        request.sendUnavailable("store not ready (" + (stores == null ? "starting" : stores.get())
            + "), retry shortly");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        request.sendError(503, "interrupted");
      } catch (Exception e) {
        LOG.error("HTTP {} {} failed", method, path, e);
        request.sendError(500, "internal error");
      }
    }
  }

  /** The server's settings and routes, before it binds. */
  public static final class Builder {
    private final InetSocketAddress bind;
    private final RouteTable routes = new RouteTable();
    private final Health health = new Health();
    private String readToken;
    private String writeToken;
    private HostInfo servedBy;
    private Supplier<KafkaStreams.State> stores;

    private Builder(InetSocketAddress bind, PrometheusMeterRegistry metrics) {
      this.bind = Objects.requireNonNull(bind, "bind");
      Objects.requireNonNull(metrics, "metrics");
      for (String probe : new String[] {Health.PATH, Health.LIVE_PATH, Health.READY_PATH}) {
        routes.get(probe, RouteTable.Access.OPEN, request -> {
          Health.Answer answer = health.answer(probe).orElseThrow();
          request.send(answer.status(), ApiRequest.JSON, answer.json().getBytes(StandardCharsets.UTF_8));
        });
      }
      routes.get(METRICS_PATH, RouteTable.Access.OPEN,
          request -> request.send(200, PROMETHEUS, metrics.scrape().getBytes(StandardCharsets.UTF_8)));
    }

    /** The table to register routes in. */
    public RouteTable routes() {
      return routes;
    }

    /** The checks behind the health probes. */
    public Health health() {
      return health;
    }

    /**
     * Every {@code GET /api/...} then needs {@code Authorization: Bearer <readToken>} (or the write token);
     * {@code null} leaves the reads open.
     */
    public Builder readToken(String readToken) {
      this.readToken = readToken;
      return this;
    }

    /** The write routes then need {@code Authorization: Bearer <writeToken>}; {@code null} leaves them open. */
    public Builder writeToken(String writeToken) {
      this.writeToken = writeToken;
      return this;
    }

    /** Every answer then carries {@code X-Fleetwatch-Served-By: host:port} (this instance's advertised address). */
    public Builder servedBy(HostInfo self) {
      this.servedBy = self;
      return this;
    }

    /**
     * The Kafka Streams client whose stores the routes read: its state becomes the {@code streams} health check
     * ({@link Health#streams}) and is named in the 503 of a store that is not queryable.
     */
    public Builder stores(Supplier<KafkaStreams.State> state) {
      this.stores = Objects.requireNonNull(state, "state");
      health.add("streams", () -> Health.streams(state.get()));
      return this;
    }

    /** Binds the server (not started yet). */
    public ApiServer build() throws IOException {
      return new ApiServer(this);
    }
  }
}
