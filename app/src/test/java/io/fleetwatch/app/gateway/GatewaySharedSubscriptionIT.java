package io.fleetwatch.app.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.app.harness.Mosquitto;
import io.fleetwatch.bench.DeliveryReport;
import io.fleetwatch.bench.SequenceLedger;
import io.fleetwatch.bench.SequencePublisher;
import io.fleetwatch.embedded.EmbeddedKafka;
import io.fleetwatch.gateway.Gateway;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two gateway instances (own client ids and sessions) on one MQTT 5 shared subscription
 * ({@code $share/ingest/fleet/+/+/+}) on mosquitto: every acknowledged message reaches Kafka and both instances
 * forward a substantial share. Size: {@code -Dfleetwatch.it.share.messages} (default 20000), unpaced.
 */
class GatewaySharedSubscriptionIT {
  private static final Logger LOG = LoggerFactory.getLogger(GatewaySharedSubscriptionIT.class);
  private static final int MESSAGES = Integer.getInteger("fleetwatch.it.share.messages", 20_000);

  @Test
  void splitsTheLoadBetweenTwoGatewaysOnOneSharedSubscriptionAndForwardsEveryMessage() throws Exception {
    long began = System.nanoTime();
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().build().start();
        Mosquitto mosquitto = Mosquitto.started()) {
      GatewayFixtures.createTopics(kafka.bootstrapServers());
      SimpleMeterRegistry metricsA = new SimpleMeterRegistry();
      SimpleMeterRegistry metricsB = new SimpleMeterRegistry();
      try (Gateway a = new Gateway(GatewayFixtures.config(mosquitto.uri(), kafka.bootstrapServers(), "gw-share-a")
              .shareGroup("ingest").build(), metricsA);
          Gateway b = new Gateway(GatewayFixtures.config(mosquitto.uri(), kafka.bootstrapServers(), "gw-share-b")
              .shareGroup("ingest").build(), metricsB);
          SequenceLedger ledger = SequenceLedger.start(kafka.bootstrapServers(), "fleet.telemetry", "share",
              SequenceLedger.TELEMETRY)) {
        // Given two gateways subscribed to the same share group
        a.start();
        b.start();
        assertTrue(a.awaitReady(Duration.ofSeconds(30)) && b.awaitReady(Duration.ofSeconds(30)), "gateways ready");

        // When a QoS 1 stream is published as fast as the window allows
        try (SequencePublisher publisher = SequencePublisher.start(
            new SequencePublisher.Load(mosquitto.uri(), "share", 4, 25, MESSAGES, 1, 100, 0))) {
          assertTrue(publisher.awaitDone(Duration.ofSeconds(120)), "publisher finished");
          boolean complete = ledger.awaitAll(publisher.acknowledged(), Duration.ofSeconds(120));

          // Then every acknowledged message is in Kafka and each gateway forwarded more than a fifth
          DeliveryReport report = ledger.report("shared subscription, 2 gateways", publisher);
          double forwardedA = forwarded(metricsA);
          double forwardedB = forwarded(metricsB);
          LOG.info("{}; forwarded by a {} ({}%), by b {} ({}%), test {} s", report, (long) forwardedA,
              Math.round(100 * forwardedA / MESSAGES), (long) forwardedB, Math.round(100 * forwardedB / MESSAGES),
              TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began));
          assertEquals(MESSAGES, report.acknowledged(), report.toString());
          assertTrue(complete, "all acknowledged messages in Kafka: " + report);
          assertEquals(0, report.missing(), report.toString());
          assertTrue(forwardedA > 0.2 * MESSAGES, "gateway a forwarded only " + forwardedA);
          assertTrue(forwardedB > 0.2 * MESSAGES, "gateway b forwarded only " + forwardedB);
          assertTrue(forwardedA + forwardedB >= MESSAGES, "forwarded " + (forwardedA + forwardedB) + " in total");
        }
      }
    }
  }

  private static double forwarded(SimpleMeterRegistry registry) {
    return registry.find("fleetwatch.gateway.messages.forwarded").counters().stream()
        .mapToDouble(Counter::count).sum();
  }
}
