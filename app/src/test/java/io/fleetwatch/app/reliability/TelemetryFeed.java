package io.fleetwatch.app.reliability;

import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.bench.SequenceSet;
import io.fleetwatch.schemas.AvroSerde;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * Writes sequence-numbered telemetry of many devices straight into {@code fleet.telemetry} at a sustained rate, with a
 * value that leaves and re-enters the {@link ReliabilityFixtures#POLICY_ID} envelope, so the streams app raises and
 * clears a violation, and opens and resolves an incident, about once per {@value #PERIOD} readings of every device.
 *
 * <p>{@link #start} writes to Kafka, bypassing MQTT and the gateway (the streams faults start at Kafka): an
 * idempotent producer with {@code acks=all} and one in-flight order per partition, so every acknowledged reading is in
 * Kafka exactly once and in order, and any duplicate or gap downstream is the streams app's. {@link #startMqtt}
 * publishes the same readings as QoS 1 JSON telemetry ({@code {"ts":..,"seq":..,"metrics":{"v":..}}} on
 * {@code fleet/<site>/<device>/telemetry}) from one MQTT connection, so a gateway carries them to Kafka and
 * "acknowledged" means the broker's PUBACK. Devices {@code <site>-d<n>} publish round-robin;
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
  private final Sink sink;
  private final SequenceSet acknowledged = new SequenceSet();
  private final long[][] times;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong acked = new AtomicLong();
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private final Thread thread;
  private volatile boolean stopping;

  private TelemetryFeed(Sink sink, String site, int devices, double ratePerSecond, int messages) {
    this.sink = sink;
    this.site = site;
    this.devices = devices;
    this.ratePerSecond = ratePerSecond;
    this.messages = messages;
    this.times = new long[devices][messages / devices + 1];
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
    return start(new KafkaSink(bootstrapServers, site), site, devices, ratePerSecond, messages);
  }

  /**
   * Like {@link #start(String, String, int, double, int)}, publishing QoS 1 to the MQTT broker at {@code brokerUri}
   * instead (a gateway forwards to Kafka).
   *
   * @throws MqttException when the connection fails
   */
  static TelemetryFeed startMqtt(String brokerUri, String site, int devices, double ratePerSecond, int messages)
      throws MqttException {
    return start(new MqttSink(brokerUri, site), site, devices, ratePerSecond, messages);
  }

  private static TelemetryFeed start(Sink sink, String site, int devices, double ratePerSecond, int messages) {
    TelemetryFeed feed = new TelemetryFeed(sink, site, devices, ratePerSecond, messages);
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
        sink.send(telemetry, error -> {
          if (error != null) {
            failure.compareAndSet(null, error);
          } else {
            acknowledged.add(id, seq);
            acked.incrementAndGet();
          }
        });
        sent.incrementAndGet();
      }
      sink.flush();
    } catch (RuntimeException | InterruptedException e) {
      failure.compareAndSet(null, e);
    }
  }

  /** Waits until every reading was sent and acknowledged (or failed); returns whether that happened in time. */
  boolean awaitDone(Duration timeout) throws InterruptedException {
    thread.join(Math.max(1, timeout.toMillis()));
    return !thread.isAlive();
  }

  /** Waits until {@code count} readings were sent or the feed ended (it is paced, so it ends by itself). */
  void awaitSent(long count) throws InterruptedException {
    while (sent() < count && !awaitDone(Duration.ofMillis(100))) {
      if (failure() != null) {
        throw new AssertionError("feed " + site + " failed: " + failure(), failure());
      }
    }
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
    sink.close();
  }

  /** Where the readings go; calls back once per reading, with {@code null} when it was acknowledged. */
  private interface Sink {
    void send(Telemetry reading, Consumer<Exception> done) throws InterruptedException;

    /** Waits until every reading sent so far was acknowledged or failed. */
    void flush() throws InterruptedException;

    void close();
  }

  /** An idempotent {@code acks=all} producer into {@code fleet.telemetry}. */
  private static final class KafkaSink implements Sink {
    private final AvroSerde<Telemetry> serde = AvroSerde.of(Telemetry.class);
    private final KafkaProducer<String, byte[]> producer;

    KafkaSink(String bootstrapServers, String site) {
      this.producer = new KafkaProducer<>(Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
          ProducerConfig.ACKS_CONFIG, "all",
          ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
          ProducerConfig.LINGER_MS_CONFIG, 5,
          ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000,
          ProducerConfig.CLIENT_ID_CONFIG, "reliability-feed-" + site),
          new StringSerializer(), new ByteArraySerializer());
    }

    @Override
    public void send(Telemetry reading, Consumer<Exception> done) {
      long ts = reading.getTs().toEpochMilli();
      producer.send(new ProducerRecord<>(ReliabilityFixtures.TOPICS.telemetry().name(), null, ts,
          reading.getDeviceId(), serde.serialize("", reading)), (metadata, error) -> done.accept(error));
    }

    @Override
    public void flush() {
      producer.flush();
    }

    @Override
    public void close() {
      producer.close(Duration.ofSeconds(10));
    }
  }

  /** QoS 1 publishes of one MQTT 5 connection (clean start, no reconnect), in order. */
  private static final class MqttSink implements Sink {
    private final MqttAsyncClient client;
    private final Phaser outstanding = new Phaser(1);

    MqttSink(String brokerUri, String site) throws MqttException {
      this.client = new MqttAsyncClient(brokerUri, "feed-" + site + "-" + Long.toHexString(System.nanoTime()),
          new MemoryPersistence());
      MqttConnectionOptions options = new MqttConnectionOptions();
      options.setCleanStart(true);
      options.setAutomaticReconnect(false);
      options.setConnectionTimeout(10);
      client.connect(options).waitForCompletion(15_000);
    }

    @Override
    public void send(Telemetry reading, Consumer<Exception> done) throws InterruptedException {
      String topic = "fleet/" + reading.getSite() + "/" + reading.getDeviceId() + "/telemetry";
      MqttMessage message = new MqttMessage(("{\"ts\":" + reading.getTs().toEpochMilli() + ",\"seq\":"
          + reading.getSeq() + ",\"metrics\":{\"" + ReliabilityFixtures.METRIC + "\":"
          + reading.getMetrics().get(ReliabilityFixtures.METRIC) + "}}").getBytes(StandardCharsets.UTF_8));
      message.setQos(1);
      outstanding.register();
      MqttActionListener listener = new MqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          int[] codes = token.getReasonCodes();
          done.accept(codes != null && codes.length > 0 && codes[0] >= 0x80
              ? new IllegalStateException("PUBACK reason code " + codes[0] + " for " + topic) : null);
          outstanding.arriveAndDeregister();
        }

        @Override
        public void onFailure(IMqttToken token, Throwable error) {
          done.accept(new IllegalStateException("publish to " + topic + " failed", error));
          outstanding.arriveAndDeregister();
        }
      };
      while (true) {
        try {
          client.publish(topic, message, null, listener);
          return;
        } catch (MqttException e) {
          if (e.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT) {
            listener.onFailure(null, e);
            return;
          }
          TimeUnit.MILLISECONDS.sleep(1); // Paho frees an in-flight slot when a PUBACK arrives
        }
      }
    }

    @Override
    public void flush() throws InterruptedException {
      try {
        outstanding.awaitAdvanceInterruptibly(outstanding.arrive(), 5, TimeUnit.MINUTES);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException("MQTT publishes not acknowledged within 5 minutes", e);
      }
    }

    @Override
    public void close() {
      try {
        if (client.isConnected()) {
          client.disconnect(1_000).waitForCompletion(2_000);
        }
        client.close(true);
      } catch (MqttException e) {
        // closing: nothing more to deliver
      }
    }
  }
}
