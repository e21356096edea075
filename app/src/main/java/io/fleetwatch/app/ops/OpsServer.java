package io.fleetwatch.app.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fleetwatch.streams.api.Health;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /health/live}, {@code /health/ready} and {@code /health} (see {@link Health}: 200 or 503 with the status
 * and each check's detail) and {@code GET /metrics} (Prometheus) of a component.
 */
public final class OpsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OpsServer.class);

  private final HttpServer server;
  private final ExecutorService executor;
  private final Health health;
  private final PrometheusMeterRegistry metrics;

  public OpsServer(InetSocketAddress bind, Health health, PrometheusMeterRegistry metrics) throws IOException {
    this.health = health;
    this.metrics = metrics;
    this.server = HttpServer.create(bind, 0);
    this.executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "fleetwatch-ops-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  public void start() {
    server.start();
    LOG.info("health and metrics on http://{}:{}/", server.getAddress().getHostString(), port());
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())) {
        respond(exchange, 405, "application/json", "{\"error\":\"method not allowed\"}");
        return;
      }
      String path = exchange.getRequestURI().getPath();
      Optional<Health.Answer> probe = health.answer(path);
      if (probe.isPresent()) {
        respond(exchange, probe.get().status(), "application/json", probe.get().json());
        return;
      }
      switch (path) {
        case "/metrics" -> respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
        default -> respond(exchange, 404, "application/json", "{\"error\":\"not found\"}");
      }
    }
  }

  private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
