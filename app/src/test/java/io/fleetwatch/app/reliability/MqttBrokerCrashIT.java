package io.fleetwatch.app.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.app.bench.DeliveryReport;
import io.fleetwatch.app.bench.SequenceLedger;
import io.fleetwatch.app.bench.SequencePublisher;
import io.fleetwatch.app.embedded.EmbeddedKafka;
import io.fleetwatch.app.harness.GatewayProcess;
import io.fleetwatch.app.harness.Mosquitto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * mosquitto is SIGKILLed (a crash: no final save) with persistence on, while a backlog is queued for the frozen
 * {@code fleetwatch gateway}, and restarts on the same port from its persistence file. mosquitto writes that file
 * only every {@code autosave_interval} (here {@link #AUTOSAVE}) and on a clean stop, so the broker itself loses what
 * it acknowledged to publishers since its last save: that loss is the broker's, measured and reported, not asserted.
 * Asserted is the pipeline's own part: every message the gateway took from the broker (so every message it
 * acknowledged, which it does only after Kafka acknowledged it) is in Kafka, in per-device order; the gateway resumes
 * its persistent session (saved by an autosave before the crash) and forwards everything published afterwards.
 *
 * <p>Scale: 100 devices at 1000 msgs/s; a third of a 20000-message stream forwarded, then the gateway frozen until the
 * broker acknowledged 2000 more, the kill, then 5000 published after the restart.
 */
class MqttBrokerCrashIT {
  private static final Logger LOG = LoggerFactory.getLogger(MqttBrokerCrashIT.class);
  private static final double RATE = 1000;
  private static final int MESSAGES = 20_000;
  private static final int BACKLOG = 2_000;
  private static final int AFTER = 5_000;
  private static final Duration AUTOSAVE = Duration.ofSeconds(5);
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final String TELEMETRY = "channel=\"telemetry\"";

  @TempDir Path logs;

  @Test
  void gatewayLosesNothingItTookAndResumesItsSessionWhenThePersistentBrokerIsKilled() throws Exception {
    long began = System.nanoTime();
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().build().start();
        Mosquitto mosquitto = Mosquitto.builder().persistence(true).autosaveInterval(AUTOSAVE).build().start()) {
      ReliabilityFixtures.createTopics(kafka.bootstrapServers());
      try (GatewayProcess gateway = GatewayFixtures.startGateway(kafka, mosquitto, "gw-crash", logs)) {
        long gatewayReadyAt = System.nanoTime();
        DeliveryReport report;
        long queued;
        long sinceSaveMs;
        try (SequenceLedger ledger = GatewayFixtures.ledger(kafka, "crash");
            SequencePublisher publisher = GatewayFixtures.publish(mosquitto, "crash", MESSAGES, RATE)) {
          // Given a backlog queued for the frozen gateway, and the gateway's session saved by an autosave
          boolean backlog = GatewayFixtures.freezeWithBacklog(gateway, ledger, publisher, MESSAGES / 3, BACKLOG, WAIT);
          long subscribedFor = System.nanoTime() - gatewayReadyAt;
          if (subscribedFor < AUTOSAVE.plusSeconds(1).toNanos()) {
            TimeUnit.NANOSECONDS.sleep(AUTOSAVE.plusSeconds(1).toNanos() - subscribedFor); // one autosave since
          }

          // When the broker is killed (no save) and restarts from its persistence file, and the gateway thaws
          mosquitto.kill();
          sinceSaveMs = System.currentTimeMillis()
              - Files.getLastModifiedTime(mosquitto.persistenceFile()).toMillis();
          queued = publisher.acknowledged().missingFrom(ledger.seen());
          mosquitto.start();
          gateway.thaw();
          assertTrue(backlog && queued >= BACKLOG, "backlog queued for the gateway at the kill: " + queued);

          // Then what the broker still had reaches Kafka; the rest is the broker's loss (counted)
          assertTrue(publisher.awaitDone(WAIT), "publisher finished");
          assertTrue(GatewayFixtures.awaitLogCount(gateway, GatewayFixtures.SESSION_PRESENT, 2, WAIT),
              "the gateway connected again; log:\n" + gateway.readLog());
          ledger.awaitDistinctOrQuiet(publisher.acknowledgedCount(), Duration.ofSeconds(5), WAIT);
          report = ledger.report("mqtt broker killed (persistence, autosave " + AUTOSAVE.toSeconds() + " s)",
              publisher);
          assertEquals(0, report.reordered(), "per-device order in Kafka: " + report);
        }

        // ... a stream published after the restart arrives whole, on the resumed session ...
        DeliveryReport after = GatewayFixtures.publishAndAwait(mosquitto,
            GatewayFixtures.ledger(kafka, "crash-after"), "crash-after", AFTER, RATE, WAIT);
        // ... and everything the gateway took from the broker is in Kafka: received = forwarded = records in Kafka
        long inKafka = report.inKafka() + after.inKafka();
        double received = 0;
        double forwarded = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() - deadline < 0) {
          received = GatewayFixtures.metric(gateway, "fleetwatch_gateway_messages_received_total", TELEMETRY);
          forwarded = GatewayFixtures.metric(gateway, "fleetwatch_gateway_messages_forwarded_total", TELEMETRY);
          if (received == forwarded && forwarded == inKafka) {
            break;
          }
          TimeUnit.MILLISECONDS.sleep(200);
        }
        LOG.info("REPORT {}; queued for the gateway at the kill {}, lost by the broker {} (last autosave {} ms"
            + " before the kill), redelivered twice {}; gateway received {} forwarded {}, records in Kafka {}"
            + " | REPORT {} | test {} s", report, queued, report.missing(), sinceSaveMs, report.duplicates(), (long) received,
            (long) forwarded, inKafka, after, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began));
        assertTrue(report.missing() <= queued, "the broker lost only what it held at the kill: " + report);
        assertEquals(received, forwarded, "every message the gateway took from the broker was forwarded");
        assertEquals((long) forwarded, inKafka, "every forwarded message is in Kafka (records of both streams)");
        assertEquals(AFTER, after.acknowledged(), after.toString());
        assertEquals(0, after.missing(), after.toString());
        assertEquals(0, after.reordered(), after.toString());
        String log = gateway.readLog();
        assertEquals(1, GatewayFixtures.occurrences(log, GatewayFixtures.SESSION_PRESENT + "false)"),
            "a fresh session at the first connect only; log:\n" + log);
        assertEquals(1, GatewayFixtures.occurrences(log, GatewayFixtures.SESSION_PRESENT + "true)"),
            "the gateway resumed its session after the crash; log:\n" + log);
      }
    }
  }
}
