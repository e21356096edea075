package io.fleetwatch.app.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code fleetwatch <command>} child JVM ({@code io.fleetwatch.app.Main}) on this test's classpath, configured by
 * environment variables, with its output appended to a log file that failure messages can quote. It can be killed
 * with SIGKILL like a crash, or stopped with SIGTERM so the command's shutdown hook runs.
 */
final class FleetwatchChild {
  private static final Logger LOG = LoggerFactory.getLogger(FleetwatchChild.class);

  private final String command;
  private final Process process;
  private final Path log;

  private FleetwatchChild(String command, Process process, Path log) {
    this.command = command;
    this.process = process;
    this.log = log;
  }

  /** Starts {@code fleetwatch command} with {@code env} added to this process's environment. */
  static FleetwatchChild start(String command, String maxHeap, Map<String, String> env, Path log) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx" + maxHeap, "-cp",
        System.getProperty("java.class.path"), "io.fleetwatch.app.Main", command))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(env);
    try {
      return new FleetwatchChild(command, builder.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the " + command + " process", e);
    }
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
