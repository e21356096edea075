package io.fleetwatch.app.reliability;

import io.fleetwatch.app.reliability.TelemetryFeed.Transition;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentStatus;
import io.fleetwatch.avro.Violation;
import io.fleetwatch.avro.ViolationStatus;
import io.fleetwatch.schemas.AvroSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * What the streams app committed for one {@link TelemetryFeed}, against what it must have produced: every expected
 * violation (device, RAISED/CLEARED, device time) exactly once in {@code fleet.violations}, and per incident exactly
 * one OPEN and, when its clearing reading was fed, one RESOLVED record in {@code fleet.incidents}. Both topics are
 * read {@code read_committed} up to their last stable offset, so records of aborted transactions (a killed instance's
 * unfinished work) do not count and duplicates from a replay that was committed twice would.
 *
 * <p>The probe policy has one check, so an incident only ever has two records (opened, resolved); any further record
 * with the same id and status is a duplicated transition.
 */
final class PipelineAudit {

  /** Counts of one audit. */
  record Counts(int violationsExpected, int violationsSeen, int violationDuplicates, int violationsMissing,
      int violationsUnexpected, int transitionsExpected, int transitionsSeen, int transitionDuplicates,
      int transitionsMissing, int transitionsUnexpected, int incidentsExpected, int incidentsSeen, int openAtEnd, String sample) {

    boolean exact() {
      return violationDuplicates == 0 && violationsMissing == 0 && violationsUnexpected == 0
          && transitionDuplicates == 0 && transitionsMissing == 0 && transitionsUnexpected == 0
          && incidentsSeen == incidentsExpected;
    }

    @Override
    public String toString() {
      return "violations expected=" + violationsExpected + " seen=" + violationsSeen + " duplicates="
          + violationDuplicates + " missing=" + violationsMissing + " unexpected=" + violationsUnexpected
          + " | incident transitions expected=" + transitionsExpected + " seen=" + transitionsSeen + " duplicates="
          + transitionDuplicates + " missing=" + transitionsMissing + " unexpected=" + transitionsUnexpected
          + " | incidents expected=" + incidentsExpected
          + " seen=" + incidentsSeen + " open at end=" + openAtEnd + (sample.isEmpty() ? "" : " (e.g. " + sample + ")");
    }
  }

  private record ViolationKey(String deviceId, boolean raised, long eventTime) {}

  private record TransitionKey(String incidentId, IncidentStatus status) {}

  private PipelineAudit() {}

  /** Audits the committed output for {@code feed}'s site against {@code feed.expected()}. */
  static Counts audit(String bootstrapServers, TelemetryFeed feed) {
    List<Transition> expected = feed.expected();
    List<Violation> violations = readCommitted(bootstrapServers, ReliabilityFixtures.TOPICS.violations().name(),
        AvroSerde.of(Violation.class)).stream()
        .filter(v -> feed.site().equals(v.getSite()) && ReliabilityFixtures.POLICY_ID.equals(v.getPolicyId()))
        .toList();
    List<Incident> incidents = incidents(bootstrapServers, feed.site());
    List<String> sample = new ArrayList<>();

    Map<ViolationKey, Integer> seenViolations = new HashMap<>();
    for (Violation v : violations) {
      seenViolations.merge(new ViolationKey(v.getDeviceId(), v.getStatus() == ViolationStatus.RAISED,
          v.getEventTime().toEpochMilli()), 1, Integer::sum);
    }
    Set<ViolationKey> expectedViolations = new HashSet<>();
    int violationsMissing = 0;
    for (Transition t : expected) {
      ViolationKey key = new ViolationKey(t.deviceId(), t.raised(), t.eventTime());
      expectedViolations.add(key);
      if (!seenViolations.containsKey(key)) {
        violationsMissing++;
        note(sample, "missing violation " + key);
      }
    }
    int violationDuplicates = 0;
    int violationsUnexpected = 0;
    for (Map.Entry<ViolationKey, Integer> e : seenViolations.entrySet()) {
      violationDuplicates += e.getValue() - 1;
      if (e.getValue() > 1) {
        note(sample, e.getValue() + "x violation " + e.getKey());
      }
      if (!expectedViolations.contains(e.getKey())) {
        violationsUnexpected += e.getValue();
        note(sample, "unexpected violation " + e.getKey());
      }
    }

    // Incidents: opened by each expected raise (device, time), resolved by the device's next expected clear.
    Map<TransitionKey, Integer> seenTransitions = new HashMap<>();
    Map<String, Incident> byDeviceAndOpening = new HashMap<>();
    Map<String, Incident> latest = new TreeMap<>();
    for (Incident i : incidents) {
      seenTransitions.merge(new TransitionKey(i.getId(), i.getStatus()), 1, Integer::sum);
      byDeviceAndOpening.putIfAbsent(i.getDeviceId() + "@" + i.getOpenedAt().toEpochMilli(), i);
      latest.put(i.getId(), i);
    }
    int transitionsExpected = 0;
    int transitionsMissing = 0;
    int incidentsExpected = 0;
    Set<TransitionKey> expectedTransitions = new HashSet<>();
    for (int k = 0; k < expected.size(); k++) {
      Transition t = expected.get(k);
      if (!t.raised()) {
        continue;
      }
      incidentsExpected++;
      boolean resolves = k + 1 < expected.size() && expected.get(k + 1).deviceId().equals(t.deviceId());
      transitionsExpected += resolves ? 2 : 1;
      Incident incident = byDeviceAndOpening.get(t.deviceId() + "@" + t.eventTime());
      if (incident == null) {
        transitionsMissing += resolves ? 2 : 1;
        note(sample, "no incident for " + t);
        continue;
      }
      expectedTransitions.add(new TransitionKey(incident.getId(), IncidentStatus.OPEN));
      if (!seenTransitions.containsKey(new TransitionKey(incident.getId(), IncidentStatus.OPEN))) {
        transitionsMissing++;
        note(sample, "no OPEN record of " + incident.getId());
      }
      if (resolves) {
        TransitionKey resolved = new TransitionKey(incident.getId(), IncidentStatus.RESOLVED);
        expectedTransitions.add(resolved);
        if (!seenTransitions.containsKey(resolved)) {
          transitionsMissing++;
          note(sample, "no RESOLVED record of " + incident.getId());
        }
      }
    }
    int transitionDuplicates = 0;
    int transitionsUnexpected = 0;
    for (Map.Entry<TransitionKey, Integer> e : seenTransitions.entrySet()) {
      transitionDuplicates += e.getValue() - 1;
      if (e.getValue() > 1) {
        note(sample, e.getValue() + "x " + e.getKey());
      }
      if (!expectedTransitions.contains(e.getKey())) {
        transitionsUnexpected += e.getValue();
        note(sample, "unexpected " + e.getKey());
      }
    }
    int openAtEnd = (int) latest.values().stream().filter(i -> i.getStatus() != IncidentStatus.RESOLVED).count();
    return new Counts(expected.size(), violations.size(), violationDuplicates, violationsMissing,
        violationsUnexpected, transitionsExpected, incidents.size(), transitionDuplicates, transitionsMissing,
        transitionsUnexpected, incidentsExpected, latest.size(), openAtEnd, String.join("; ", sample));
  }

  /** Incident records (all transitions, in topic order per partition) of {@code site}'s probe policy. */
  static List<Incident> incidents(String bootstrapServers, String site) {
    return readCommitted(bootstrapServers, ReliabilityFixtures.TOPICS.incidents().name(), AvroSerde.of(Incident.class))
        .stream()
        .filter(i -> site.equals(i.getSite()) && ReliabilityFixtures.POLICY_ID.equals(i.getPolicyId()))
        .toList();
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
