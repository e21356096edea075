package io.fleetwatch.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code mosquitto} broker as a child process for the benchmark, on 127.0.0.1, anonymous, with the queue
 * settings fleetwatch documents for production: no queue limit ({@code max_queued_messages 0}) so a lagging
 * subscriber is not dropped from, and {@code max_inflight_messages} as given.
 */
final class MosquittoBroker implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path directory;

  private MosquittoBroker(Process process, int port, Path directory) {
    this.process = process;
    this.port = port;
    this.directory = directory;
  }

  static MosquittoBroker start(Path binary, int port, int maxInflightMessages) throws IOException, InterruptedException {
    return start(binary, port, maxInflightMessages, List.of());
  }

  /** Starts it with {@code extraConfig} lines appended to the configuration. */
  static MosquittoBroker start(Path binary, int port, int maxInflightMessages, List<String> extraConfig)
      throws IOException, InterruptedException {
    Path directory = Files.createTempDirectory("fleetwatch-bench-mosquitto-");
    Path config = directory.resolve("mosquitto.conf");
    List<String> lines = new ArrayList<>(List.of(
        "listener " + port + " 127.0.0.1",
        "allow_anonymous true",
        "max_queued_messages 0",
        "max_queued_bytes 0",
        "max_inflight_messages " + maxInflightMessages,
        "user " + System.getProperty("user.name"),
        "log_dest stderr",
        "log_type error",
        "log_type warning",
        "persistence false"));
    lines.addAll(extraConfig);
    Files.write(config, lines, StandardCharsets.UTF_8);
    Process process = new ProcessBuilder(binary.toString(), "-c", config.toString())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("mosquitto.log").toFile()))
        .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!accepts(port)) {
      if (!process.isAlive() || System.nanoTime() - deadline >= 0) {
        process.destroyForcibly();
        throw new IllegalStateException("mosquitto did not start on port " + port + ": "
            + Files.readString(directory.resolve("mosquitto.log")));
      }
      TimeUnit.MILLISECONDS.sleep(10);
    }
    return new MosquittoBroker(process, port, directory);
  }

  static int freePort() throws IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      return socket.getLocalPort();
    }
  }

  String uri() {
    return "tcp://127.0.0.1:" + port;
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try (var paths = Files.walk(directory)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + directory, e);
    }
  }
}
