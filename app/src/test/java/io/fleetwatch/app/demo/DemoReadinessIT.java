package io.fleetwatch.app.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetwatch.app.harness.KafkaProbe;
import io.fleetwatch.app.harness.MosquittoPub;
import io.fleetwatch.app.harness.Ports;
import io.fleetwatch.avro.Telemetry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Nothing acknowledged is lost at start: while the demo pipeline starts, a device (Debian's {@code mosquitto_pub}, a
 * client independent of the code under test) publishes QoS 1 readings over and over, and more the moment
 * {@code /health/ready} first answers 200; every reading that got a PUBACK must be in {@code fleet.telemetry}. Once on
 * a fresh data directory, once after a restart on the same one.
 */
class DemoReadinessIT {
  private static final Logger LOG = LoggerFactory.getLogger(DemoReadinessIT.class);
  private static final String DEVICE = "boot-probe";
  private static final String TOPIC = "fleet/hq/" + DEVICE + "/telemetry";
  private static final Duration START_DEADLINE = Duration.ofMinutes(3);
  private static final Duration KAFKA_DEADLINE = Duration.ofSeconds(60);
  private static final int AT_READY = 3;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final ObjectMapper json = new ObjectMapper();

  @TempDir
  Path data;

  @Test
  void everyReadingAcknowledgedWhileStartingIsInKafkaOnAFreshDataDirectoryAndAfterARestart() throws Exception {
    DemoSettings settings = new DemoSettings(Ports.LOOPBACK, Ports.free(), Ports.free(), Ports.free(), data,
        Path.of("..", "examples", "demo-fleet", "assets.yaml"), Path.of("..", "policies"), false, 20, 3);

    Round fresh = startPublishingAndCheck(settings, 0);
    // The broker listened for seconds before the gateway subscribed; devices were held back, not acknowledged.
    assertTrue(fresh.heldBack() > 0, "devices refused while the gateway was not subscribed: " + fresh);

    startPublishingAndCheck(settings, 1_000_000);
  }

  private Round startPublishingAndCheck(DemoSettings settings, long firstSeq) throws Exception {
    String mqtt = "tcp://" + Ports.LOOPBACK + ":" + settings.mqttPort();
    Set<Long> acknowledged = new ConcurrentSkipListSet<>();
    AtomicInteger heldBack = new AtomicInteger();
    AtomicBoolean publishing = new AtomicBoolean(true);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    DemoPipeline pipeline = null;
    try {
      // Given a device publishing from before the pipeline starts
      Future<?> device = threads.submit(() -> {
        long seq = firstSeq;
        while (publishing.get()) {
          if (publish(mqtt, seq, heldBack)) {
            acknowledged.add(seq);
          }
          seq++;
        }
        return null;
      });
      // When the pipeline starts
      Future<DemoPipeline> starting = threads.submit(() ->
          new DemoPipeline(settings, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
              .start());
      JsonNode ready = awaitFirstReady(settings.httpPort(), starting);

      // Then the moment it says ready, a device's readings are taken
      for (long seq = firstSeq + 500_000; seq < firstSeq + 500_000 + AT_READY; seq++) {
        MosquittoPub.publish(mqtt, TOPIC, reading(seq));
        acknowledged.add(seq);
      }
      publishing.set(false);
      device.get(30, TimeUnit.SECONDS);
      pipeline = starting.get(60, TimeUnit.SECONDS);
      assertEquals("RUNNING", ready.get("streams").asText(), ready.toString());
      assertEquals("READY", ready.get("gateway").asText(), ready.toString());
      assertEquals("ADMITS_ALL", ready.get("mqtt").asText(), ready.toString());

      // And every acknowledged reading is in fleet.telemetry
      Set<Long> inKafka = new TreeSet<>();
      new KafkaProbe(pipeline.bootstrapServers()).waitFor(pipeline.topics().telemetry().name(),
          pipeline.topics().telemetry().valueSerde().deserializer(), records -> {
            inKafka.clear();
            records.stream().map(r -> r.value()).filter(t -> DEVICE.equals(t.getDeviceId()))
                .map(Telemetry::getSeq).forEach(inKafka::add);
            return inKafka.containsAll(acknowledged);
          }, KAFKA_DEADLINE);
      Round round = new Round(acknowledged.size(), heldBack.get());
      LOG.info("start from seq {}: {}; first ready answer {}", firstSeq, round, ready);
      assertTrue(inKafka.containsAll(acknowledged), () -> "acknowledged but not in Kafka: "
          + acknowledged.stream().filter(s -> !inKafka.contains(s)).map(String::valueOf)
              .collect(Collectors.joining(",")));
      return round;
    } finally {
      publishing.set(false);
      threads.shutdown();
      if (!threads.awaitTermination(60, TimeUnit.SECONDS)) {
        threads.shutdownNow();
      }
      if (pipeline != null) {
        pipeline.close();
      }
    }
  }

  /** Readings acknowledged to the device, and attempts the broker refused because the gateway was not subscribed. */
  private record Round(int acknowledged, int heldBack) {}

  /** Polls {@code /health/ready} until it first answers 200; fails if the pipeline fails to start meanwhile. */
  private JsonNode awaitFirstReady(int httpPort, Future<DemoPipeline> starting) throws Exception {
    URI uri = URI.create("http://" + Ports.LOOPBACK + ":" + httpPort + "/health/ready");
    long deadline = System.nanoTime() + START_DEADLINE.toNanos();
    String last = "no answer";
    while (System.nanoTime() - deadline < 0) {
      if (starting.isDone()) {
        starting.get(); // rethrows a failed start
      }
      try {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET()
            .build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() == 200) {
          return json.readTree(answer.body());
        }
        last = answer.statusCode() + " " + answer.body();
      } catch (IOException e) {
        last = e.toString(); // not listening yet
      }
      TimeUnit.MILLISECONDS.sleep(5); // polling as a probe does, as closely as the first ready answer needs
    }
    throw new AssertionError("/health/ready not 200 within " + START_DEADLINE + ", last: " + last);
  }

  /** One QoS 1 publish; true when acknowledged, false when refused (counted in {@code heldBack} if by admission). */
  private static boolean publish(String mqtt, long seq, AtomicInteger heldBack) throws InterruptedException {
    try {
      MosquittoPub.publish(mqtt, TOPIC, reading(seq));
      return true;
    } catch (IllegalStateException | IOException e) {
      if (e.getMessage() != null && e.getMessage().toLowerCase(Locale.ROOT).contains("unavailable")) {
        heldBack.incrementAndGet();
      }
      return false;
    }
  }

  private static String reading(long seq) {
    return "{\"ts\":" + System.currentTimeMillis() + ",\"seq\":" + seq + ",\"metrics\":{\"supply_temp_c\":7.0}}";
  }
}
