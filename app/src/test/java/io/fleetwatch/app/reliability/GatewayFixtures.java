package io.fleetwatch.app.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.app.harness.GatewayProcess;
import io.fleetwatch.app.harness.HttpAnswer;
import io.fleetwatch.app.harness.Mosquitto;
import io.fleetwatch.bench.DeliveryReport;
import io.fleetwatch.bench.SequenceLedger;
import io.fleetwatch.bench.SequencePublisher;
import io.fleetwatch.embedded.EmbeddedKafka;
import io.fleetwatch.gateway.GatewayConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The gateway side of the fault-matrix tests: a {@code fleetwatch gateway} child process between a mosquitto and an
 * embedded Kafka, sequence-numbered QoS 1 streams of {@value #DEVICES} devices ({@link SequencePublisher}) counted in
 * {@code fleet.telemetry} ({@link SequenceLedger}), and waits with deadlines on the publisher, the gateway's log and
 * its {@code /metrics}.
 */
final class GatewayFixtures {
  /** Publisher connections of a stream. */
  static final int CONNECTIONS = 4;
  /** Devices of a stream, {@value #CONNECTIONS} connections of 25. */
  static final int DEVICES = 100;
  /** Unacknowledged publishes per publisher connection. */
  static final int WINDOW = 100;
  /** The gateway's log line when it connected, then {@code true} or {@code false}. */
  static final String SESSION_PRESENT = "(session present: ";

  private GatewayFixtures() {}

  /** Starts {@code fleetwatch gateway} with MQTT client id {@code clientId} (its session) and waits until ready. */
  static GatewayProcess startGateway(EmbeddedKafka kafka, Mosquitto mosquitto, String clientId, Path logs)
      throws InterruptedException {
    Map<String, String> env = Map.of(
        "FLEETWATCH_MQTT_URI", mosquitto.uri(),
        "FLEETWATCH_MQTT_CLIENT_ID", clientId,
        "FLEETWATCH_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    return GatewayProcess.start(env, logs.resolve(clientId + ".log")).awaitReady(Duration.ofSeconds(60));
  }

  /**
   * Configuration of a gateway run in the test JVM ({@code new Gateway(config, registry)}), where its in-flight count
   * and meters can be sampled; its Kafka producer's {@code client.id} is {@code clientId + "-producer"}.
   */
  static GatewayConfig inProcessConfig(EmbeddedKafka kafka, Mosquitto mosquitto, String clientId, int receiveMaximum) {
    return GatewayConfig.builder()
        .mqttServerUri(mosquitto.uri())
        .mqttClientId(clientId)
        .kafkaBootstrapServers(kafka.bootstrapServers())
        .receiveMaximum(receiveMaximum)
        .build();
  }

  /** Counts {@code site}'s messages in {@code fleet.telemetry}, from the beginning. */
  static SequenceLedger ledger(EmbeddedKafka kafka, String site) {
    return SequenceLedger.start(kafka.bootstrapServers(), ReliabilityFixtures.TOPICS.telemetry().name(), site,
        SequenceLedger.TELEMETRY);
  }

  /** A QoS 1 stream of {@code messages} of {@code site}'s {@value #DEVICES} devices at {@code rate} messages/s. */
  static SequencePublisher publish(Mosquitto mosquitto, String site, int messages, double rate) throws Exception {
    return SequencePublisher.start(new SequencePublisher.Load(mosquitto.uri(), site, CONNECTIONS,
        DEVICES / CONNECTIONS, messages, 1, WINDOW, rate));
  }

  /**
   * Publishes {@code messages} of {@code site} and waits until Kafka has every acknowledged one, or {@code wait}
   * passed; closes {@code ledger}.
   */
  static DeliveryReport publishAndAwait(Mosquitto mosquitto, SequenceLedger ledger, String site, int messages,
      double rate, Duration wait) throws Exception {
    try (ledger; SequencePublisher publisher = publish(mosquitto, site, messages, rate)) {
      assertTrue(publisher.awaitDone(wait), "publisher of " + site + " finished");
      ledger.awaitAll(publisher.acknowledged(), wait);
      return ledger.report(site, publisher);
    }
  }

  /**
   * Waits until {@code forwarded} messages of the stream are in Kafka, freezes the gateway (SIGSTOP: still connected
   * as far as the broker knows, so the broker queues for its session) and waits until the broker acknowledged
   * {@code backlog} more publishes.
   *
   * @return whether the backlog built up within {@code wait}
   */
  static boolean freezeWithBacklog(GatewayProcess gateway, SequenceLedger ledger, SequencePublisher publisher,
      long forwarded, long backlog, Duration wait) throws InterruptedException {
    assertTrue(ledger.awaitDistinct(forwarded, wait),
        forwarded + " messages of the stream in Kafka; gateway log:\n" + gateway.readLog());
    gateway.freeze();
    return awaitAcknowledged(publisher, publisher.acknowledgedCount() + backlog, wait);
  }

  /** Waits until the broker acknowledged {@code count} publishes; returns whether it did within {@code timeout}. */
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

  /** Waits until the gateway's log holds {@code text} {@code count} times; returns whether it did in time. */
  static boolean awaitLogCount(GatewayProcess gateway, String text, int count, Duration timeout)
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

  static int occurrences(String haystack, String needle) {
    int n = 0;
    for (int at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
      n++;
    }
    return n;
  }

  /**
   * The sum of the gateway's Prometheus samples of {@code series} whose labels contain {@code label} (e.g.
   * {@code channel="telemetry"}, or {@code ""} for all), from {@code /metrics}.
   *
   * @throws AssertionError when {@code /metrics} does not answer 200 or serves no such sample
   */
  static double metric(GatewayProcess gateway, String series, String label) throws InterruptedException {
    HttpAnswer answer = gateway.get("/metrics");
    assertTrue(answer.status() == 200, "gateway /metrics: " + answer);
    double sum = 0;
    boolean found = false;
    for (String line : answer.body().split("\n")) {
      if (line.startsWith(series + "{") || line.startsWith(series + " ")) {
        int value = line.lastIndexOf(' ');
        if (line.substring(0, value).contains(label)) {
          sum += Double.parseDouble(line.substring(value + 1));
          found = true;
        }
      }
    }
    assertTrue(found, "gateway /metrics serves " + series + " " + label);
    return sum;
  }
}
