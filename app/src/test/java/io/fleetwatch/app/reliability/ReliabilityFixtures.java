package io.fleetwatch.app.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetwatch.app.harness.HttpAnswer;
import io.fleetwatch.app.harness.StreamsProcess;
import io.fleetwatch.embedded.TopicProvisioner;
import io.fleetwatch.schemas.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Topics, the probe policy, streams process settings and the scale knobs shared by the fault-matrix tests.
 *
 * <p>Scale: {@code -Dfleetwatch.soak.minutes=N} turns every reliability test into a soak: the load runs for about
 * {@code N} minutes and the fault is repeated (see each test); without it the tests run at the small default scale.
 */
final class ReliabilityFixtures {
  static final Topics TOPICS = Topics.withDefaultPrefix();
  /** Partitions of the data topics: several, so tasks and partitions can move between instances. */
  static final int PARTITIONS = 4;
  static final String POLICY_ID = "REL-01";
  static final String CHECK_ID = "probe-value";
  static final String METRIC = "v";
  /** Soak length from {@code -Dfleetwatch.soak.minutes}, or zero for the default small scale. */
  static final Duration SOAK = Duration.ofMinutes(Long.getLong("fleetwatch.soak.minutes", 0));
  private static final ObjectMapper JSON = new ObjectMapper();

  private ReliabilityFixtures() {}

  static boolean soaking() {
    return !SOAK.isZero();
  }

  /** Creates the fleet.* topics on the broker. */
  static void createTopics(String bootstrapServers) {
    try (Admin admin = admin(bootstrapServers)) {
      new TopicProvisioner(admin, PARTITIONS, (short) 1).ensure(TOPICS, Duration.ofSeconds(30));
    }
  }

  static Admin admin(String bootstrapServers) {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
  }

  /**
   * Writes the probe policy into {@code dir} (the only policy the streams app loads, so nothing else fires): an
   * unscoped envelope check on metric {@value #METRIC} with a maximum of 50, raised by one reading above it and
   * cleared by one reading below it.
   */
  static Path writePolicies(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("rel-01-probe.yaml"), String.join("\n",
        "apiVersion: fleetwatch.io/v1",
        "kind: Policy",
        "id: " + POLICY_ID,
        "version: 1",
        "title: Reliability probe outside its envelope",
        "policyKind: safety",
        "severity: high",
        "references:",
        "  - framework: iso-27400",
        "    provision: security of IoT systems in support of safety",
        "remediation: None; the fault-matrix tests raise and clear it on purpose.",
        "checks:",
        "  - id: " + CHECK_ID,
        "    rule:",
        "      type: envelope",
        "      metric: " + METRIC,
        "      max: 50",
        "      raise: {consecutive: 1}",
        "      clear: {consecutive: 1}",
        "      hysteresis: 0",
        ""), StandardCharsets.UTF_8);
    return dir;
  }

  /**
   * Environment of a {@code fleetwatch streams} child process. A 6 s consumer session (the broker's minimum) so a
   * killed member leaves the group in seconds rather than the 45 s default. No quiet period and no reopen window, so
   * every raise opens an incident and every clear resolves it and "incidents expected" (one per raise) is comparable
   * with the incidents seen; the audit itself does not depend on it (with the defaults, PT2M and PT30M, each device
   * keeps one flapping incident and the audits pass the same).
   */
  static Map<String, String> streamsEnv(String bootstrapServers, String applicationId, Path stateDir, Path policies) {
    Map<String, String> env = new HashMap<>();
    env.put("FLEETWATCH_KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
    env.put("FLEETWATCH_STREAMS_APPLICATION_ID", applicationId);
    env.put("FLEETWATCH_STREAMS_STATE_DIR", stateDir.toString());
    env.put("FLEETWATCH_POLICIES", policies.toString());
    env.put("FLEETWATCH_KAFKA_SESSION_TIMEOUT_MS", "6000");
    env.put("FLEETWATCH_KAFKA_HEARTBEAT_INTERVAL_MS", "1000");
    env.put("FLEETWATCH_INCIDENT_QUIET_PERIOD", "PT0S");
    env.put("FLEETWATCH_INCIDENT_REOPEN_WINDOW", "PT0S");
    // Checking the checker: -Dfleetwatch.it.streams.processing.guarantee=at_least_once overrides exactly-once, and the
    // audits must then report duplicates after a kill.
    String guarantee = System.getProperty("fleetwatch.it.streams.processing.guarantee");
    if (guarantee != null) {
      env.put("FLEETWATCH_KAFKA_PROCESSING_GUARANTEE", guarantee);
    }
    return env;
  }

  /**
   * Waits until consumer group {@code groupId} has committed, on every partition of {@code topic}, the topic's end
   * offset: under exactly-once that commit is atomic with the outputs, so everything the input holds has been
   * processed and its results are committed.
   *
   * @return whether that happened within {@code timeout}
   */
  static boolean awaitCaughtUp(String bootstrapServers, String groupId, String topic, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = admin(bootstrapServers)) {
      while (true) {
        try {
          Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
              .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
          Map<TopicPartition, OffsetSpec> request = new HashMap<>();
          for (int p = 0; p < PARTITIONS; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
          }
          var ends = admin.listOffsets(request).all().get(5, TimeUnit.SECONDS);
          boolean caughtUp = ends.entrySet().stream().allMatch(e -> {
            OffsetAndMetadata c = committed.get(e.getKey());
            return c != null && c.offset() >= e.getValue().offset();
          });
          if (caughtUp) {
            return true;
          }
        } catch (ExecutionException | TimeoutException e) {
          // the broker is busy or the group is rebalancing; ask again
        }
        if (System.nanoTime() - deadline >= 0) {
          return false;
        }
        TimeUnit.MILLISECONDS.sleep(200);
      }
    }
  }

  /** Offsets in use in {@code topic} (records, and transaction markers when written transactionally). */
  static long recordCount(String bootstrapServers, String topic) throws Exception {
    try (Admin admin = admin(bootstrapServers)) {
      var description = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
      Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      description.partitions().forEach(p -> {
        earliest.put(new TopicPartition(topic, p.partition()), OffsetSpec.earliest());
        latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
      });
      var first = admin.listOffsets(earliest).all().get(10, TimeUnit.SECONDS);
      var last = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
      long count = 0;
      for (var e : last.entrySet()) {
        count += e.getValue().offset() - first.get(e.getKey()).offset();
      }
      return count;
    }
  }

  /**
   * Polls {@code /api/incidents?status=open&site=..} until it lists exactly {@code expected}'s ids, or the deadline;
   * returns the ids it listed last.
   */
  static Set<String> awaitOpenIncidentsListed(StreamsProcess streams, String site, Set<String> expected,
      Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Set<String> seen = Set.of();
    while (System.nanoTime() - deadline < 0) {
      HttpAnswer answer = streams.get("/api/incidents?status=open&site=" + site);
      if (answer.status() == 200) {
        seen = new TreeSet<>();
        for (JsonNode incident : JSON.readTree(answer.body())) {
          seen.add(incident.path("id").asText());
        }
        if (seen.equals(expected)) {
          return seen;
        }
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    return seen;
  }
}
