package io.fleetwatch.simulator;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes telemetry for a simulated fleet to {@code <root>/<site>/<device>/telemetry} at a target total rate,
 * spread over several MQTT connections, with per-device sequence numbers and the configured fault scenarios.
 * Device timestamps come from the injected clock.
 */
public final class Simulator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Simulator.class);
  private static final long TICK_MILLIS = 20;

  private final SimulatorConfig config;
  private final List<SimulatedDevice> devices;
  private final List<Scenario> scenarios;
  private final Clock clock;
  private final Random random;
  private final long[] seq;
  private final TelemetryPayload payload = new TelemetryPayload();
  private final List<Connection> connections = new ArrayList<>();
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "fleetwatch-simulator");
    t.setDaemon(true);
    return t;
  });
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private long startedAtMillis;
  private long due;
  private int cursor;

  public Simulator(SimulatorConfig config, List<SimulatedDevice> devices, List<Scenario> scenarios, Clock clock) {
    if (devices.isEmpty()) {
      throw new IllegalArgumentException("the simulated fleet has no devices");
    }
    this.config = config;
    this.devices = List.copyOf(devices);
    this.scenarios = List.copyOf(scenarios);
    this.clock = clock;
    this.random = new Random(config.seed());
    this.seq = new long[devices.size()];
  }

  /** Connects every connection and starts publishing; fails if a connection cannot be made. */
  public void start() throws MqttException {
    LOG.info("simulating {} devices at {} msg/s over {} connections: {}", devices.size(),
        config.messagesPerSecond(), config.connections(), config);
    for (Scenario scenario : scenarios) {
      LOG.info("scenario {}", scenario.describe());
    }
    for (int i = 0; i < config.connections(); i++) {
      Connection c = new Connection(config.clientIdPrefix() + "-" + i);
      connections.add(c);
      c.connect();
    }
    startedAtMillis = clock.millis();
    ticker.scheduleAtFixedRate(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Telemetry messages the broker accepted (QoS 1) or that were written (QoS 0). */
  public long published() {
    return published.get();
  }

  /** Publishes that failed or were not sent because the broker did not take them in time. */
  public long notPublished() {
    return failed.get() + skipped.get();
  }

  private void tick() {
    try {
      long now = clock.millis();
      long elapsed = now - startedAtMillis;
      long target = (long) (elapsed * config.messagesPerSecond() / 1000.0);
      // never try to catch up more than one second of backlog after a stall
      long backlog = Math.min(target - due, (long) Math.ceil(config.messagesPerSecond()));
      for (long i = 0; i < backlog; i++) {
        publishNext(now, Duration.ofMillis(elapsed));
      }
      due = target;
    } catch (RuntimeException e) {
      LOG.warn("simulator tick failed: {}", e.toString());
    }
  }

  private void publishNext(long now, Duration elapsed) {
    int index = cursor;
    cursor = (cursor + 1) % devices.size();
    SimulatedDevice device = devices.get(index);
    payload.begin(now, ++seq[index]);
    double seconds = elapsed.toMillis() / 1000.0;
    for (Signal signal : device.signals()) {
      double value = signal.valueAt(seconds, random.nextGaussian());
      for (Scenario scenario : scenarios) {
        OptionalDouble forced = scenario.override(device.deviceId(), signal.metric(), elapsed);
        if (forced.isPresent()) {
          value = forced.getAsDouble();
        }
      }
      payload.metric(signal.metric(), value);
    }
    String topic = config.topicRoot() + "/" + device.site() + "/" + device.deviceId() + "/telemetry";
    connections.get(index % connections.size()).publish(topic, payload.end());
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    try {
      ticker.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Connection c : connections) {
      c.close();
    }
    LOG.info("simulator stopped: {} published, {} not published", published.get(), notPublished());
  }

  /** One MQTT connection with a bounded window of unacknowledged QoS 1 publishes. */
  private final class Connection implements MqttActionListener {
    private final String clientId;
    private final Semaphore window = new Semaphore(config.maxInflight());
    private MqttAsyncClient client;

    Connection(String clientId) {
      this.clientId = clientId;
    }

    void connect() throws MqttException {
      client = new MqttAsyncClient(config.mqttUri(), clientId, new MemoryPersistence());
      MqttConnectionOptions options = new MqttConnectionOptions();
      options.setCleanStart(true);
      options.setAutomaticReconnect(true);
      options.setAutomaticReconnectDelay(1, 10);
      options.setConnectionTimeout(10);
      if (config.username() != null) {
        options.setUserName(config.username());
      }
      if (config.password() != null) {
        options.setPassword(new String(config.password()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      client.connect(options).waitForCompletion(15_000);
    }

    void publish(String topic, byte[] bytes) {
      boolean acquired = false;
      try {
        if (config.qos() > 0) {
          acquired = window.tryAcquire(1, TimeUnit.SECONDS);
          if (!acquired) {
            skipped.incrementAndGet();
            return;
          }
        }
        IMqttToken token = client.publish(topic, bytes, config.qos(), false, null, this);
        if (config.qos() == 0) {
          published.incrementAndGet();
          acquired = false;
        } else if (token == null) {
          failed.incrementAndGet();
        } else {
          acquired = false; // released by the listener
        }
      } catch (MqttException e) {
        if (e.getReasonCode() != org.eclipse.paho.mqttv5.client.MqttClientException.REASON_CODE_CLIENT_NOT_CONNECTED) {
          LOG.warn("publish on {} failed: {}", clientId, e.toString());
        }
        skipped.incrementAndGet();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        if (acquired) {
          window.release();
        }
      }
    }

    @Override
    public void onSuccess(IMqttToken token) {
      if (config.qos() > 0) {
        published.incrementAndGet();
        window.release();
      }
    }

    @Override
    public void onFailure(IMqttToken token, Throwable exception) {
      if (config.qos() > 0) {
        failed.incrementAndGet();
        window.release();
      }
    }

    void close() {
      if (client == null) {
        return;
      }
      try {
        if (client.isConnected()) {
          client.disconnect(2_000).waitForCompletion(3_000);
        }
        client.close();
      } catch (MqttException e) {
        LOG.debug("closing {}: {}", clientId, e.toString());
      }
    }
  }
}
