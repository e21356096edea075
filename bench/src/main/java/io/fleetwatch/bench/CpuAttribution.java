package io.fleetwatch.bench;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which component of a benchmark a thread's CPU time belongs to, by thread name, and the CPU cost per message of
 * each component over a measured window. The patterns were established from the thread names of a running bench
 * ({@code jcmd <pid> Thread.print}): Kafka clients name their threads after the client id, so the gateway's and the
 * streams apps' clients are matched before the broker's threads. Whatever no pattern matches is {@link Component#OTHER},
 * and OTHER also takes the difference between the process's own CPU time and the sum of its named threads (threads
 * that ended inside the window, rounding), so the components always add up to what the processes used.
 */
final class CpuAttribution {
  /** The components of a report's CPU table, in report order. */
  enum Component {
    MQTT_BROKER("MQTT broker"),
    GATEWAY("gateway"),
    KAFKA_BROKER("Kafka broker"),
    STREAMS("streams"),
    PUBLISHERS("publishers (bench)"),
    JIT_GC("JIT/GC"),
    OTHER("other");

    private final String label;

    Component(String label) {
      this.label = label;
    }

    String label() {
      return label;
    }
  }

  /** A thread-name pattern and the component its threads belong to; the first matching rule wins. */
  record Rule(Component component, Pattern name) {
    static Rule of(Component component, String regex) {
      return new Rule(component, Pattern.compile(regex));
    }
  }

  /** Kafka Streams application ids used by the benches; a thread whose name contains one is a streams thread. */
  static final String STREAMS_IDS = "fleetwatch-latency-bench|fleetwatch-policy-bench|fleetwatch-floor-bench"
      + "|fleetwatch-incident-commands";

  /** The rules for a JVM that holds any of the components (all-in-one, or one child process). */
  static final List<Rule> RULES = List.of(
      // The bench's own load: publisher loops and their connections' readers, the incident/output watcher and its
      // consumer.
      Rule.of(Component.PUBLISHERS, "bench-fleet-.*|bench-.*watcher.*"
          + "|kafka-coordinator-heartbeat-thread \\| (latency|floor)-bench-.*|main"),
      Rule.of(Component.GATEWAY, "MQTT (Snd|Rec|Call|Ping|Con): fleetwatch-.*gateway.*|fleetwatch-gateway-.*"
          + "|kafka-producer-network-thread \\| fleetwatch-.*gateway.*"),
      Rule.of(Component.STREAMS, ".*(" + STREAMS_IDS + ").*|micrometer-kafka-metrics"),
      // JVM-internal threads are not Java threads: their names come from /proc (cut to 15 characters there).
      Rule.of(Component.JIT_GC, "C[12] CompilerThre.*|GC Thread.*|G1 .*|VM Thread|VM Periodic.*|Sweeper thread"
          + "|CodeCacheSweeper.*|Signal Dispatch.*|Service Thread|Monitor Deflati.*"),
      Rule.of(Component.KAFKA_BROKER, "data-plane-kafka-.*|kafka-scheduler-.*|kafka-\\d+-.*|kafka-log-cleaner-.*"
          + "|group-coordinator-.*|share-.*|broker-\\d+-.*|controller-\\d+-.*|quorum-controller-.*|ExpirationReaper-.*"
          + "|transaction-log-manager-.*|TxnMarkerSenderThread-.*|AddPartitionsToTxnSenderThread-.*|executor-.*"
          + "|raft-expiration-reaper|LogDirFailureHandler|ShareGroupDLQSendThread|PersisterStateManager"
          + "|client-metrics-reaper|SensorExpiryThread|metrics-meter-tick-thread-.*|kafka-.*-thread"),
      // HiveMQ CE's threads; Netty event loops and Moquette's names in case the embedded broker changes (Kafka and
      // Paho use no Netty). Anything else an embedded broker runs shows up as "other".
      Rule.of(Component.MQTT_BROKER, ".*(hivemq|HiveMQ|single-writer|Xodus|xodus).*|extension-.*"
          + "|scheduled-persistence-executor|global-traffic-shaper-executor-.*"
          + "|(?i).*(moquette|netty|eventloopgroup|nioEventLoop|epollEventLoop|session[ -]executor).*"));

  private final List<Rule> rules;

  CpuAttribution(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  /** The component of a thread called {@code threadName}: the first matching rule's, else OTHER. */
  Component componentOf(String threadName) {
    for (Rule rule : rules) {
      if (rule.name().matcher(threadName).matches()) {
        return rule.component();
      }
    }
    return Component.OTHER;
  }

  /** CPU nanoseconds one thread used in a window. */
  record ThreadCpu(String name, long nanos) {
  }

  /**
   * CPU nanoseconds per component of one process over a window.
   *
   * @param threads CPU nanoseconds each thread used in the window (threads present at both ends)
   * @param processTotal CPU nanoseconds the whole process used in the window (user + system)
   * @param whole when not null, the component the whole process belongs to (a child process running one
   *     component): its named threads still count for their own component when that is JIT/GC, the rest is
   *     {@code whole}; when null the threads are grouped by name and the remainder is OTHER
   */
  Map<Component, Long> attribute(List<ThreadCpu> threads, long processTotal, Component whole) {
    Map<Component, Long> byComponent = new EnumMap<>(Component.class);
    long named = 0;
    for (ThreadCpu t : threads) {
      Component c = componentOf(t.name());
      if (whole != null && c != Component.JIT_GC) {
        continue;
      }
      if (c == Component.OTHER) {
        continue;
      }
      byComponent.merge(c, t.nanos(), Long::sum);
      named += t.nanos();
    }
    // Sampling clocks differ (thread CPU in ns, the process's in clock ticks): never report a negative rest.
    long rest = Math.max(0, processTotal - named);
    byComponent.merge(whole == null ? Component.OTHER : whole, rest, Long::sum);
    return byComponent;
  }

  /** Adds {@code more} into {@code into}, component by component. */
  static void add(Map<Component, Long> into, Map<Component, Long> more) {
    more.forEach((c, n) -> into.merge(c, n, Long::sum));
  }

  /** CPU cost of a measured window: nanoseconds per component, the messages and the wall time it covered. */
  record Cost(Map<Component, Long> nanos, long messages, double seconds) {
    Cost {
      nanos = new EnumMap<>(nanos.isEmpty() ? Map.of(Component.OTHER, 0L) : nanos);
    }

    long totalNanos() {
      return nanos.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Microseconds of CPU per message of {@code c} (NaN without messages). */
    double microsPerMessage(Component c) {
      return messages == 0 ? Double.NaN : nanos.getOrDefault(c, 0L) / 1000.0 / messages;
    }

    double totalMicrosPerMessage() {
      return messages == 0 ? Double.NaN : totalNanos() / 1000.0 / messages;
    }

    /** Cores busy on average over the window. */
    double cores() {
      return seconds <= 0 ? Double.NaN : totalNanos() / 1e9 / seconds;
    }

    /** {@code | µs c1 | µs c2 | ... | total µs | cores |} cells after the caller's leading cells. */
    String cells() {
      StringBuilder s = new StringBuilder();
      for (Component c : Component.values()) {
        double us = microsPerMessage(c);
        s.append(String.format(Locale.ROOT, " %.1f (%.0f%%) |", us, 100.0 * nanos.getOrDefault(c, 0L)
            / Math.max(1, totalNanos())));
      }
      s.append(String.format(Locale.ROOT, " **%.1f** | %.2f |", totalMicrosPerMessage(), cores()));
      return s.toString();
    }

    /**
     * The report's floor comparison and CPU table: {@code ratios} (if any) under {@code ratioIntro}, then the CPU
     * rows ({@code leading} header cells, then the components) per {@code unit} over {@code window}.
     */
    static List<String> sections(String ratioIntro, List<String> ratios, String unit, String window, String leading,
        int leadingColumns, List<String> cpuRows) {
      List<String> s = new java.util.ArrayList<>();
      if (!ratios.isEmpty()) {
        s.add("");
        s.add(ratioIntro);
        s.add("");
        s.addAll(ratios);
      }
      s.add("");
      s.add("CPU per " + unit + " by component over " + window + " (" + CpuSampler.SOURCES + "; % of the total in"
          + " brackets; **cores busy** = total CPU ÷ wall time):");
      s.add("");
      s.addAll(header(leading, leadingColumns));
      s.addAll(cpuRows);
      return s;
    }

    /** The table header for {@link #cells()} after {@code leading} header cells. */
    static List<String> header(String leading, int leadingColumns) {
      StringBuilder h = new StringBuilder("| ").append(leading).append(" |");
      StringBuilder rule = new StringBuilder("|");
      for (int i = 0; i < leadingColumns; i++) {
        rule.append(i == 0 ? "---|" : "---:|");
      }
      for (Component c : Component.values()) {
        h.append(' ').append(c.label()).append(" µs |");
        rule.append("---:|");
      }
      h.append(" total µs/msg | cores busy |");
      rule.append("---:|---:|");
      return List.of(h.toString(), rule.toString());
    }
  }
}
