package io.fleetwatch.bench;

import io.fleetwatch.gateway.mqtt.BufferedSocketFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes sequence-numbered telemetry over MQTT 5 (Eclipse Paho async) from several connections, as fast as a
 * bounded window of unacknowledged publishes allows, or at a target rate.
 *
 * <p>Output: {@code messages} telemetry messages; each connection owns {@code devicesPerConnection} devices
 * ({@code d<connection>-<device>}) and numbers each device's messages 0, 1, 2, ... In the {@link Payload#JSON} form
 * they are native contract messages on {@code fleet/{site}/{device}/telemetry} with payload
 * {@code {"ts":..,"seq":n,"metrics":{"v":n}}}; in the {@link Payload#SPARKPLUG} form each connection is a Sparkplug B
 * edge node of group {@code site}, which first publishes its NBIRTH and a DBIRTH per device at QoS 1 and waits for
 * their acknowledgements, then DDATA as built by {@link SparkplugPayloads} (the sequence number as a metric; the
 * device's contract id is {@link SparkplugPayloads#deviceId}). A QoS 1 message counts as
 * {@linkplain #acknowledged() acknowledged} only when the broker's PUBACK arrived with a success reason code; a QoS 0
 * message counts once Paho wrote it to the socket.
 */
public final class SequencePublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SequencePublisher.class);
  /** bdSeq of the edge nodes' NBIRTH and will: each connection is a node's first session. */
  private static final long BD_SEQ = 0;

  /**
   * What to publish.
   *
   * @param brokerUri {@code tcp://host:port}
   * @param site site segment of the topics; also makes the client ids unique
   * @param connections MQTT connections publishing in parallel
   * @param devicesPerConnection devices per connection, published round-robin
   * @param messages messages in total (split evenly over the connections)
   * @param qos 0 or 1
   * @param window unacknowledged publishes allowed per connection
   * @param ratePerSecond target total rate, or 0 for as fast as the window allows
   * @param payload what the messages look like
   */
  public record Load(String brokerUri, String site, int connections, int devicesPerConnection, int messages, int qos,
      int window, double ratePerSecond, Payload payload) {
    public Load {
      Objects.requireNonNull(brokerUri, "brokerUri");
      Objects.requireNonNull(site, "site");
      Objects.requireNonNull(payload, "payload");
      if (connections < 1 || devicesPerConnection < 1 || messages < 0 || window < 1 || ratePerSecond < 0) {
        throw new IllegalArgumentException("invalid load " + connections + " connections, " + devicesPerConnection
            + " devices each, " + messages + " messages, window " + window + ", rate " + ratePerSecond);
      }
      if (qos != 0 && qos != 1) {
        throw new IllegalArgumentException("qos must be 0 or 1: " + qos);
      }
    }

    /** Native JSON telemetry. */
    public Load(String brokerUri, String site, int connections, int devicesPerConnection, int messages, int qos,
        int window, double ratePerSecond) {
      this(brokerUri, site, connections, devicesPerConnection, messages, qos, window, ratePerSecond, Payload.JSON);
    }

    /** Device id of connection {@code c}, device {@code d}. */
    public static String deviceId(int connection, int device) {
      return "d" + connection + "-" + device;
    }
  }

  /** The form of the published telemetry. */
  public enum Payload {
    /** The native contract's JSON. */
    JSON,
    /** Sparkplug B DDATA with {@value SparkplugPayloads#METRICS} metrics by alias. */
    SPARKPLUG;

    /** Lower-case name, as on the command line. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The payload named {@code label} ({@code json} or {@code sparkplug}). */
    public static Payload of(String label) {
      for (Payload p : values()) {
        if (p.label().equals(label.strip().toLowerCase(Locale.ROOT))) {
          return p;
        }
      }
      throw new IllegalArgumentException("unknown payload '" + label + "': json or sparkplug");
    }
  }

  private final Load load;
  private final SequenceSet acknowledged = new SequenceSet();
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final List<MqttAsyncClient> clients = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile long firstPublishMillis;
  private volatile long lastAckMillis;

  private SequencePublisher(Load load) {
    this.load = load;
  }

  /** Connects every publisher connection (failing if one cannot connect) and starts publishing at once. */
  public static SequencePublisher start(Load load) throws MqttException {
    SequencePublisher publisher = new SequencePublisher(load);
    try {
      for (int c = 0; c < load.connections(); c++) {
        MqttAsyncClient client = new MqttAsyncClient(load.brokerUri(), "pub-" + load.site() + "-" + c + "-"
            + Long.toHexString(System.nanoTime()), new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout(10);
        options.setKeepAliveInterval(60);
        if (BufferedSocketFactory.suits(load.brokerUri())) {
          options.setSocketFactory(new BufferedSocketFactory()); // the load generator should cost as little as it can
        }
        if (load.payload() == Payload.SPARKPLUG) {
          options.setWill(SparkplugPayloads.topic(load.site(), "NDEATH", c, -1),
              new MqttMessage(SparkplugPayloads.nodeDeath(BD_SEQ)));
        }
        client.connect(options).waitForCompletion(15_000);
        publisher.clients.add(client);
        if (load.payload() == Payload.SPARKPLUG) {
          publisher.birth(c);
        }
      }
    } catch (MqttException | RuntimeException e) {
      publisher.close();
      throw e;
    }
    int base = load.messages() / load.connections();
    int extra = load.messages() % load.connections();
    long startNanos = System.nanoTime();
    for (int c = 0; c < load.connections(); c++) {
      int connection = c;
      int count = base + (c < extra ? 1 : 0);
      Thread t = new Thread(() -> publisher.publishAll(connection, count, startNanos), "bench-publisher-" + c);
      t.setDaemon(true);
      publisher.threads.add(t);
    }
    publisher.threads.forEach(Thread::start);
    return publisher;
  }

  /**
   * Publishes the NBIRTH and the DBIRTHs of connection {@code connection}'s edge node at QoS 1 (whatever the load's
   * QoS, so that no data meets an unborn device) and waits until the broker acknowledged them.
   */
  private void birth(int connection) throws MqttException {
    MqttAsyncClient client = clients.get(connection);
    long now = System.currentTimeMillis();
    java.util.ArrayDeque<IMqttToken> pending = new java.util.ArrayDeque<>();
    pending.add(client.publish(SparkplugPayloads.topic(load.site(), "NBIRTH", connection, -1),
        SparkplugPayloads.nodeBirth(now, BD_SEQ), 1, false));
    for (int d = 0; d < load.devicesPerConnection(); d++) {
      pending.add(client.publish(SparkplugPayloads.topic(load.site(), "DBIRTH", connection, d),
          SparkplugPayloads.deviceBirth(now, (d + 1) % 256), 1, false));
      if (pending.size() >= load.window()) {
        awaitBirth(pending.remove());
      }
    }
    while (!pending.isEmpty()) {
      awaitBirth(pending.remove());
    }
  }

  private static void awaitBirth(IMqttToken token) throws MqttException {
    token.waitForCompletion(30_000);
    int[] codes = token.getReasonCodes();
    if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
      throw new IllegalStateException("the broker refused a Sparkplug birth with reason code " + codes[0]);
    }
  }

  private void publishAll(int connection, int count, long startNanos) {
    MqttAsyncClient client = clients.get(connection);
    Semaphore window = new Semaphore(load.window());
    int devices = load.devicesPerConnection();
    boolean sparkplug = load.payload() == Payload.SPARKPLUG;
    String[] deviceIds = new String[devices];
    String[] topics = new String[devices];
    for (int d = 0; d < devices; d++) {
      deviceIds[d] = sparkplug ? SparkplugPayloads.deviceId(connection, d) : Load.deviceId(connection, d);
      topics[d] = sparkplug ? SparkplugPayloads.topic(load.site(), "DDATA", connection, d)
          : "fleet/" + load.site() + "/" + deviceIds[d] + "/telemetry";
    }
    double perConnectionRate = load.ratePerSecond() / load.connections();
    try {
      for (int i = 0; i < count; i++) {
        if (perConnectionRate > 0) {
          long due = startNanos + (long) (i * 1e9 / perConnectionRate);
          long wait;
          while ((wait = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
          }
        }
        int device = i % devices;
        long seq = i / devices;
        window.acquire();
        long now = System.currentTimeMillis();
        byte[] payload = sparkplug ? SparkplugPayloads.deviceData(now, SparkplugPayloads.dataSeq(devices, i), seq)
            : ("{\"ts\":" + now + ",\"seq\":" + seq + ",\"metrics\":{\"v\":" + seq + "}}")
                .getBytes(StandardCharsets.UTF_8);
        publishOne(client, window, topics[device], deviceIds[device], seq, now, payload);
      }
      window.acquire(load.window()); // every publish of this connection completed
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void publishOne(MqttAsyncClient client, Semaphore window, String topic, String deviceId, long seq,
      long now, byte[] payload) throws InterruptedException {
    MqttMessage message = new MqttMessage(payload);
    message.setQos(load.qos());
    MqttActionListener listener = new MqttActionListener() {
      @Override
      public void onSuccess(IMqttToken token) {
        int[] codes = token.getReasonCodes();
        if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
          failed.incrementAndGet();
        } else {
          acknowledged.add(deviceId, seq);
          acked.incrementAndGet();
          lastAckMillis = System.currentTimeMillis();
        }
        window.release();
      }

      @Override
      public void onFailure(IMqttToken token, Throwable error) {
        failed.incrementAndGet();
        window.release();
      }
    };
    while (true) {
      try {
        if (firstPublishMillis == 0) {
          synchronized (this) {
            if (firstPublishMillis == 0) {
              firstPublishMillis = now;
            }
          }
        }
        client.publish(topic, message, null, listener);
        published.incrementAndGet();
        return;
      } catch (MqttException e) {
        if (e.getReasonCode() == MqttClientException.REASON_CODE_MAX_INFLIGHT) {
          // Paho frees an in-flight slot shortly after it completes the token; try again in a moment.
          LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
          continue;
        }
        published.incrementAndGet();
        failed.incrementAndGet();
        window.release();
        LOG.debug("publish of {}#{} failed: {}", deviceId, seq, e.getMessage());
        return;
      }
    }
  }

  /**
   * Waits until every connection published its share and every publish completed (acknowledged or failed).
   *
   * @return whether that happened within {@code timeout}
   */
  public boolean awaitDone(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread t : threads) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      if (t.isAlive()) {
        return false;
      }
    }
    return true;
  }

  public Load load() {
    return load;
  }

  /** Messages handed to the client. */
  public long published() {
    return published.get();
  }

  /** Messages the broker acknowledged (QoS 1) or that were written to the socket (QoS 0). */
  public long acknowledgedCount() {
    return acked.get();
  }

  /** Publishes that failed (client error, connection lost, or a PUBACK with a failure reason code). */
  public long failed() {
    return failed.get();
  }

  /** The (device, seq) pairs acknowledged so far. */
  public SequenceSet acknowledged() {
    return acknowledged;
  }

  /** Wall-clock time of the first publish, or 0 before it. */
  public long firstPublishMillis() {
    return firstPublishMillis;
  }

  /** Wall-clock time of the latest acknowledgement, or 0 before it. */
  public long lastAckMillis() {
    return lastAckMillis;
  }

  /** Stops publishing and disconnects every connection. */
  @Override
  public void close() {
    threads.forEach(Thread::interrupt);
    for (MqttAsyncClient client : clients) {
      try {
        if (client.isConnected()) {
          client.disconnect(1_000).waitForCompletion(2_000);
        }
      } catch (MqttException | RuntimeException e) {
        LOG.debug("publisher disconnect: {}", e.getMessage());
      }
      try {
        client.close(true);
      } catch (MqttException | RuntimeException e) {
        LOG.debug("publisher close: {}", e.getMessage());
      }
    }
  }
}
