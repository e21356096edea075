package io.fleetwatch.app.harness;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code fleetwatch gateway} ({@code io.fleetwatch.app.Main gateway}) in a child JVM on this test's classpath,
 * configured by {@code FLEETWATCH_*} environment variables, so a test can kill the process (SIGKILL, no shutdown
 * hook, no clean MQTT disconnect) like a crash, or freeze it (SIGSTOP: still connected as far as the broker knows) and
 * thaw it. Readiness is its {@code /health} endpoint on a free port, where {@code /metrics} serves its counters; its
 * output goes to a log file that failure messages can quote.
 */
public final class GatewayProcess implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayProcess.class);

  private final FleetwatchChild child;

  private GatewayProcess(FleetwatchChild child) {
    this.child = child;
  }

  /**
   * Starts the gateway with {@code env} added to this process's environment (plus its HTTP port on 127.0.0.1).
   *
   * @param env {@code FLEETWATCH_*} settings, e.g. {@code FLEETWATCH_MQTT_URI}
   * @param log file for the child's output (appended)
   */
  public static GatewayProcess start(Map<String, String> env, Path log) {
    int httpPort = Ports.free();
    Map<String, String> childEnv = new HashMap<>(env);
    childEnv.put("FLEETWATCH_HTTP_HOST", Ports.LOOPBACK);
    childEnv.put("FLEETWATCH_HTTP_PORT", Integer.toString(httpPort));
    FleetwatchChild child = FleetwatchChild.start("gateway", "256m", childEnv, log, httpPort);
    LOG.info("gateway process {} started (health on port {}, log {})", child.pid(), httpPort, log);
    return new GatewayProcess(child);
  }

  /**
   * Waits until {@code /health} answers 200 (connected to the broker and subscribed, Kafka reachable).
   *
   * @throws AssertionError with the process log if it does not within {@code timeout} or the process exits
   */
  public GatewayProcess awaitReady(Duration timeout) throws InterruptedException {
    child.awaitOk("/health", timeout);
    return this;
  }

  /** {@code GET path} ({@code /health}, {@code /metrics}), without throwing when the process is not listening. */
  public HttpAnswer get(String path) throws InterruptedException {
    return child.get(path);
  }

  /** The port of its health and metrics endpoint on 127.0.0.1. */
  public int httpPort() {
    return child.httpPort();
  }

  /** Kills the process with SIGKILL, like a crash, and waits until it is gone; returns its exit code. */
  public int kill() throws InterruptedException {
    return child.kill();
  }

  /** SIGSTOP: the process stops reading and acknowledging, its connections stay open. */
  public void freeze() throws InterruptedException {
    child.signal("STOP");
  }

  /** SIGCONT after {@link #freeze()}. */
  public void thaw() throws InterruptedException {
    child.signal("CONT");
  }

  public boolean isAlive() {
    return child.isAlive();
  }

  public long pid() {
    return child.pid();
  }

  /** The child's output so far. */
  public String readLog() {
    return child.readLog();
  }

  /** Stops the process (SIGTERM, so the gateway closes cleanly; SIGKILL after 15 s). */
  @Override
  public void close() throws InterruptedException {
    child.stop(Duration.ofSeconds(15));
  }
}
