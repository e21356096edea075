package io.fleetwatch.bench;

import io.fleetwatch.bench.CpuAttribution.Component;
import io.fleetwatch.bench.CpuAttribution.ThreadCpu;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Samples the CPU time of this JVM's threads ({@link ThreadMXBean#getThreadCpuTime}, full thread names), of its
 * JVM-internal threads (JIT compilers, GC; not Java threads, so read from {@code /proc/self/task/<tid>/stat}), of the
 * whole process ({@code /proc/self/stat} utime + stime) and of watched child processes ({@code /proc/<pid>/stat},
 * each belonging to one component, its JIT/GC threads split out by name), so {@link #since(Snapshot)} can say how
 * much CPU each {@link Component} used in a window.
 */
final class CpuSampler {
  /** Linux reports /proc CPU times in USER_HZ ticks, 100 per second on every architecture Java runs on. */
  private static final long NANOS_PER_TICK = 10_000_000L;
  private static final int COMM_LENGTH = 15;
  /** How the figures are obtained, for the reports. */
  static final String SOURCES = "per-thread CPU time from ThreadMXBean grouped by thread name, JIT/GC threads from"
      + " /proc/self/task, each child process (mosquitto, Kafka, gateway, streams) from /proc/<pid>/stat; \"other\""
      + " is the rest of the bench JVM's CPU time: unmatched threads and threads that ended in the window";

  private final CpuAttribution attribution;
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final Map<Long, Component> children = new ConcurrentHashMap<>();

  CpuSampler(CpuAttribution attribution) {
    this.attribution = attribution;
    if (threads.isThreadCpuTimeSupported() && !threads.isThreadCpuTimeEnabled()) {
      threads.setThreadCpuTimeEnabled(true);
    }
  }

  /** Counts the CPU time of child process {@code pid} (and its threads) as {@code component}'s. */
  void watch(long pid, Component component) {
    children.put(pid, component);
  }

  void unwatch(long pid) {
    children.remove(pid);
  }

  /** One thread's name and cumulative CPU nanoseconds. */
  private record Sample(String name, long nanos) {
  }

  /** Cumulative CPU times at one instant. */
  static final class Snapshot {
    private final Map<Long, Sample> javaThreads;
    private final Map<String, Map<Long, Sample>> tasks;
    private final Map<String, Long> processTotals;

    private Snapshot(Map<Long, Sample> javaThreads, Map<String, Map<Long, Sample>> tasks,
        Map<String, Long> processTotals) {
      this.javaThreads = javaThreads;
      this.tasks = tasks;
      this.processTotals = processTotals;
    }
  }

  Snapshot snapshot() {
    Map<Long, Sample> java = new HashMap<>();
    long[] ids = threads.getAllThreadIds();
    for (long id : ids) {
      long nanos = threads.getThreadCpuTime(id);
      var info = threads.getThreadInfo(id);
      if (nanos >= 0 && info != null) {
        java.put(id, new Sample(info.getThreadName(), nanos));
      }
    }
    Map<String, Map<Long, Sample>> tasks = new HashMap<>();
    Map<String, Long> totals = new HashMap<>();
    List<String> processes = new ArrayList<>();
    processes.add("self");
    children.keySet().forEach(pid -> processes.add(Long.toString(pid)));
    for (String process : processes) {
      Path proc = Path.of("/proc", process);
      totals.put(process, processTicks(proc.resolve("stat")) * NANOS_PER_TICK);
      tasks.put(process, tasks(proc.resolve("task")));
    }
    return new Snapshot(java, tasks, totals);
  }

  /** CPU nanoseconds per component between {@code before} and now. */
  Map<Component, Long> since(Snapshot before) {
    Snapshot after = snapshot();
    Map<Component, Long> total = new EnumMap<>(Component.class);
    List<ThreadCpu> self = new ArrayList<>();
    Set<String> javaComms = new HashSet<>();
    after.javaThreads.forEach((id, s) -> {
      javaComms.add(s.name().length() > COMM_LENGTH ? s.name().substring(0, COMM_LENGTH) : s.name());
      Sample b = before.javaThreads.get(id);
      if (b != null) {
        self.add(new ThreadCpu(s.name(), s.nanos() - b.nanos()));
      }
    });
    // JVM-internal threads (compilers, GC) that ThreadMXBean does not list.
    self.addAll(taskDeltas(before, after, "self", javaComms));
    CpuAttribution.add(total, attribution.attribute(self, delta(before, after, "self"), null));
    for (Map.Entry<Long, Component> child : children.entrySet()) {
      String process = Long.toString(child.getKey());
      if (!before.processTotals.containsKey(process)) {
        continue;
      }
      CpuAttribution.add(total, attribution.attribute(taskDeltas(before, after, process, Set.of()),
          delta(before, after, process), child.getValue()));
    }
    return total;
  }

  private List<ThreadCpu> taskDeltas(Snapshot before, Snapshot after, String process, Set<String> skip) {
    List<ThreadCpu> deltas = new ArrayList<>();
    Map<Long, Sample> b = before.tasks.getOrDefault(process, Map.of());
    after.tasks.getOrDefault(process, Map.of()).forEach((tid, s) -> {
      Sample earlier = b.get(tid);
      if (earlier != null && !skip.contains(s.name())
          && attribution.componentOf(s.name()) == Component.JIT_GC) {
        deltas.add(new ThreadCpu(s.name(), s.nanos() - earlier.nanos()));
      }
    });
    return deltas;
  }

  private static long delta(Snapshot before, Snapshot after, String process) {
    return Math.max(0, after.processTotals.getOrDefault(process, 0L) - before.processTotals.getOrDefault(process, 0L));
  }

  private static Map<Long, Sample> tasks(Path taskDir) {
    Map<Long, Sample> tasks = new HashMap<>();
    try (Stream<Path> dirs = Files.list(taskDir)) {
      for (Path dir : (Iterable<Path>) dirs::iterator) {
        long ticks = processTicks(dir.resolve("stat"));
        String name = readComm(dir);
        if (name != null) {
          tasks.put(Long.parseLong(dir.getFileName().toString()), new Sample(name, ticks * NANOS_PER_TICK));
        }
      }
    } catch (IOException | RuntimeException e) {
      // the process has exited: it used nothing more
    }
    return tasks;
  }

  private static String readComm(Path taskDir) {
    try {
      return Files.readString(taskDir.resolve("comm")).strip();
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * utime + stime of a {@code /proc/.../stat} line, in ticks; 0 when the process or thread is gone. The command name
   * (field 2) is in parentheses and may contain spaces, so fields are counted after the last ')'.
   */
  static long processTicks(Path stat) {
    try {
      return parseTicks(Files.readString(stat));
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** utime (field 14) + stime (field 15) of a {@code stat} line. */
  static long parseTicks(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // fields[0] is field 3 (state): utime is field 14, stime field 15.
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }
}
