package io.fleetwatch.streams.topology;

import io.fleetwatch.avro.Severity;
import io.fleetwatch.avro.ViolationStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Domain metrics of the streams app. Tags come from closed sets only: {@code policy} is a policy id of the
 * loaded catalogue (anything else is tagged {@code unknown}), {@code status} a violation status,
 * {@code severity} a severity symbol; never a device or incident id.
 *
 * <p>Exactly-once covers Kafka state, not meters: when a task replays records after a failure, counters and
 * the latency timer count those records again, so they may overcount after a crash or rebalance; the
 * topics and stores stay exact.
 *
 * <p>Every meter whose tag values are known at start (each policy of the catalogue with each status or severity) is
 * registered at construction with 0, so the first event shows in {@code increase()} and {@code rate()} and a
 * dashboard has a series before any traffic; policies added at run time get their meters on first use.
 *
 * <table>
 * <caption>Metrics</caption>
 * <tr><th>name</th><th>type</th><th>tags</th><th>meaning</th></tr>
 * <tr><td>fleetwatch.streams.observations</td><td>counter</td><td></td><td>telemetry records evaluated</td></tr>
 * <tr><td>fleetwatch.policy.evaluations</td><td>counter</td><td>policy</td><td>check evaluations</td></tr>
 * <tr><td>fleetwatch.policy.violations</td><td>counter</td><td>policy, status</td><td>raised / cleared transitions</td></tr>
 * <tr><td>fleetwatch.incidents.opened</td><td>counter</td><td>policy, severity</td><td>incidents opened</td></tr>
 * <tr><td>fleetwatch.incidents.resolved</td><td>counter</td><td>policy, severity</td><td>incidents resolved</td></tr>
 * <tr><td>fleetwatch.incident.detection.latency</td><td>timer</td><td>policy</td><td>device time of the raising
 * observation to the wall-clock time the incident opened</td></tr>
 * <tr><td>fleetwatch.incident.detection.latency.gateway</td><td>timer</td><td>policy</td><td>gateway receive time of
 * the raising observation to the wall-clock time the incident opened (no device clock in it); not recorded when the
 * incident has no receive time (heartbeat loss, advisory changes)</td></tr>
 * <tr><td>fleetwatch.devices</td><td>gauge</td><td>status (online, offline)</td><td>devices with a twin on this
 * instance; offline = a heartbeat-loss (absence) check is raised; refreshed by the heartbeat punctuator</td></tr>
 * </table>
 */
public final class PipelineMetrics {
  public static final String OBSERVATIONS = "fleetwatch.streams.observations";
  public static final String EVALUATIONS = "fleetwatch.policy.evaluations";
  public static final String VIOLATIONS = "fleetwatch.policy.violations";
  public static final String INCIDENTS_OPENED = "fleetwatch.incidents.opened";
  public static final String INCIDENTS_RESOLVED = "fleetwatch.incidents.resolved";
  public static final String DETECTION_LATENCY = "fleetwatch.incident.detection.latency";
  public static final String DETECTION_LATENCY_FROM_GATEWAY = "fleetwatch.incident.detection.latency.gateway";
  public static final String DEVICES = "fleetwatch.devices";
  static final String UNKNOWN = "unknown";
  /** The severities an incident can have (tag values registered at start). */
  static final List<Severity> SEVERITIES = List.of(Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH,
      Severity.CRITICAL);

  private final MeterRegistry registry;
  private final Supplier<Set<String>> policyIds;
  private final Counter observations;
  private final Map<String, Counter> evaluations = new ConcurrentHashMap<>();
  private final Map<String, Counter> violations = new ConcurrentHashMap<>();
  private final Map<String, Counter> opened = new ConcurrentHashMap<>();
  private final Map<String, Counter> resolved = new ConcurrentHashMap<>();
  private final Map<String, Timer> latency = new ConcurrentHashMap<>();
  private final Map<String, Timer> latencyFromGateway = new ConcurrentHashMap<>();
  private final Map<String, long[]> devicesByTask = new ConcurrentHashMap<>();

  /**
   * @param registry where meters are registered
   * @param policyIds the closed set of policy ids allowed as tag values
   */
  public PipelineMetrics(MeterRegistry registry, Set<String> policyIds) {
    this(registry, fixed(policyIds));
  }

  /**
   * @param registry where meters are registered
   * @param policyIds the policy ids allowed as tag values right now (the catalogue changes at run time; the set
   *     stays bounded by the policies ever defined)
   */
  public PipelineMetrics(MeterRegistry registry, Supplier<Set<String>> policyIds) {
    this.registry = registry;
    this.policyIds = policyIds;
    this.observations = Counter.builder(OBSERVATIONS)
        .description("Telemetry records evaluated against the policy catalogue")
        .register(registry);
    for (String status : new String[] {"online", "offline"}) {
      int index = "online".equals(status) ? 0 : 1;
      io.micrometer.core.instrument.Gauge.builder(DEVICES, this, m -> m.deviceCount(index))
          .description("Devices by heartbeat status (offline: heartbeat-loss check raised)")
          .tag("status", status).register(registry);
    }
    for (String policy : policyIds.get()) {
      evaluations(policy);
      for (ViolationStatus status : List.of(ViolationStatus.RAISED, ViolationStatus.CLEARED)) {
        violations(policy, status.name().toLowerCase(Locale.ROOT));
      }
      for (Severity severity : SEVERITIES) {
        String severityTag = severity.name().toLowerCase(Locale.ROOT);
        opened(policy, severityTag);
        resolved(policy, severityTag);
      }
      latency(policy);
      latencyFromGateway(policy);
    }
  }

  private double deviceCount(int index) {
    long total = 0;
    for (long[] counts : devicesByTask.values()) {
      total += counts[index];
    }
    return total;
  }

  /** Replaces one task's device counts (heartbeat punctuator). */
  void devices(String taskId, long online, long offline) {
    devicesByTask.put(taskId, new long[] {online, offline});
  }

  /** Forgets a task this instance no longer runs. */
  void forgetDevices(String taskId) {
    devicesByTask.remove(taskId);
  }

  void observation() {
    observations.increment();
  }

  void evaluation(String policyId) {
    evaluations(policyTag(policyId)).increment();
  }

  private Counter evaluations(String policy) {
    Counter counter = evaluations.get(policy); // once per evaluation: no capturing lambda unless it is new
    return counter != null ? counter : evaluations.computeIfAbsent(policy, p -> Counter.builder(EVALUATIONS)
        .description("Policy check evaluations").tag("policy", p).register(registry));
  }

  void violation(String policyId, ViolationStatus status) {
    String policy = policyTag(policyId);
    violations(policy, status.name().toLowerCase(Locale.ROOT)).increment();
  }

  private Counter violations(String policy, String statusTag) {
    return violations.computeIfAbsent(policy + '|' + statusTag, k -> Counter.builder(VIOLATIONS)
        .description("Policy check transitions (raised, cleared)")
        .tag("policy", policy).tag("status", statusTag).register(registry));
  }

  /**
   * An incident opened.
   *
   * @param detectionLatency device time of the raising observation to the time it opened
   * @param fromGateway gateway receive time of the raising observation to the time it opened, or {@code null} when
   *     the incident has no receive time
   */
  void incidentOpened(String policyId, Severity severity, Duration detectionLatency, Duration fromGateway) {
    String policy = policyTag(policyId);
    opened(policy, severity.name().toLowerCase(Locale.ROOT)).increment();
    record(latency(policy), detectionLatency);
    if (fromGateway != null) {
      record(latencyFromGateway(policy), fromGateway);
    }
  }

  private Counter opened(String policy, String severityTag) {
    return opened.computeIfAbsent(policy + '|' + severityTag, k -> Counter.builder(INCIDENTS_OPENED)
        .description("Incidents opened").tag("policy", policy).tag("severity", severityTag).register(registry));
  }

  private Timer latency(String policy) {
    return latencyTimer(latency, DETECTION_LATENCY,
        "Device time of the raising observation to the time the incident opened (wall clock)", policy);
  }

  private Timer latencyFromGateway(String policy) {
    return latencyTimer(latencyFromGateway, DETECTION_LATENCY_FROM_GATEWAY,
        "Gateway receive time of the raising observation to the time the incident opened (wall clock)", policy);
  }

  /**
   * A latency timer per policy. Its histogram spans 1 ms to 10 min (beyond that a detection is an outage, not a
   * latency), which keeps the buckets per policy few enough to register every policy's timer at start.
   */
  private Timer latencyTimer(Map<String, Timer> timers, String name, String description, String policy) {
    return timers.computeIfAbsent(policy, p -> Timer.builder(name).description(description)
        .tag("policy", p).publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10))
        .register(registry));
  }

  /** Records a latency; a negative one (clocks of different hosts) counts as zero. */
  private static void record(Timer timer, Duration value) {
    timer.record(value.isNegative() ? Duration.ZERO : value);
  }

  void incidentResolved(String policyId, Severity severity) {
    String policy = policyTag(policyId);
    resolved(policy, severity.name().toLowerCase(Locale.ROOT)).increment();
  }

  private Counter resolved(String policy, String severityTag) {
    return resolved.computeIfAbsent(policy + '|' + severityTag, k -> Counter.builder(INCIDENTS_RESOLVED)
        .description("Incidents resolved").tag("policy", policy).tag("severity", severityTag).register(registry));
  }

  private static Supplier<Set<String>> fixed(Set<String> ids) {
    Set<String> copy = Set.copyOf(ids);
    return () -> copy;
  }

  private String policyTag(String policyId) {
    return policyIds.get().contains(policyId) ? policyId : UNKNOWN;
  }
}
