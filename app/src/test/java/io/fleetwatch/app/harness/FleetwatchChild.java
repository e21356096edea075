package io.fleetwatch.app.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code fleetwatch <command>} child JVM ({@code io.fleetwatch.app.Main}) on this test's classpath, configured by
 * environment variables, with its output appended to a log file that failure messages can quote, and its HTTP port
 * on 127.0.0.1 ({@link #get(String)}). It can be killed with SIGKILL like a crash, frozen and thawed (SIGSTOP,
 * SIGCONT), or stopped with SIGTERM so the command's shutdown hook runs.
 */
final class FleetwatchChild {
  private static final Logger LOG = LoggerFactory.getLogger(FleetwatchChild.class);

  private final String command;
  private final Process process;
  private final Path log;
  private final int httpPort;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private FleetwatchChild(String command, Process process, Path log, int httpPort) {
    this.command = command;
    this.process = process;
    this.log = log;
    this.httpPort = httpPort;
  }

  /**
   * Starts {@code fleetwatch command} with {@code env} added to this process's environment.
   *
   * @param httpPort the port {@code env} tells the command to serve HTTP on (127.0.0.1)
   */
  static FleetwatchChild start(String command, String maxHeap, Map<String, String> env, Path log, int httpPort) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx" + maxHeap, "-cp",
        System.getProperty("java.class.path"), "io.fleetwatch.app.Main", command))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(env);
    try {
      return new FleetwatchChild(command, builder.start(), log, httpPort);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the " + command + " process", e);
    }
  }

  /** {@code GET path} on the child's HTTP port, without throwing when it is not listening. */
  HttpAnswer get(String path) throws InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(baseUri() + path)).timeout(Duration.ofSeconds(5)).build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      Map<String, String> headers = new HashMap<>();
      response.headers().map().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
      return new HttpAnswer(response.statusCode(), response.body(), headers);
    } catch (IOException e) {
      return new HttpAnswer(-1, e.toString(), Map.of());
    }
  }

  /**
   * Waits until {@code GET path} answers 200.
   *
   * @throws AssertionError with the log if it does not within {@code timeout} or the process exits
   */
  void awaitOk(String path, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      requireAlive();
      if (get(path).status() == 200) {
        return;
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new AssertionError(command + " process: " + path + " not 200 within " + timeout + "; log:\n"
            + readLog());
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  /** {@code http://127.0.0.1:port}. */
  String baseUri() {
    return "http://" + Ports.LOOPBACK + ":" + httpPort;
  }

  int httpPort() {
    return httpPort;
  }

  /** Sends {@code signal} ({@code STOP}, {@code CONT}, ...) to the process with {@code kill}. */
  void signal(String signal) throws InterruptedException {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run kill -" + signal, e);
    }
    LOG.info("{} process {}: SIG{}", command, process.pid(), signal);
  }

  /** Fails with the log when the process has exited. */
  void requireAlive() {
    if (!process.isAlive()) {
      throw new AssertionError(command + " process exited with " + process.exitValue() + "; log:\n" + readLog());
    }
  }

  /** Kills the process with SIGKILL, like a crash, and waits until it is gone; returns its exit code. */
  int kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(command + " process " + process.pid() + " survived SIGKILL for 30 s");
    }
    LOG.info("{} process {} killed (exit {})", command, process.pid(), process.exitValue());
    return process.exitValue();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  /** The child's output so far. */
  String readLog() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  /** SIGTERM, so the command closes cleanly; SIGKILL when it has not exited within {@code grace}. */
  void stop(Duration grace) throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
