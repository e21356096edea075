package io.fleetwatch.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The machine a benchmark ran on, and the helpers every in-process benchmark shares (report, sizes, heap). */
final class BenchEnvironment {
  private static final Logger LOG = LoggerFactory.getLogger(BenchEnvironment.class);

  private BenchEnvironment() {
  }

  static String today() {
    return ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE);
  }

  /** Markdown bullet lines: date, cores, memory, load average at start and now, OS, Java, Kafka. */
  static List<String> machine(String loadAtStart) {
    return machine(loadAtStart, "in-process KRaft, single node, same JVM");
  }

  /** {@link #machine(String)} with where Kafka ran, e.g. {@code single-node KRaft in its own JVM}. */
  static List<String> machine(String loadAtStart, String kafkaPlacement) {
    List<String> lines = new ArrayList<>();
    lines.add("- date: " + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)
        .replaceAll("\\.\\d+", ""));
    lines.add("- CPU: " + Runtime.getRuntime().availableProcessors() + " cores" + cpuModel().map(m -> " (" + m + ")")
        .orElse(""));
    memory().ifPresent(m -> lines.add("- memory: " + m));
    lines.add("- load average (1, 5, 15 min) at start: " + loadAtStart + "; when the report was written: "
        + loadAverage() + " (other work on the machine competes with the run)");
    lines.add("- OS: " + System.getProperty("os.name") + " " + System.getProperty("os.version"));
    lines.add("- Java: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
        + ", max heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB");
    lines.add("- Kafka: " + IngestBenchmark.kafkaVersion() + " (" + kafkaPlacement + ")");
    return lines;
  }

  /** The options the command was given (what follows its name on the command line). */
  static String arguments(picocli.CommandLine.Model.CommandSpec spec) {
    List<String> args = spec.commandLine().getParseResult().originalArgs();
    int at = args.indexOf(spec.name());
    return String.join(" ", args.subList(at + 1, args.size())).strip();
  }

  /**
   * Waits until every partition of {@code topics} has a leader: a freshly created topic on a busy machine is unknown
   * to the metadata for a moment, then answers the first produce requests with NOT_LEADER_OR_FOLLOWER.
   */
  static void awaitLeaders(org.apache.kafka.clients.admin.Admin admin, java.util.Collection<String> topics,
      java.time.Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean ready;
      try {
        ready = admin.describeTopics(topics).allTopicNames().get().values().stream()
            .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
      } catch (java.util.concurrent.ExecutionException e) {
        // A topic created a moment ago may not be in the broker's metadata yet.
        if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
          throw e;
        }
        ready = false;
      }
      if (ready) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("partitions of " + topics + " without a leader after " + timeout);
      }
      Thread.sleep(100);
    }
  }

  static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return parts[0] + ", " + parts[1] + ", " + parts[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static Optional<String> cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> memory() {
    try {
      return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
          .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / (1024 * 1024) + " GiB").findFirst();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Appends {@code section} to {@code file} in one write (others append to the same file: nothing already there
   * is rewritten).
   */
  static void append(Path file, List<String> section) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    String text = "\n" + String.join("\n", section) + "\n";
    Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  /** Bytes of the regular files under {@code dir} (0 when it does not exist). */
  static long size(Path dir) {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    } catch (IOException | java.io.UncheckedIOException e) {
      LOG.debug("size of {}: {}", dir, e.toString());
      return 0;
    }
  }

  /** Heap in use after a full collection: roughly the live set of the whole JVM. */
  static long liveHeapBytes() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | java.io.UncheckedIOException e) {
      LOG.debug("cannot delete {}: {}", dir, e.toString());
    }
  }

  static double percentile(List<Double> sorted, double p) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }
}
