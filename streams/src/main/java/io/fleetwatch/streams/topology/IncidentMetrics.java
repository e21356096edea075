package io.fleetwatch.streams.topology;

import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentStatus;
import io.fleetwatch.avro.Severity;
import io.fleetwatch.streams.incident.SsfMatrix;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Gauges of the incidents held by this instance's tasks and the time-to-acknowledge timer. Each task publishes a
 * snapshot of its incident store at every wall-clock scan of {@code IncidentProcessor} (so gauges lag by at most
 * one scan interval); gauges sum the snapshots of the tasks this instance runs. Sites are partitioned by task, so
 * site counts add up. Tags are closed sets: {@code severity} (info..critical), {@code category} (the configured
 * IoT-SSF categories, {@code none}, or {@code unknown}), {@code policy} (catalogue ids or {@code unknown}). The
 * time-to-acknowledge timer of every catalogue policy and severity is registered at start with 0.
 *
 * <table>
 * <caption>Metrics</caption>
 * <tr><td>fleetwatch.incidents.open</td><td>gauge</td><td>severity, category</td><td>unresolved incidents</td></tr>
 * <tr><td>fleetwatch.incidents.open.sites</td><td>gauge</td><td>severity</td><td>sites with an unresolved
 * incident of that severity</td></tr>
 * <tr><td>fleetwatch.incidents.unacknowledged.past.rto</td><td>gauge</td><td>severity</td><td>open, not acknowledged,
 * and past the RTO of a hurt service</td></tr>
 * <tr><td>fleetwatch.incident.acknowledge.time</td><td>timer (histogram)</td><td>policy, severity</td><td>detected →
 * acknowledged (wall clock)</td></tr>
 * </table>
 */
public final class IncidentMetrics {
  public static final String OPEN = "fleetwatch.incidents.open";
  public static final String OPEN_SITES = "fleetwatch.incidents.open.sites";
  public static final String PAST_RTO = "fleetwatch.incidents.unacknowledged.past.rto";
  public static final String ACKNOWLEDGE_TIME = "fleetwatch.incident.acknowledge.time";

  private final MeterRegistry registry;
  private final Supplier<Set<String>> policyIds;
  private final Set<String> categories;
  private final Map<String, Snapshot> byTask = new ConcurrentHashMap<>();
  private final Map<String, Timer> ackTimers = new ConcurrentHashMap<>();

  /** Counts of one task's store. */
  record Snapshot(Map<String, Long> open, Map<String, Long> sites, Map<String, Long> pastRto) {}

  IncidentMetrics(MeterRegistry registry, Supplier<Set<String>> policyIds, List<String> categoryNames) {
    this.registry = registry;
    this.policyIds = policyIds;
    List<String> all = new ArrayList<>(categoryNames);
    all.add(SsfMatrix.NONE);
    all.add(PipelineMetrics.UNKNOWN);
    this.categories = Set.copyOf(all);
    for (Severity severity : PipelineMetrics.SEVERITIES) {
      String s = tag(severity);
      for (String category : all) {
        String key = s + '|' + category;
        Gauge.builder(OPEN, this, m -> m.sum(snap -> snap.open(), key))
            .description("Unresolved incidents (open or acknowledged)")
            .tag("severity", s).tag("category", category).register(registry);
      }
      Gauge.builder(OPEN_SITES, this, m -> m.sum(snap -> snap.sites(), s))
          .description("Sites with an unresolved incident of this severity").tag("severity", s).register(registry);
      Gauge.builder(PAST_RTO, this, m -> m.sum(snap -> snap.pastRto(), s))
          .description("Open incidents not acknowledged although a hurt service is past its RTO")
          .tag("severity", s).register(registry);
    }
    for (String policy : policyIds.get()) {
      for (Severity severity : PipelineMetrics.SEVERITIES) {
        ackTimer(policy, tag(severity));
      }
    }
  }

  private interface Part {
    Map<String, Long> of(Snapshot s);
  }

  private double sum(Part part, String key) {
    long total = 0;
    for (Snapshot s : byTask.values()) {
      total += part.of(s).getOrDefault(key, 0L);
    }
    return total;
  }

  /** Replaces a task's snapshot with counts over its stored incidents. */
  void publish(String taskId, Iterable<Incident> incidents) {
    Map<String, Long> open = new HashMap<>();
    Map<String, Set<String>> sites = new HashMap<>();
    Map<String, Long> pastRto = new HashMap<>();
    for (Incident i : incidents) {
      if (i.getStatus() == IncidentStatus.RESOLVED) {
        continue;
      }
      String s = tag(i.getSeverity());
      String category = i.getSsf() == null ? SsfMatrix.NONE : i.getSsf().getCategory();
      if (!categories.contains(category)) {
        category = PipelineMetrics.UNKNOWN;
      }
      open.merge(s + '|' + category, 1L, Long::sum);
      sites.computeIfAbsent(s, k -> new HashSet<>()).add(i.getSite());
      if (i.getStatus() == IncidentStatus.OPEN && i.getImpact() != null && i.getImpact().getRtoBreached()) {
        pastRto.merge(s, 1L, Long::sum);
      }
    }
    Map<String, Long> siteCounts = new HashMap<>();
    sites.forEach((k, v) -> siteCounts.put(k, (long) v.size()));
    byTask.put(taskId, new Snapshot(open, siteCounts, pastRto));
  }

  /** Forgets a task that this instance no longer runs. */
  void forget(String taskId) {
    byTask.remove(taskId);
  }

  void acknowledged(String policyId, Severity severity, Duration detectedToAcknowledged) {
    String policy = policyIds.get().contains(policyId) ? policyId : PipelineMetrics.UNKNOWN;
    ackTimer(policy, tag(severity))
        .record(detectedToAcknowledged.isNegative() ? Duration.ZERO : detectedToAcknowledged);
  }

  /**
   * The time-to-acknowledge timer of a policy and severity; its histogram spans 1 s to 7 days, which keeps the buckets
   * few enough to register every policy and severity at start (so the first acknowledgement shows in
   * {@code increase()}).
   */
  private Timer ackTimer(String policy, String severityTag) {
    return ackTimers.computeIfAbsent(policy + '|' + severityTag, k -> Timer.builder(ACKNOWLEDGE_TIME)
        .description("Incident detected to acknowledged by a responder (wall clock)")
        .tag("policy", policy).tag("severity", severityTag).publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofSeconds(1)).maximumExpectedValue(Duration.ofDays(7))
        .register(registry));
  }

  private static String tag(Severity severity) {
    return severity == null ? PipelineMetrics.UNKNOWN : severity.name().toLowerCase(Locale.ROOT);
  }
}
