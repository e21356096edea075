package io.fleetwatch.simulator.mqtt;

import io.fleetwatch.simulator.MessageSink;
import io.fleetwatch.simulator.SimulatorConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes over {@code connections} Paho MQTT v5 connections ({@code <clientIdPrefix>-<i>}); a device's
 * messages always go over connection {@code shard % connections}, so their order is kept. QoS 1 publishes are
 * bounded per connection by {@code maxInflight}; a publish that finds no room within a second is counted as not
 * published rather than blocking the fleet.
 */
public final class MqttPublisher implements MessageSink {
  private static final Logger LOG = LoggerFactory.getLogger(MqttPublisher.class);

  private final SimulatorConfig config;
  private final List<Connection> connections = new ArrayList<>();
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();

  public MqttPublisher(SimulatorConfig config) {
    this.config = config;
  }

  @Override
  public void start() throws MqttException {
    for (int i = 0; i < config.connections(); i++) {
      Connection c = new Connection(config.clientIdPrefix() + "-" + i);
      connections.add(c);
      c.connect();
    }
  }

  @Override
  public void publish(int shard, String topic, byte[] payload) {
    connections.get(Math.floorMod(shard, connections.size())).publish(topic, payload);
  }

  @Override
  public long published() {
    return published.get();
  }

  @Override
  public long notPublished() {
    return failed.get() + skipped.get();
  }

  @Override
  public void close() {
    for (Connection c : connections) {
      c.close();
    }
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
        options.setPassword(new String(config.password()).getBytes(StandardCharsets.UTF_8));
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
        } else if (token == null) {
          failed.incrementAndGet();
        } else {
          acquired = false; // released by the listener
        }
      } catch (MqttException e) {
        if (e.getReasonCode() != MqttClientException.REASON_CODE_CLIENT_NOT_CONNECTED) {
          LOG.warn("publish on {} to {} failed: {}", clientId, topic, e.toString());
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
