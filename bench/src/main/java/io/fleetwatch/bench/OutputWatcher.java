package io.fleetwatch.bench;

import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latency bench's separate {@code read_committed} consumer of the pipeline's output: {@code fleet.incidents} for
 * fleetwatch, the floor topology's output for the floor. A {@link Match} says which device an output record answers;
 * the first answer for a device with a pending fault ({@code pending}: device → {nanoTime of the raising reading,
 * rate index, its seq}) is that fault's latency; an answer for a device without a fault counts as unexpected.
 */
final class OutputWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OutputWatcher.class);

  /** The device whose awaited record {@code (key, value)} is, or null when it is not one. */
  @FunctionalInterface
  interface Match {
    String device(String topic, String key, byte[] value);
  }

  /** SAF-01 incidents, matched by their device. */
  static Match incidents(Topics topics) {
    var deserializer = topics.incidents().valueSerde().deserializer();
    return (topic, key, value) -> {
      Incident incident = value == null ? null : deserializer.deserialize(topic, value);
      return incident == null || !"SAF-01".equals(incident.getPolicyId()) ? null : incident.getDeviceId();
    };
  }

  /** The floor's pass-through output of a pending fault's raising reading (same device, same {@code seq}). */
  static Match floorOutputs(Topics topics, Map<String, long[]> pending) {
    var deserializer = topics.telemetry().valueSerde().deserializer();
    return (topic, key, value) -> {
      long[] fault = key == null || value == null ? null : pending.get(key);
      if (fault == null) {
        return null;
      }
      Telemetry t = deserializer.deserialize(topic, value);
      return t.getSeq() != null && t.getSeq() == fault[2] ? key : null;
    };
  }

  private final KafkaConsumer<String, byte[]> consumer;
  private final Match match;
  private final Map<String, long[]> pending;
  private final Map<Integer, List<Double>> latencies;
  private final AtomicLong unexpected;
  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  private final Thread thread;
  private volatile boolean running = true;

  OutputWatcher(String bootstrap, String topic, String name, Match match, Map<String, long[]> pending,
      Map<Integer, List<Double>> latencies, AtomicLong unexpected) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    // "<name>-bench-...": the CPU attribution counts this consumer's threads as the bench's.
    config.put(ConsumerConfig.GROUP_ID_CONFIG, name.equals("floor") ? "floor-bench-" + System.nanoTime()
        : "latency-bench-" + System.nanoTime());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
    this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic));
    this.match = match;
    this.pending = pending;
    this.latencies = latencies;
    this.unexpected = unexpected;
    this.thread = new Thread(this::loop, "bench-" + name + "-watcher");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  private void loop() {
    try {
      while (running) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          long now = System.nanoTime();
          String device = match.device(r.topic(), r.key(), r.value());
          if (device == null) {
            continue;
          }
          long[] fault = pending.get(device);
          if (fault != null && seen.add(device)) {
            latencies.computeIfAbsent((int) fault[1], i -> Collections.synchronizedList(new ArrayList<>()))
                .add((now - fault[0]) / 1e6);
          } else if (fault == null && seen.add(device)) {
            unexpected.incrementAndGet();
            LOG.info("{} answered for {} without an injected fault", r.topic(), device);
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    if (thread.isAlive()) {
      consumer.wakeup();
      thread.join(5_000);
    } else {
      consumer.close(Duration.ofSeconds(2));
    }
  }
}
