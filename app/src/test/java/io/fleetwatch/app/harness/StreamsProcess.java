package io.fleetwatch.app.harness;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code fleetwatch streams} ({@code io.fleetwatch.app.Main streams}) in a child JVM on this test's classpath,
 * configured by {@code FLEETWATCH_*} environment variables, so a test can kill it with SIGKILL (no shutdown hook, no
 * Kafka Streams close, no transaction commit or abort) like a crash and start another process on the same state
 * directory. Its HTTP API listens on 127.0.0.1 on a port chosen here; readiness is {@code /health} answering 200
 * (Kafka Streams RUNNING or REBALANCING). Output goes to a log file that failure messages quote.
 */
public final class StreamsProcess implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamsProcess.class);

  private final FleetwatchChild child;

  private StreamsProcess(FleetwatchChild child) {
    this.child = child;
  }

  /**
   * Starts the streams app with {@code env} added to this process's environment, plus its HTTP API on 127.0.0.1 and
   * {@code httpPort} (pass the same port to a restarted process so clients keep their address).
   *
   * @param env {@code FLEETWATCH_*} settings, e.g. {@code FLEETWATCH_KAFKA_BOOTSTRAP_SERVERS},
   *     {@code FLEETWATCH_STREAMS_STATE_DIR}, {@code FLEETWATCH_STREAMS_APPLICATION_ID}, {@code FLEETWATCH_POLICIES}
   * @param httpPort API port, e.g. {@link Ports#free()}
   * @param log file for the child's output (appended)
   */
  public static StreamsProcess start(Map<String, String> env, int httpPort, Path log) {
    Map<String, String> childEnv = new HashMap<>(env);
    childEnv.put("FLEETWATCH_HTTP_HOST", Ports.LOOPBACK);
    childEnv.put("FLEETWATCH_HTTP_PORT", Integer.toString(httpPort));
    FleetwatchChild child = FleetwatchChild.start("streams", "384m", childEnv, log, httpPort);
    LOG.info("streams process {} started (API on port {}, log {})", child.pid(), httpPort, log);
    return new StreamsProcess(child);
  }

  /**
   * Waits until {@code /health} answers 200.
   *
   * @throws AssertionError with the process log if it does not within {@code timeout} or the process exits
   */
  public StreamsProcess awaitHealthy(Duration timeout) throws InterruptedException {
    child.awaitOk("/health", timeout);
    return this;
  }

  /** {@code GET path} on the API, without throwing when the process is not listening. */
  public HttpAnswer get(String path) throws InterruptedException {
    return child.get(path);
  }

  /** {@code 127.0.0.1:port}: the address it advertises to the other instances (its default). */
  public String address() {
    return Ports.LOOPBACK + ":" + child.httpPort();
  }

  /** {@code http://127.0.0.1:port}. */
  public String baseUri() {
    return child.baseUri();
  }

  public int httpPort() {
    return child.httpPort();
  }

  /** Kills the process with SIGKILL, like a crash, and waits until it is gone; returns its exit code. */
  public int kill() throws InterruptedException {
    return child.kill();
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

  /** Stops the process (SIGTERM, so Kafka Streams closes cleanly; SIGKILL after 30 s). */
  @Override
  public void close() throws InterruptedException {
    child.stop(Duration.ofSeconds(30));
  }
}
