package io.fleetwatch.app.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetwatch.app.harness.HttpAnswer;
import io.fleetwatch.app.harness.Ports;
import io.fleetwatch.app.harness.StreamsProcess;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentStatus;
import io.fleetwatch.bench.SequenceLedger;
import io.fleetwatch.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams app ({@code fleetwatch streams} in a child JVM, exactly-once v2) is killed with SIGKILL while telemetry
 * flows, and a new process starts on the same state directory and application id: every expected violation is
 * committed to {@code fleet.violations} once, reaches its incident in {@code fleet.incidents}, no incident transition is
 * committed twice, incidents open at the kill carry on under the same id (which needs the check states and open
 * incidents restored from their changelogs), and the API serves again with the incidents the topic holds.
 *
 * <p>Scale: 50 devices, 500 readings/s for 45 s, one kill; with {@code -Dfleetwatch.soak.minutes=N} the feed runs N
 * minutes and the process is killed once a minute.
 */
class StreamsProcessKillIT {
  private static final Logger LOG = LoggerFactory.getLogger(StreamsProcessKillIT.class);
  private static final String APPLICATION_ID = "rel-kill";
  private static final String SITE = "kill";
  private static final int DEVICES = 50;
  private static final double RATE = 500;
  private static final Duration FEED =
      ReliabilityFixtures.soaking() ? ReliabilityFixtures.SOAK : Duration.ofSeconds(45);
  private static final int KILLS =
      ReliabilityFixtures.soaking() ? (int) Math.max(1, ReliabilityFixtures.SOAK.toMinutes()) : 1;
  private static final Duration START = Duration.ofSeconds(90);

  private final ObjectMapper json = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void commitsEveryViolationAndIncidentTransitionOnceWhenTheStreamsProcessIsKilledAndRestarted() throws Exception {
    long began = System.nanoTime();
    int messages = (int) (RATE * FEED.toSeconds());
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().build().start()) {
      String bootstrap = kafka.bootstrapServers();
      ReliabilityFixtures.createTopics(bootstrap);
      Map<String, String> env = ReliabilityFixtures.streamsEnv(bootstrap, APPLICATION_ID, dir.resolve("state"),
          ReliabilityFixtures.writePolicies(dir.resolve("policies")));
      int port = Ports.free();
      Path log = dir.resolve("streams.log");
      StreamsProcess streams = StreamsProcess.start(env, port, log).awaitHealthy(START);
      try (TelemetryFeed feed = TelemetryFeed.start(bootstrap, SITE, DEVICES, RATE, messages);
          SequenceLedger ledger = SequenceLedger.start(bootstrap, ReliabilityFixtures.TOPICS.telemetry().name(), SITE,
              SequenceLedger.TELEMETRY)) {
        Map<String, Long> openAtKills = new TreeMap<>();
        long slowestRecoveryMs = 0;
        for (int kill = 1; kill <= KILLS; kill++) {
          // Given the process has committed incidents for a share of the stream
          long share = (long) messages * kill / (KILLS + 2);
          feed.awaitSent(share);
          PipelineAudit.awaitOpened(bootstrap, SITE, PipelineAudit.opened(bootstrap, SITE) + 1, START);
          Map<String, Long> open = PipelineAudit.latestIncidents(bootstrap, SITE).values().stream()
              .filter(i -> i.getStatus() == IncidentStatus.OPEN)
              .collect(Collectors.toMap(Incident::getId, i -> i.getLastSeenAt().toEpochMilli()));

          // When the process is killed (no commit, no abort, no leave-group) and a new one starts on its state
          long killedAt = System.nanoTime();
          streams.kill();
          streams = StreamsProcess.start(env, port, log).awaitHealthy(START);
          long recoveryMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
          slowestRecoveryMs = Math.max(slowestRecoveryMs, recoveryMs);
          LOG.info("streams kill {}/{}: {} incidents open at the kill, healthy again after {} ms", kill, KILLS,
              open.size(), recoveryMs);
          openAtKills.putAll(open);
        }

        // Then, once the new process has processed and committed the whole feed ...
        assertTrue(feed.awaitDone(FEED.plusMinutes(2)), "feed finished");
        assertNull(feed.failure(), "feed");
        assertEquals(messages, feed.acknowledgedCount(), "feed acknowledged by Kafka");
        assertTrue(ReliabilityFixtures.awaitCaughtUp(bootstrap, APPLICATION_ID,
            ReliabilityFixtures.TOPICS.telemetry().name(), Duration.ofMinutes(2)),
            "streams app caught up with fleet.telemetry; log:\n" + streams.readLog());
        assertTrue(ledger.awaitAll(feed.acknowledged(), Duration.ofSeconds(60)), "telemetry in Kafka");
        PipelineAudit.Counts counts = PipelineAudit.awaitComplete(bootstrap, feed, Duration.ofSeconds(60));
        Map<String, Incident> latest = PipelineAudit.latestIncidents(bootstrap, SITE);
        long continuedAcrossKill = openAtKills.entrySet().stream()
            .filter(e -> latest.get(e.getKey()).getLastSeenAt().toEpochMilli() > e.getValue()).count();
        LOG.info("REPORT streams process killed x{}: sent={} acknowledged={} inKafka={} duplicates={} | {} | open at"
            + " kill={} carried on by the new process={} | slowest kill->healthy {} ms | test {} s", KILLS, feed.sent(),
            feed.acknowledgedCount(), ledger.records(), ledger.seen().duplicates(), counts, openAtKills.size(),
            continuedAcrossKill, slowestRecoveryMs, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began));

        // ... every violation and incident transition is there exactly once
        assertTrue(counts.exact(), counts.toString());
        assertTrue(counts.incidentsExpected() > 0, counts.toString());
        // ... incidents open at the kill were carried on (same id, a later reading) by the new process, which needs the
        // check states and open incidents restored from their changelogs: lost state would ignore the clear or open
        // a new incident instead
        assertFalse(openAtKills.isEmpty(), "incidents were open when the process was killed");
        assertEquals(openAtKills.size(), continuedAcrossKill, "incidents open at the kill updated after it");
        assertTrue(ReliabilityFixtures.recordCount(bootstrap, APPLICATION_ID + "-device-check-states-changelog") > 0,
            "check states are backed by a changelog");
        assertTrue(ReliabilityFixtures.recordCount(bootstrap, APPLICATION_ID + "-incidents-by-dedup-changelog") > 0,
            "open incidents are backed by a changelog");

        // ... and the API serves again: health, the open incidents the topic holds, a device twin
        assertEquals(200, streams.get("/health").status());
        Set<String> openInTopic = latest.values().stream().filter(i -> i.getStatus() != IncidentStatus.RESOLVED)
            .map(Incident::getId).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(counts.openAtEnd(), openInTopic.size());
        assertFalse(openInTopic.isEmpty(), "some incidents are open at the end of the feed");
        assertEquals(openInTopic, ReliabilityFixtures.awaitOpenIncidentsListed(streams, SITE, openInTopic,
            Duration.ofSeconds(30)));
        String device = feed.deviceId(0);
        HttpAnswer twin = streams.get("/api/devices/" + device);
        assertEquals(200, twin.status(), twin.body());
        assertEquals(device, json.readTree(twin.body()).path("deviceId").asText(), twin.body());
      } finally {
        streams.close();
      }
    }
  }
}
