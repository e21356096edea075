package io.fleetwatch.app.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.app.bench.DeliveryReport;
import io.fleetwatch.app.bench.SequenceLedger;
import io.fleetwatch.app.bench.SequencePublisher;
import io.fleetwatch.app.embedded.EmbeddedKafka;
import io.fleetwatch.app.harness.GatewayProcess;
import io.fleetwatch.app.harness.Mosquitto;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * mosquitto restarts under a QoS 1 stream while {@code fleetwatch gateway} (child JVM, persistent session) is connected:
 * the gateway reconnects and resubscribes by itself, and messages published after the restart reach Kafka. With
 * persistence on, the messages the broker had acknowledged to publishers and queued for the gateway's session survive
 * the restart and reach Kafka too; without it they are lost by the broker (counted, the README's reason to turn
 * persistence on).
 *
 * <p>To have a backlog queued for the gateway at the restart, whatever the machine's speed, the gateway process is
 * frozen (SIGSTOP) before the restart, still connected as far as the broker knows, while the publisher keeps going;
 * it is thawed (SIGCONT) after the restart. Scale: 100 devices at 1000 msgs/s, a stream of 20000 messages around the
 * restart, then 5000 published after it; with {@code -Dfleetwatch.soak.minutes=N} the broker restarts N times, each
 * time inside a new stream that starts after the previous restart.
 */
class MqttBrokerRestartIT {
  private static final Logger LOG = LoggerFactory.getLogger(MqttBrokerRestartIT.class);
  private static final double RATE = 1000;
  private static final int MESSAGES = 20_000;
  private static final int RESTARTS = ReliabilityFixtures.soaking()
      ? (int) Math.max(1, ReliabilityFixtures.SOAK.toMinutes()) : 1;
  private static final int AFTER = 5_000;
  /** Messages the broker must have acknowledged to the publisher while the gateway is frozen. */
  private static final int BACKLOG = 2_000;
  private static final Duration WAIT = Duration.ofSeconds(120);

  @TempDir Path logs;

  @Test
  void gatewayResumesItsPersistentSessionAndLosesNothingTheBrokerQueuedAcrossARestart() throws Exception {
    long began = System.nanoTime();
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().build().start();
        Mosquitto mosquitto = Mosquitto.builder().persistence(true).build().start()) {
      ReliabilityFixtures.createTopics(kafka.bootstrapServers());
      GatewayProcess gateway = startGateway(kafka, mosquitto, "gw-restart-persistent");
      try {
        long queuedAtRestarts = 0;
        for (int restart = 1; restart <= RESTARTS; restart++) {
          // A stream per restart: publishers do not reconnect, so each restart's stream starts after the previous one
          String site = "brk-p" + restart;
          try (SequenceLedger ledger = ledger(kafka, site);
              SequencePublisher publisher = SequencePublisher.start(
                  new SequencePublisher.Load(mosquitto.uri(), site, 4, 25, MESSAGES, 1, 100, RATE))) {
            // Given a third of the stream forwarded, then the gateway frozen while the broker queues more for it
            assertTrue(ledger.awaitDistinct(MESSAGES / 3, WAIT),
                "a third of the stream in Kafka; gateway log:\n" + gateway.readLog());
            signal(gateway, "STOP");
            long ackedAtFreeze = publisher.acknowledgedCount();
            boolean backlog = awaitAcknowledged(publisher, ackedAtFreeze + BACKLOG, WAIT);

            // When the broker restarts (SIGTERM: it saves sessions and queued messages) and the gateway thaws
            mosquitto.stop();
            long queued = publisher.acknowledged().missingFrom(ledger.seen());
            queuedAtRestarts += queued;
            mosquitto.start();
            signal(gateway, "CONT");
            assertTrue(backlog && queued >= BACKLOG, "backlog queued for the gateway at the restart: " + queued);

            // Then every message the broker acknowledged reaches Kafka
            assertTrue(publisher.awaitDone(WAIT), "publisher finished");
            boolean complete = ledger.awaitAll(publisher.acknowledged(), WAIT);
            DeliveryReport report = ledger.report("mqtt broker restart " + restart + "/" + RESTARTS
                + " (persistence)", publisher);
            LOG.info("REPORT {}; queued for the gateway at the restart {}", report, queued);
            assertTrue(complete, "acknowledged messages in Kafka: " + report + "; gateway log:\n" + gateway.readLog());
            assertEquals(0, report.missing(), report.toString());
            assertTrue(report.acknowledged() < MESSAGES,
                "publishes failed while the broker was down, so the restart fell inside the stream: " + report);
          }
        }

        // ... a stream published after the restart arrives, and the gateway resumed its session each time
        DeliveryReport afterReport = publishAfterRestart(mosquitto, ledger(kafka, "brk-p-after"), "brk-p-after");
        LOG.info("REPORT {}; queued for the gateway at {} restarts {} | test {} s", afterReport, RESTARTS,
            queuedAtRestarts, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began));
        assertEquals(AFTER, afterReport.acknowledged(), afterReport.toString());
        assertEquals(0, afterReport.missing(), afterReport.toString());
        assertTrue(occurrences(gateway.readLog(), "(session present: true)") >= RESTARTS
            && occurrences(gateway.readLog(), "(session present: false)") == 1,
            "the gateway resumed its session after every restart; log:\n" + gateway.readLog());
      } finally {
        gateway.close();
      }
    }
  }

  @Test
  void gatewaySubscribesAgainWhenTheRestartedBrokerLostItsSession() throws Exception {
    long began = System.nanoTime();
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().build().start();
        Mosquitto mosquitto = Mosquitto.builder().persistence(false).build().start()) {
      ReliabilityFixtures.createTopics(kafka.bootstrapServers());
      GatewayProcess gateway = startGateway(kafka, mosquitto, "gw-restart-volatile");
      try (SequenceLedger ledger = ledger(kafka, "brk-v");
          SequencePublisher publisher = SequencePublisher.start(
              new SequencePublisher.Load(mosquitto.uri(), "brk-v", 4, 25, MESSAGES / 2, 1, 100, RATE))) {
        // Given part of a stream forwarded
        assertTrue(ledger.awaitDistinct(MESSAGES / 6, WAIT), "a third in Kafka; log:\n" + gateway.readLog());

        // When the broker restarts without persistence (sessions and subscriptions gone)
        mosquitto.stop();
        mosquitto.start();

        // Then the gateway connects to a fresh session and subscribes again, and a stream published after that arrives
        assertTrue(awaitLogCount(gateway, "subscribed to fleet/", 2, WAIT),
            "the gateway subscribed again; log:\n" + gateway.readLog());
        assertTrue(publisher.awaitDone(WAIT), "publisher finished");
        ledger.awaitAll(publisher.acknowledged(), Duration.ofSeconds(5)); // lets stragglers land; loss is expected
        DeliveryReport report = ledger.report("mqtt broker restarted (no persistence)", publisher);
        DeliveryReport afterReport = publishAfterRestart(mosquitto, ledger(kafka, "brk-v-after"), "brk-v-after");
        LOG.info("REPORT {}; acknowledged to the publisher but lost with the broker's memory: {} | REPORT {} | test {} s",
            report, report.missing(), afterReport, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began));
        assertTrue(gateway.readLog().contains("(session present: false)"), "fresh session; log:\n" + gateway.readLog());
        assertEquals(AFTER, afterReport.acknowledged(), afterReport.toString());
        assertEquals(0, afterReport.missing(), afterReport.toString());
      } finally {
        gateway.close();
      }
    }
  }

  private GatewayProcess startGateway(EmbeddedKafka kafka, Mosquitto mosquitto, String clientId)
      throws InterruptedException {
    Map<String, String> env = Map.of(
        "FLEETWATCH_MQTT_URI", mosquitto.uri(),
        "FLEETWATCH_MQTT_CLIENT_ID", clientId,
        "FLEETWATCH_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    return GatewayProcess.start(env, logs.resolve(clientId + ".log")).awaitReady(Duration.ofSeconds(60));
  }

  private static SequenceLedger ledger(EmbeddedKafka kafka, String site) {
    return SequenceLedger.start(kafka.bootstrapServers(), ReliabilityFixtures.TOPICS.telemetry().name(), site,
        SequenceLedger.TELEMETRY);
  }

  /**
   * Publishes {@value #AFTER} messages of {@code site} and waits until Kafka has every acknowledged one; closes
   * {@code ledger}.
   */
  private static DeliveryReport publishAfterRestart(Mosquitto mosquitto, SequenceLedger ledger, String site)
      throws Exception {
    try (ledger; SequencePublisher publisher = SequencePublisher.start(
        new SequencePublisher.Load(mosquitto.uri(), site, 4, 25, AFTER, 1, 100, RATE))) {
      assertTrue(publisher.awaitDone(WAIT), "publisher after the restart finished");
      ledger.awaitAll(publisher.acknowledged(), WAIT);
      return ledger.report("published after the restart", publisher);
    }
  }

  private static boolean awaitAcknowledged(SequencePublisher publisher, long count, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (publisher.acknowledgedCount() < count) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
    return true;
  }

  private static boolean awaitLogCount(GatewayProcess gateway, String text, int count, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (occurrences(gateway.readLog(), text) < count) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
    return true;
  }

  private static int occurrences(String haystack, String needle) {
    int n = 0;
    for (int at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
      n++;
    }
    return n;
  }

  /** Sends {@code SIGSTOP} / {@code SIGCONT} to the gateway process. */
  private static void signal(GatewayProcess gateway, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(gateway.pid())).inheritIO().start();
    assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + signal + " " + gateway.pid());
  }
}
