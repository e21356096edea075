package io.fleetwatch.app.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway process ({@code fleetwatch gateway} in a child JVM) is killed with SIGKILL in the middle of a QoS 1
 * stream and started again with the same client id: its persistent session ({@code cleanStart=false}) makes mosquitto
 * keep and redeliver what the dead process had not acknowledged, so every acknowledged message reaches Kafka.
 *
 * <p>Size: {@code -Dfleetwatch.it.kill.messages} (default 20000) at {@code -Dfleetwatch.it.kill.rate} msgs/s
 * (default 2000).
 */
class GatewayProcessKillIT {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayProcessKillIT.class);
  private static final int MESSAGES = Integer.getInteger("fleetwatch.it.kill.messages", 20_000);
  private static final double RATE = Double.parseDouble(System.getProperty("fleetwatch.it.kill.rate", "2000"));

  @TempDir Path logs;

  @Test
  void losesNothingWhenTheGatewayProcessIsKilledMidStreamAndRestarted() throws Exception {
    long began = System.nanoTime();
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().build().start();
        Mosquitto mosquitto = Mosquitto.started()) {
      GatewayFixtures.createTopics(kafka.bootstrapServers());
      Map<String, String> env = Map.of(
          "FLEETWATCH_MQTT_URI", mosquitto.uri(),
          "FLEETWATCH_MQTT_CLIENT_ID", "gw-kill",
          "FLEETWATCH_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
      Path log = logs.resolve("gateway.log");
      GatewayProcess first = GatewayProcess.start(env, log).awaitReady(Duration.ofSeconds(60));
      try (SequenceLedger ledger = SequenceLedger.start(kafka.bootstrapServers(), "fleet.telemetry", "kill",
              SequenceLedger.TELEMETRY);
          SequencePublisher publisher = SequencePublisher.start(
              new SequencePublisher.Load(mosquitto.uri(), "kill", 4, 25, MESSAGES, 1, 100, RATE))) {
        GatewayProcess second = null;
        try {
          // Given a third of the paced QoS 1 stream forwarded by the first gateway process
          assertTrue(ledger.awaitDistinct(MESSAGES / 3, Duration.ofSeconds(120)),
              "a third in Kafka; gateway log:\n" + first.readLog());

          // When that process is killed (no clean disconnect, no drain) and a new one starts with the same client id
          int exit = first.kill();
          long publishedAtKill = publisher.published();
          long inKafkaAtKill = ledger.seen().size();
          second = GatewayProcess.start(env, log).awaitReady(Duration.ofSeconds(60));

          // Then every acknowledged message is in Kafka; duplicates are counted, not failed
          assertTrue(publisher.awaitDone(Duration.ofSeconds(120)), "publisher finished");
          boolean complete = ledger.awaitAll(publisher.acknowledged(), Duration.ofSeconds(120));
          DeliveryReport report = ledger.report("gateway process killed", publisher);
          LOG.info("{}; exit code {}, published at kill {}, in Kafka at kill {}, test {} s", report, exit,
              publishedAtKill, inKafkaAtKill, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began));
          assertFalse(first.isAlive());
          assertTrue(publishedAtKill < MESSAGES, "killed before the publisher finished");
          assertEquals(MESSAGES, report.acknowledged(), report.toString());
          assertTrue(complete, "all acknowledged messages in Kafka: " + report + "; log:\n" + Files.readString(log));
          assertEquals(0, report.missing(), report.toString());
          assertEquals(0, report.reordered(), "per-device order in Kafka: " + report);
        } finally {
          first.close();
          if (second != null) {
            second.close();
          }
        }
      }
    }
  }
}
