package io.fleetwatch.app.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.app.harness.GatewayProcess;
import io.fleetwatch.app.harness.HttpAnswer;
import io.fleetwatch.app.harness.Mosquitto;
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
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka broker stops and starts again (same port, same data directory) while the whole pipeline runs: devices
 * publish to mosquitto, {@code fleetwatch gateway} forwards, and {@code fleetwatch streams} (exactly-once v2) raises
 * and clears violations and opens and resolves incidents. The streams app must recover by itself (same process, no
 * restart: alive, {@code /health} 200, committing again), every violation and incident transition the acknowledged
 * telemetry implies must be committed exactly once ({@link PipelineAudit}), every reading the broker acknowledged must
 * reach {@code fleet.telemetry} in per-device order, and the API must answer afterwards.
 *
 * <p>Scale: 50 devices, {@value #RATE} readings/s for {@link #FEED} over MQTT; Kafka is down {@link #OUTAGE} from a
 * third of the feed on.
 */
class KafkaBrokerRestartIT {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokerRestartIT.class);
  private static final String APPLICATION_ID = "rel-kafka-restart";
  private static final String SITE = "krs";
  private static final int DEVICES = 50;
  private static final double RATE = 500;
  private static final Duration FEED = Duration.ofSeconds(45);
  private static final Duration OUTAGE = Duration.ofSeconds(15);
  private static final Duration START = Duration.ofSeconds(90);
  /** Kafka Streams' log line when the client fails (a stream thread died and the handler shut the client down). */
  private static final Pattern CLIENT_ERROR = Pattern.compile("State transition from \\w+ to (PENDING_)?ERROR");

  @TempDir Path dir;

  @Test
  void streamsAppRecoversByItselfAndCommitsEveryTransitionOnceWhenKafkaRestarts() throws Exception {
    long began = System.nanoTime();
    int messages = (int) (RATE * FEED.toSeconds());
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().build().start();
        Mosquitto mosquitto = Mosquitto.started()) {
      String bootstrap = kafka.bootstrapServers();
      ReliabilityFixtures.createTopics(bootstrap);
      Map<String, String> env = ReliabilityFixtures.streamsEnv(bootstrap, APPLICATION_ID, dir.resolve("state"),
          ReliabilityFixtures.writePolicies(dir.resolve("policies")));
      try (StreamsProcess streams = StreamsProcess.start(env, Ports.free(), dir.resolve("streams.log"))
              .awaitHealthy(START);
          GatewayProcess gateway = GatewayFixtures.startGateway(kafka, mosquitto, "gw-kafka-restart", dir);
          TelemetryFeed feed = TelemetryFeed.startMqtt(mosquitto.uri(), SITE, DEVICES, RATE, messages);
          SequenceLedger ledger = GatewayFixtures.ledger(kafka, SITE)) {
        // Given the pipeline has committed incidents for a third of the feed
        feed.awaitSent(messages / 3);
        PipelineAudit.awaitOpened(bootstrap, SITE, 1, START);

        // When the Kafka broker stops for the outage and starts again on the same port and data directory
        kafka.stop();
        long stoppedAt = System.nanoTime();
        long sentAtStop = feed.sent();
        boolean unhealthyDuringOutage = false;
        while (System.nanoTime() - stoppedAt < OUTAGE.toNanos()) {
          unhealthyDuringOutage |= streams.get("/health").status() != 200;
          TimeUnit.MILLISECONDS.sleep(200); // the outage itself, watching the streams app meanwhile
        }
        int logAtRestart = streams.readLog().length();
        kafka.start();
        long restartedAt = System.nanoTime();

        // Then the same streams process is healthy again and commits incidents again ...
        streams.awaitHealthy(START);
        long healthyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedAt);
        int openedAtRestart = PipelineAudit.opened(bootstrap, SITE);
        PipelineAudit.awaitOpened(bootstrap, SITE, openedAtRestart + 1, START);
        long committingMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedAt);

        // ... and, once it has processed the whole feed, every transition is committed exactly once
        assertTrue(feed.awaitDone(FEED.plusMinutes(2)), "feed finished");
        assertNull(feed.failure(), "feed");
        assertTrue(ledger.awaitAll(feed.acknowledged(), Duration.ofSeconds(120)),
            "every reading the broker acknowledged in fleet.telemetry; gateway log:\n" + gateway.readLog());
        assertTrue(ReliabilityFixtures.awaitCaughtUp(bootstrap, APPLICATION_ID,
            ReliabilityFixtures.TOPICS.telemetry().name(), Duration.ofMinutes(2)),
            "streams app caught up with fleet.telemetry; log:\n" + streams.readLog());
        PipelineAudit.Counts counts = PipelineAudit.awaitComplete(bootstrap, feed, Duration.ofSeconds(60));
        String afterRestart = streams.readLog().substring(logAtRestart);
        LOG.info("REPORT kafka restarted under the streams app ({} s down): sent={} acknowledged={} inKafka={}"
            + " duplicates={} reordered={} | {} | sent at the stop {}, streams /health not 200 during the outage {},"
            + " healthy {} ms and a new incident committed {} ms after Kafka restarted, Kafka Streams state"
            + " transitions after the restart {} | test {} s", OUTAGE.toSeconds(), feed.sent(),
            feed.acknowledgedCount(), ledger.records(), ledger.seen().duplicates(), ledger.reordered(), counts,
            sentAtStop, unhealthyDuringOutage, healthyMs, committingMs,
            GatewayFixtures.occurrences(afterRestart, "State transition from"),
            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began));
        assertEquals(messages, feed.acknowledgedCount(), "feed acknowledged by the MQTT broker");
        assertTrue(sentAtStop < messages / 2, "Kafka stopped early in the feed");
        assertEquals(0, ledger.reordered(), "per-device order in fleet.telemetry");
        assertTrue(counts.exact(), counts.toString());
        assertTrue(counts.incidentsExpected() > 0, counts.toString());

        // ... the process never failed, and the API answers: health, the open incidents the topic holds, a twin
        assertTrue(streams.isAlive(), "the streams process is still running");
        assertFalse(CLIENT_ERROR.matcher(streams.readLog()).find(),
            "Kafka Streams never went to ERROR; log:\n" + streams.readLog());
        assertEquals(200, streams.get("/health").status());
        Set<String> openInTopic = PipelineAudit.latestIncidents(bootstrap, SITE).values().stream()
            .filter(i -> i.getStatus() != IncidentStatus.RESOLVED).map(Incident::getId)
            .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(counts.openAtEnd(), openInTopic.size());
        assertEquals(openInTopic, ReliabilityFixtures.awaitOpenIncidentsListed(streams, SITE, openInTopic,
            Duration.ofSeconds(30)));
        HttpAnswer twin = streams.get("/api/devices/" + feed.deviceId(0));
        assertEquals(200, twin.status(), twin.body());
      }
    }
  }
}
