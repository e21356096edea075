package io.fleetwatch.app.reliability;

import io.fleetwatch.app.bench.SequenceSet;
import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.schemas.AvroSerde;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes sequence-numbered telemetry of many devices straight into {@code fleet.telemetry} at a sustained rate, with a
 * value that leaves and re-enters the {@link ReliabilityFixtures#POLICY_ID} envelope, so the streams app raises and
 * clears a violation, and opens and resolves an incident, about once per {@value #PERIOD} readings of every device.
 *
 * <p>The streams faults start at Kafka, so this feed bypasses MQTT and the gateway: an idempotent producer with
 * {@code acks=all} and one in-flight order per partition, so every acknowledged reading is in Kafka exactly once and
 * in order, and any duplicate or gap downstream is the streams app's. Devices {@code <site>-d<n>} publish round-robin;
 * reading {@code seq} of device {@code n} is outside the envelope when {@code (seq + n) % PERIOD >= PERIOD / 2}, so
 * the devices' raise/clear phases are staggered and at any moment about half of them have an open incident. Each
 * reading's device time is the wall clock when it was sent (strictly increasing per device); {@link #expected()}
 * derives the violations and incident transitions the pipeline must produce from what Kafka acknowledged.
 */
final class TelemetryFeed implements AutoCloseable {
  /** Readings per raise/clear cycle of a device. */
  static final int PERIOD = 10;
  static final double INSIDE = 10.0;
  static final double OUTSIDE = 90.0;

  /** A violation the pipeline must emit: device, RAISED or CLEARED, device time of the reading. */
  record Transition(String deviceId, boolean raised, long eventTime) {}

  private final String site;
  private final int devices;
  private final double ratePerSecond;
  private final int messages;
  private final KafkaProducer<String, byte[]> producer;
  private final AvroSerde<Telemetry> serde = AvroSerde.of(Telemetry.class);
  private final SequenceSet acknowledged = new SequenceSet();
  private final long[][] times;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong acked = new AtomicLong();
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private final Thread thread;
  private volatile boolean stopping;

  private TelemetryFeed(String bootstrapServers, String site, int devices, double ratePerSecond, int messages) {
    this.site = site;
    this.devices = devices;
    this.ratePerSecond = ratePerSecond;
    this.messages = messages;
    this.times = new long[devices][messages / devices + 1];
    this.producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.LINGER_MS_CONFIG, 5,
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000,
        ProducerConfig.CLIENT_ID_CONFIG, "reliability-feed-" + site),
        new StringSerializer(), new ByteArraySerializer());
    this.thread = new Thread(this::run, "telemetry-feed-" + site);
    this.thread.setDaemon(true);
  }

  /**
   * Starts feeding at once.
   *
   * @param site site of every reading (and device id prefix), so runs can share a topic
   * @param devices devices publishing round-robin
   * @param ratePerSecond readings per second, all devices together
   * @param messages readings in total
   */
  static TelemetryFeed start(String bootstrapServers, String site, int devices, double ratePerSecond, int messages) {
    TelemetryFeed feed = new TelemetryFeed(bootstrapServers, site, devices, ratePerSecond, messages);
    feed.thread.start();
    return feed;
  }

  String deviceId(int device) {
    return site + "-d" + device;
  }

  List<String> deviceIds() {
    List<String> ids = new ArrayList<>();
    for (int d = 0; d < devices; d++) {
      ids.add(deviceId(d));
    }
    return ids;
  }

  String site() {
    return site;
  }

  static double value(int device, long seq) {
    return (seq + device) % PERIOD >= PERIOD / 2 ? OUTSIDE : INSIDE;
  }

  private void run() {
    long start = System.nanoTime();
    long[] lastTs = new long[devices];
    try {
      for (int i = 0; i < messages && !stopping; i++) {
        long due = start + (long) (i * 1e9 / ratePerSecond);
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
          LockSupport.parkNanos(wait);
        }
        int device = i % devices;
        int seq = i / devices;
        long ts = Math.max(System.currentTimeMillis(), lastTs[device] + 1);
        lastTs[device] = ts;
        times[device][seq] = ts;
        String id = deviceId(device);
        Telemetry telemetry = Telemetry.newBuilder()
            .setDeviceId(id)
            .setSite(site)
            .setTs(Instant.ofEpochMilli(ts))
            .setReceivedAt(Instant.ofEpochMilli(ts))
            .setSeq((long) seq)
            .setMetrics(Map.of(ReliabilityFixtures.METRIC, value(device, seq)))
            .build();
        producer.send(new ProducerRecord<>(ReliabilityFixtures.TOPICS.telemetry().name(), null, ts, id,
            serde.serialize("", telemetry)), (metadata, error) -> {
              if (error != null) {
                failure.compareAndSet(null, error);
              } else {
                acknowledged.add(id, seq);
                acked.incrementAndGet();
              }
            });
        sent.incrementAndGet();
      }
      producer.flush();
    } catch (RuntimeException e) {
      failure.compareAndSet(null, e);
    }
  }

  /** Waits until every reading was sent and acknowledged (or failed); returns whether that happened in time. */
  boolean awaitDone(Duration timeout) throws InterruptedException {
    thread.join(Math.max(1, timeout.toMillis()));
    return !thread.isAlive();
  }

  /** Readings handed to the producer. */
  long sent() {
    return sent.get();
  }

  /** Readings Kafka acknowledged. */
  long acknowledgedCount() {
    return acked.get();
  }

  SequenceSet acknowledged() {
    return acknowledged;
  }

  /** The first send failure, if any (a reliability test fails on it: the feed must not be the source of a gap). */
  Exception failure() {
    return failure.get();
  }

  int messages() {
    return messages;
  }

  /**
   * The violations the acknowledged readings must produce, in device order then time order: a RAISED at each reading
   * outside the envelope after one inside (or at the first reading), a CLEARED at each reading inside after one
   * outside. Only the readings of each device up to its first unacknowledged one count.
   */
  List<Transition> expected() {
    List<Transition> result = new ArrayList<>();
    for (int d = 0; d < devices; d++) {
      String id = deviceId(d);
      double previous = Double.NaN;
      for (int seq = 0; seq < times[d].length && acknowledged.contains(id, seq); seq++) {
        double v = value(d, seq);
        if (v == OUTSIDE && previous != OUTSIDE) {
          result.add(new Transition(id, true, times[d][seq]));
        } else if (v == INSIDE && previous == OUTSIDE) {
          result.add(new Transition(id, false, times[d][seq]));
        }
        previous = v;
      }
    }
    return result;
  }

  /** Device time of the latest acknowledged reading of every device (0 when none). */
  long[] latestTimes() {
    long[] latest = new long[devices];
    for (int d = 0; d < devices; d++) {
      String id = deviceId(d);
      for (int seq = 0; seq < times[d].length && acknowledged.contains(id, seq); seq++) {
        latest[d] = times[d][seq];
      }
    }
    return Arrays.copyOf(latest, devices);
  }

  /** Stops feeding (readings already sent are still acknowledged) and closes the producer. */
  @Override
  public void close() throws InterruptedException {
    stopping = true;
    thread.join(TimeUnit.SECONDS.toMillis(30));
    producer.close(Duration.ofSeconds(10));
  }
}
