package io.fleetwatch.app.harness;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
  private final int httpPort;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private StreamsProcess(FleetwatchChild child, int httpPort) {
    this.child = child;
    this.httpPort = httpPort;
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
    FleetwatchChild child = FleetwatchChild.start("streams", "384m", childEnv, log);
    LOG.info("streams process {} started (API on port {}, log {})", child.pid(), httpPort, log);
    return new StreamsProcess(child, httpPort);
  }

  /**
   * Waits until {@code /health} answers 200.
   *
   * @throws AssertionError with the process log if it does not within {@code timeout} or the process exits
   */
  public StreamsProcess awaitHealthy(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      child.requireAlive();
      if (get("/health").status() == 200) {
        return this;
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new AssertionError("streams process not healthy within " + timeout + "; log:\n" + readLog());
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  /**
   * One HTTP answer; status -1 when nothing answered (not listening, timed out).
   *
   * @param headers the first value of each response header, names in lower case
   */
  public record Answer(int status, String body, Map<String, String> headers) {
    /** A response header, or {@code null}. */
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /**
     * {@code X-Fleetwatch-Served-By}: the {@code host:port} of the instance whose stores answered (with several
     * instances a request may be forwarded to the owner of the device), or {@code null}.
     */
    public String servedBy() {
      return header("X-Fleetwatch-Served-By");
    }
  }

  /** {@code GET path} on the API, without throwing when the process is not listening. */
  public Answer get(String path) throws InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(baseUri() + path)).timeout(Duration.ofSeconds(5)).build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      Map<String, String> headers = new HashMap<>();
      response.headers().map().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
      return new Answer(response.statusCode(), response.body(), headers);
    } catch (IOException e) {
      return new Answer(-1, e.toString(), Map.of());
    }
  }

  /** {@code 127.0.0.1:port}: the address it advertises to the other instances (its default). */
  public String address() {
    return Ports.LOOPBACK + ":" + httpPort;
  }

  /** {@code http://127.0.0.1:port}. */
  public String baseUri() {
    return "http://" + Ports.LOOPBACK + ":" + httpPort;
  }

  public int httpPort() {
    return httpPort;
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
