package io.fleetwatch.app.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.app.harness.GatewayProcess;
import io.fleetwatch.app.harness.Mosquitto;
import io.fleetwatch.bench.DeliveryReport;
import io.fleetwatch.bench.SequenceLedger;
import io.fleetwatch.bench.SequencePublisher;
import io.fleetwatch.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
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
          try (SequenceLedger ledger = GatewayFixtures.ledger(kafka, site);
              SequencePublisher publisher = GatewayFixtures.publish(mosquitto, site, MESSAGES, RATE)) {
            // Given a third of the stream forwarded, then the gateway frozen while the broker queues more for it
            boolean backlog = GatewayFixtures.freezeWithBacklog(gateway, ledger, publisher, MESSAGES / 3, BACKLOG, WAIT);

            // When the broker restarts (SIGTERM: it saves sessions and queued messages) and the gateway thaws
            mosquitto.stop();
            long queued = publisher.acknowledged().missingFrom(ledger.seen());
            queuedAtRestarts += queued;
            mosquitto.start();
            gateway.thaw();
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
        DeliveryReport afterReport = publishAfterRestart(mosquitto, GatewayFixtures.ledger(kafka, "brk-p-after"), "brk-p-after");
        LOG.info("REPORT {}; queued for the gateway at {} restarts {} | test {} s", afterReport, RESTARTS,
            queuedAtRestarts, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began));
        assertEquals(AFTER, afterReport.acknowledged(), afterReport.toString());
        assertEquals(0, afterReport.missing(), afterReport.toString());
        assertTrue(GatewayFixtures.occurrences(gateway.readLog(), GatewayFixtures.SESSION_PRESENT + "true)") >= RESTARTS
            && GatewayFixtures.occurrences(gateway.readLog(), GatewayFixtures.SESSION_PRESENT + "false)") == 1,
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
      try (SequenceLedger ledger = GatewayFixtures.ledger(kafka, "brk-v");
          SequencePublisher publisher = GatewayFixtures.publish(mosquitto, "brk-v", MESSAGES / 2, RATE)) {
        // Given part of a stream forwarded
        assertTrue(ledger.awaitDistinct(MESSAGES / 6, WAIT), "a third in Kafka; log:\n" + gateway.readLog());

        // When the broker restarts without persistence (sessions and subscriptions gone)
        mosquitto.stop();
        mosquitto.start();

        // Then the gateway connects to a fresh session and subscribes again, and a stream published after that arrives
        assertTrue(GatewayFixtures.awaitLogCount(gateway, "subscribed to fleet/", 2, WAIT),
            "the gateway subscribed again; log:\n" + gateway.readLog());
        assertTrue(publisher.awaitDone(WAIT), "publisher finished");
        ledger.awaitAll(publisher.acknowledged(), Duration.ofSeconds(5)); // lets stragglers land; loss is expected
        DeliveryReport report = ledger.report("mqtt broker restarted (no persistence)", publisher);
        DeliveryReport afterReport = publishAfterRestart(mosquitto, GatewayFixtures.ledger(kafka, "brk-v-after"), "brk-v-after");
        LOG.info("REPORT {}; acknowledged to the publisher but lost with the broker's memory: {} | REPORT {} | test {} s",
            report, report.missing(), afterReport, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began));
        assertTrue(gateway.readLog().contains(GatewayFixtures.SESSION_PRESENT + "false)"), "fresh session; log:\n" + gateway.readLog());
        assertEquals(AFTER, afterReport.acknowledged(), afterReport.toString());
        assertEquals(0, afterReport.missing(), afterReport.toString());
      } finally {
        gateway.close();
      }
    }
  }

  private GatewayProcess startGateway(EmbeddedKafka kafka, Mosquitto mosquitto, String clientId)
      throws InterruptedException {
    return GatewayFixtures.startGateway(kafka, mosquitto, clientId, logs);
  }

  private static DeliveryReport publishAfterRestart(Mosquitto mosquitto, SequenceLedger ledger, String site)
      throws Exception {
    return GatewayFixtures.publishAndAwait(mosquitto, ledger, site, AFTER, RATE, WAIT);
  }
}
