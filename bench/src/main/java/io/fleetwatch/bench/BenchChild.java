package io.fleetwatch.bench;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A {@code fleetwatch ...} command in a child JVM for the production-shape benches: the same Java and classpath as
 * this process ({@code io.fleetwatch.app.Main}, so the same jar), {@code FLEETWATCH_*} settings in its environment,
 * its output appended to a log file that failure messages quote. Readiness is a line on its output
 * ({@link BenchChildCommands#READY}) or an HTTP endpoint answering 200.
 */
final class BenchChild implements AutoCloseable {
  /**
   * The {@code fleetwatch} command's entry point. It lives in the {@code app} module, which depends on this one, so it
   * is named here rather than referenced: the child JVM finds it on this process's classpath (the fleetwatch jar).
   */
  static final String FLEETWATCH_MAIN = "io.fleetwatch.app.Main";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final String name;
  private final Process process;
  private final Path log;

  private BenchChild(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** Starts {@code fleetwatch args...} with at most {@code maxHeap} of heap and {@code env} added. */
  static BenchChild start(String name, String maxHeap, List<String> args, Map<String, String> env, Path log) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx" + maxHeap, "-cp", System.getProperty("java.class.path"),
        FLEETWATCH_MAIN));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(env);
    try {
      return new BenchChild(name, builder.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the " + name + " process", e);
    }
  }

  /** Waits for the {@link BenchChildCommands#READY} line. */
  BenchChild awaitReadyLine(Duration timeout) throws InterruptedException {
    return await(() -> readLog().contains(BenchChildCommands.READY), "its ready line", timeout);
  }

  /** Waits until {@code GET http://127.0.0.1:port/path} answers 200. */
  BenchChild awaitHttpOk(int port, String path, Duration timeout) throws InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(2)).build();
    return await(() -> {
      try {
        return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }, path + " answering 200", timeout);
  }

  private BenchChild await(BooleanSupplier ready, String what, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!ready.getAsBoolean()) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the " + name + " process exited with " + process.exitValue()
            + " before " + what + "; its log:\n" + tail());
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("the " + name + " process: no " + what + " within " + timeout
            + "; its log:\n" + tail());
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    return this;
  }

  long pid() {
    return process.pid();
  }

  String name() {
    return name;
  }

  private String readLog() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private String tail() {
    String text = readLog();
    return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
  }

  /** SIGTERM so the command closes cleanly; SIGKILL when it has not exited within 30 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
