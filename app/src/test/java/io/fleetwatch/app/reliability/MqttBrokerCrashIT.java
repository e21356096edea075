package io.fleetwatch.app.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.app.harness.GatewayProcess;
import io.fleetwatch.app.harness.Mosquitto;
import io.fleetwatch.bench.DeliveryReport;
import io.fleetwatch.bench.SequenceLedger;
import io.fleetwatch.bench.SequencePublisher;
import io.fleetwatch.embedded.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
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
  private static final Duration RECONNECT = Duration.ofSeconds(240);
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
        long reconnectMs;
        Settled settled;
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

          // Then the gateway reconnects, and what the broker still had reaches Kafka; the rest is the broker's loss
          long thawedAt = System.nanoTime();
          // Paho's reconnect to a session with a backlog stalls now and then until its keep-alive check gives up
          // (about 95 s, then the next attempt connects: docs/reliability.md, finding 7), hence the longer wait
          assertTrue(GatewayFixtures.awaitLogCount(gateway, GatewayFixtures.SESSION_PRESENT, 2, RECONNECT),
              "the gateway connected again; log:\n" + gateway.readLog());
          reconnectMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - thawedAt);
          LOG.info("gateway after the crash:\n{}", gateway.readLog().lines()
              .filter(l -> l.contains("MQTT") || l.contains("subscribed")).collect(Collectors.joining("\n")));
          assertTrue(publisher.awaitDone(WAIT), "publisher finished");
          // ... settled: the gateway forwarded all it took, Kafka holds every record it forwarded, for 3 s in a row
          settled = awaitSettled(gateway, ledger::records, WAIT);
          report = ledger.report("mqtt broker killed (persistence, autosave " + AUTOSAVE.toSeconds() + " s)",
              publisher);
          assertEquals(0, report.reordered(), "per-device order in Kafka: " + report);
        }

        // ... and a stream published after the restart arrives whole, on the resumed session
        DeliveryReport after = GatewayFixtures.publishAndAwait(mosquitto,
            GatewayFixtures.ledger(kafka, "crash-after"), "crash-after", AFTER, RATE, WAIT);
        LOG.info("REPORT {}; queued for the gateway at the kill {}, lost by the broker {} (last autosave {} ms"
            + " before the kill), redelivered twice {}; gateway reconnected {} ms after the restart, then received {}"
            + " forwarded {}, records in Kafka {} | REPORT {} | test {} s", report, queued, report.missing(),
            sinceSaveMs, report.duplicates(), reconnectMs, settled.received(), settled.forwarded(), settled.inKafka(),
            after, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began));
        // Every message the gateway took from the broker (so every one it acknowledged, which it does only once Kafka
        // acknowledged it) was forwarded and is in Kafka; only the crash stream had been published so far
        assertTrue(settled.exact(), "gateway received = forwarded = records in Kafka: " + settled + "; log:\n"
            + gateway.readLog());
        assertEquals(report.inKafka(), settled.inKafka(), "the ledger read what settled");
        assertTrue(report.missing() <= queued, "the broker lost only what it held at the kill: " + report);
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

  /** The gateway's telemetry counters and the records of the stream in Kafka, at one moment. */
  private record Settled(long received, long forwarded, long inKafka) {
    boolean exact() {
      return received == forwarded && forwarded == inKafka;
    }
  }

  /**
   * Polls the gateway's {@code /metrics} and {@code inKafka} until they are {@link Settled#exact()} and unchanged for
   * 3 s, or {@code wait} passed; returns the last reading.
   */
  private static Settled awaitSettled(GatewayProcess gateway, LongSupplier inKafka, Duration wait)
      throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    Settled last = null;
    long since = System.nanoTime();
    while (true) {
      Settled now = new Settled(
          (long) GatewayFixtures.metric(gateway, "fleetwatch_gateway_messages_received_total", TELEMETRY),
          (long) GatewayFixtures.metric(gateway, "fleetwatch_gateway_messages_forwarded_total", TELEMETRY),
          inKafka.getAsLong());
      if (!now.equals(last)) {
        last = now;
        since = System.nanoTime();
      } else if (now.exact() && System.nanoTime() - since >= TimeUnit.SECONDS.toNanos(3)) {
        return now;
      }
      if (System.nanoTime() - deadline >= 0) {
        return now;
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
  }
}
