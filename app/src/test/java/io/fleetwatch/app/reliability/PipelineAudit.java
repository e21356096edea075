package io.fleetwatch.app.reliability;

import io.fleetwatch.app.reliability.TelemetryFeed.Transition;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentStatus;
import io.fleetwatch.avro.Violation;
import io.fleetwatch.avro.ViolationStatus;
import io.fleetwatch.schemas.AvroSerde;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * What the streams app committed for one {@link TelemetryFeed}, against what it must have produced. Both output topics
 * are read {@code read_committed} up to their last stable offset, so records of aborted transactions (a killed
 * instance's unfinished work) do not count, and output committed twice (a replay after a failure) would.
 *
 * <ul>
 *   <li>{@code fleet.violations}: every expected violation (device, RAISED/CLEARED, device time of the reading) exactly
 *       once, nothing else.
 *   <li>{@code fleet.incidents}: every expected violation reached the incident of its device (a record of that device
 *       whose {@code lastSeenAt} is the violation's device time), and no incident state was committed twice: two
 *       records equal in everything but the wall-clock {@code detectedAt} are one transition emitted twice. This
 *       holds whatever the incident lifecycle does with a raise (open, reopen) or a clear (resolve now or after a
 *       quiet period).
 *   <li>Incidents expected: one per raise, as the lifecycle without a reopen window has it; reported next to the
 *       incidents seen.
 * </ul>
 */
final class PipelineAudit {

  /** Counts of one audit. */
  record Counts(int violationsExpected, int violationsSeen, int violationDuplicates, int violationsMissing,
      int violationsUnexpected, int incidentRecords, int incidentDuplicates, int violationsNotInIncidents,
      int incidentsExpected, int incidentsSeen, int openAtEnd, String sample) {

    /** Nothing lost, nothing duplicated. */
    boolean exact() {
      return violationDuplicates == 0 && violationsMissing == 0 && violationsUnexpected == 0
          && incidentDuplicates == 0 && violationsNotInIncidents == 0;
    }

    /** Everything expected arrived (duplicates aside). */
    boolean complete() {
      return violationsMissing == 0 && violationsNotInIncidents == 0;
    }

    @Override
    public String toString() {
      return "violations expected=" + violationsExpected + " seen=" + violationsSeen + " duplicates="
          + violationDuplicates + " missing=" + violationsMissing + " unexpected=" + violationsUnexpected
          + " | incident transitions seen=" + incidentRecords + " duplicates=" + incidentDuplicates
          + " violations missing from incidents=" + violationsNotInIncidents + " | incidents expected="
          + incidentsExpected + " seen=" + incidentsSeen + " open at end=" + openAtEnd
          + (sample.isEmpty() ? "" : " (e.g. " + sample + ")");
    }
  }

  /** A committed violation of the probe policy, as the audit sees it. */
  record ViolationSeen(String deviceId, boolean raised, long eventTime) {}

  /**
   * A committed incident record, as the audit sees it.
   *
   * @param state the record without its wall-clock fields: two equal states are one transition committed twice
   */
  record IncidentSeen(String id, String deviceId, long lastSeenAt, boolean resolved, Object state) {}

  private PipelineAudit() {}

  /**
   * Audits until everything expected has arrived or {@code timeout} passes, and returns the last audit: output is
   * read up to the last stable offset, so a final record may land just after one read.
   */
  static Counts awaitComplete(String bootstrapServers, TelemetryFeed feed, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Counts counts = audit(bootstrapServers, feed);
      if (counts.complete() || System.nanoTime() - deadline >= 0) {
        return counts;
      }
      TimeUnit.MILLISECONDS.sleep(500);
    }
  }

  /** Audits the committed output for {@code feed}'s site against {@code feed.expected()}. */
  static Counts audit(String bootstrapServers, TelemetryFeed feed) {
    List<ViolationSeen> violations = readCommitted(bootstrapServers, ReliabilityFixtures.TOPICS.violations().name(),
        AvroSerde.of(Violation.class)).stream()
        .filter(v -> feed.site().equals(v.getSite()) && ReliabilityFixtures.POLICY_ID.equals(v.getPolicyId()))
        .map(v -> new ViolationSeen(v.getDeviceId(), v.getStatus() == ViolationStatus.RAISED,
            v.getEventTime().toEpochMilli()))
        .toList();
    List<IncidentSeen> incidents = incidents(bootstrapServers, feed.site()).stream()
        .map(i -> new IncidentSeen(i.getId(), i.getDeviceId(), i.getLastSeenAt().toEpochMilli(),
            i.getStatus() == IncidentStatus.RESOLVED, Incident.newBuilder(i).setDetectedAt(Instant.EPOCH).build()))
        .toList();
    return count(feed.expected(), violations, incidents);
  }

  /** The audit proper: what was committed against what the feed must have produced. */
  static Counts count(List<Transition> expected, List<ViolationSeen> violations, List<IncidentSeen> incidents) {
    List<String> sample = new ArrayList<>();
    Map<ViolationSeen, Integer> seenViolations = new HashMap<>();
    violations.forEach(v -> seenViolations.merge(v, 1, Integer::sum));
    Set<ViolationSeen> expectedViolations = new HashSet<>();
    int violationsMissing = 0;
    for (Transition t : expected) {
      ViolationSeen key = new ViolationSeen(t.deviceId(), t.raised(), t.eventTime());
      expectedViolations.add(key);
      if (!seenViolations.containsKey(key)) {
        violationsMissing++;
        note(sample, "missing violation " + key);
      }
    }
    int violationDuplicates = 0;
    int violationsUnexpected = 0;
    for (Map.Entry<ViolationSeen, Integer> e : seenViolations.entrySet()) {
      violationDuplicates += e.getValue() - 1;
      if (e.getValue() > 1) {
        note(sample, e.getValue() + "x violation " + e.getKey());
      }
      if (!expectedViolations.contains(e.getKey())) {
        violationsUnexpected += e.getValue();
        note(sample, "unexpected violation " + e.getKey());
      }
    }

    Map<Object, Integer> states = new HashMap<>();
    Map<Object, IncidentSeen> described = new HashMap<>();
    Set<String> reflected = new HashSet<>();
    Map<String, IncidentSeen> latest = new TreeMap<>();
    for (IncidentSeen i : incidents) {
      states.merge(i.state(), 1, Integer::sum);
      described.putIfAbsent(i.state(), i);
      reflected.add(i.deviceId() + "@" + i.lastSeenAt());
      latest.put(i.id(), i);
    }
    int incidentDuplicates = 0;
    for (Map.Entry<Object, Integer> e : states.entrySet()) {
      if (e.getValue() > 1) {
        incidentDuplicates += e.getValue() - 1;
        IncidentSeen i = described.get(e.getKey());
        note(sample, e.getValue() + "x the same state of incident " + i.id() + " (lastSeenAt " + i.lastSeenAt() + ")");
      }
    }
    int notInIncidents = 0;
    int raises = 0;
    for (Transition t : expected) {
      raises += t.raised() ? 1 : 0;
      if (!reflected.contains(t.deviceId() + "@" + t.eventTime())) {
        notInIncidents++;
        note(sample, "no incident record for " + t);
      }
    }
    int openAtEnd = (int) latest.values().stream().filter(i -> !i.resolved()).count();
    return new Counts(expected.size(), violations.size(), violationDuplicates, violationsMissing,
        violationsUnexpected, incidents.size(), incidentDuplicates, notInIncidents, raises, latest.size(), openAtEnd,
        String.join("; ", sample));
  }

  /** Incident records (all transitions, in topic order per partition) of {@code site}'s probe policy. */
  static List<Incident> incidents(String bootstrapServers, String site) {
    return readCommitted(bootstrapServers, ReliabilityFixtures.TOPICS.incidents().name(), AvroSerde.of(Incident.class))
        .stream()
        .filter(i -> site.equals(i.getSite()) && ReliabilityFixtures.POLICY_ID.equals(i.getPolicyId()))
        .toList();
  }

  /** Committed incident records of {@code site} in status OPEN (an incident opened, or reopened). */
  static int opened(String bootstrapServers, String site) {
    return (int) incidents(bootstrapServers, site).stream().filter(i -> i.getStatus() == IncidentStatus.OPEN).count();
  }

  /**
   * Waits until {@link #opened(String, String)} reaches {@code count}: the streams app is committing incidents.
   *
   * @throws AssertionError if it does not within {@code timeout}
   */
  static void awaitOpened(String bootstrapServers, String site, int count, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int opened;
    while ((opened = opened(bootstrapServers, site)) < count) {
      if (System.nanoTime() - deadline >= 0) {
        throw new AssertionError(opened + " OPEN incident records of site " + site + " committed, not " + count
            + ", within " + timeout);
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
  }

  /** The latest record of every incident of {@code site}, by id. */
  static Map<String, Incident> latestIncidents(String bootstrapServers, String site) {
    Map<String, Incident> latest = new TreeMap<>();
    incidents(bootstrapServers, site).forEach(i -> latest.put(i.getId(), i));
    return latest;
  }

  private static void note(List<String> sample, String what) {
    if (sample.size() < 8) {
      sample.add(what);
    }
  }

  /** Every committed value of {@code topic}, up to its last stable offset at the time of the call. */
  static <V> List<V> readCommitted(String bootstrapServers, String topic, Deserializer<V> serde) {
    Map<String, Object> config = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000,
        ConsumerConfig.CLIENT_ID_CONFIG, "reliability-audit");
    List<V> values = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(10));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p, Duration.ofSeconds(10)) < ends.get(p))) {
        if (System.nanoTime() - deadline >= 0) {
          throw new AssertionError("could not read " + topic + " up to " + ends + " within 60 s");
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (record.value() != null) {
            values.add(serde.deserialize(topic, record.value()));
          }
        }
      }
    }
    return values;
  }
}
