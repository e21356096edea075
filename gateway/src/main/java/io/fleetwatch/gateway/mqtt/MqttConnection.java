package io.fleetwatch.gateway.mqtt;

import io.fleetwatch.gateway.GatewayConfig;
import io.fleetwatch.gateway.GatewayMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's MQTT 5 session with the broker (Eclipse Paho {@link MqttAsyncClient}).
 *
 * <p>Input: messages on {@code root/+/+/+} (or {@code $share/group/root/+/+/+}), QoS 1. Output: each message to the
 * {@link InboundMessageHandler}; acknowledgements released by the {@link AckSequencer} sent with
 * {@code messageArrivedComplete}. The client uses manual acks, {@code cleanStart=false} with the configured session
 * expiry, and announces the configured Receive Maximum so the broker stops sending while that many messages wait
 * for Kafka. Connecting and reconnecting happen in the background with exponential backoff (0.5 s to 30 s);
 * every successful connect subscribes again (harmless when the session kept the subscription, needed when the broker
 * lost it), with retain handling 1 so an existing subscription does not replay retained messages. A connect attempt
 * that has neither succeeded nor failed after the connect watchdog (15 s: Paho's own connection timeout is 10 s, and
 * it does not always fire, e.g. when a resumed session's backlog arrives right after CONNACK) is abandoned: the
 * client is disconnected forcibly, messages of that attempt stay unacknowledged for the broker to redeliver, and a
 * new attempt follows with the usual backoff.
 */
public final class MqttConnection implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MqttConnection.class);
  private static final long MIN_BACKOFF_MS = 500;
  private static final long MAX_BACKOFF_MS = 30_000;
  private static final int SUBSCRIPTION_QOS = 1;
  private static final int CONNECTION_TIMEOUT_SECONDS = 10;
  /** How long a connect attempt may take before it is abandoned; beyond Paho's own connection timeout. */
  static final Duration CONNECT_WATCHDOG = Duration.ofSeconds(CONNECTION_TIMEOUT_SECONDS + 5);

  private final GatewayConfig config;
  private final GatewayMetrics metrics;
  private final MqttAsyncClient client;
  private final MqttConnectionOptions options;
  private final AckSequencer acks;
  private final ScheduledExecutorService scheduler;
  private final AtomicBoolean attemptScheduled = new AtomicBoolean();
  private final AtomicInteger failedAttempts = new AtomicInteger();
  private final Duration connectWatchdog;
  private final List<String> filters;
  private volatile InboundMessageHandler handler;
  private volatile boolean connected;
  private volatile boolean subscribed;
  private volatile boolean closing;

  /**
   * Creates the client; no network I/O until {@link #start}.
   *
   * @throws IllegalArgumentException when the URI or the TLS stores are unusable
   */
  public MqttConnection(GatewayConfig config, GatewayMetrics metrics) {
    this(config, metrics, List.of(), CONNECT_WATCHDOG);
  }

  /**
   * As above, subscribing also to the topic filters of the gateway's payload sources (under the share group when
   * there is one).
   */
  public MqttConnection(GatewayConfig config, GatewayMetrics metrics, List<String> sourceFilters) {
    this(config, metrics, sourceFilters, CONNECT_WATCHDOG);
  }

  /** As above, with the time after which a connect attempt that neither succeeded nor failed is abandoned. */
  MqttConnection(GatewayConfig config, GatewayMetrics metrics, Duration connectWatchdog) {
    this(config, metrics, List.of(), connectWatchdog);
  }

  private MqttConnection(GatewayConfig config, GatewayMetrics metrics, List<String> sourceFilters,
      Duration connectWatchdog) {
    List<String> all = new ArrayList<>();
    all.add(config.subscriptionFilter());
    for (String filter : sourceFilters) {
      all.add(config.shared(filter));
    }
    this.filters = List.copyOf(all);
    this.connectWatchdog = Objects.requireNonNull(connectWatchdog, "connectWatchdog");
    this.config = Objects.requireNonNull(config, "config");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    try {
      this.client = new MqttAsyncClient(config.mqttServerUri(), config.mqttClientId(), new MemoryPersistence());
    } catch (MqttException | IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid " + GatewayConfig.MQTT_URI + " '" + config.mqttServerUri() + "' or "
          + GatewayConfig.MQTT_CLIENT_ID + ": " + e.getMessage(), e);
    }
    this.client.setManualAcks(true);
    this.options = options(config);
    this.acks = new AckSequencer(this::sendAck);
    this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread t = new Thread(runnable, "fleetwatch-gateway-mqtt-connect");
      t.setDaemon(true);
      return t;
    });
  }

  private static MqttConnectionOptions options(GatewayConfig config) {
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setCleanStart(false);
    o.setSessionExpiryInterval(config.sessionExpiry().getSeconds());
    o.setReceiveMaximum(config.receiveMaximum());
    o.setKeepAliveInterval((int) config.keepAlive().getSeconds());
    o.setConnectionTimeout(CONNECTION_TIMEOUT_SECONDS);
    o.setAutomaticReconnect(false); // reconnects are ours: Paho's do not cover the first connect nor report sessions
    if (config.mqttUsername() != null) {
      o.setUserName(config.mqttUsername());
    }
    if (config.mqttPassword() != null) {
      o.setPassword(config.mqttPassword().getBytes(StandardCharsets.UTF_8));
    }
    if (config.tls() != null) {
      o.setSocketFactory(MqttTls.socketFactory(config.tls()));
    } else if (BufferedSocketFactory.suits(config.mqttServerUri())) {
      o.setSocketFactory(new BufferedSocketFactory());
    }
    return o;
  }

  /** The acknowledgement order of this connection, shared with the {@link InboundMessageHandler}. */
  public AckSequencer acks() {
    return acks;
  }

  /** Starts connecting in the background; returns at once. */
  public void start(InboundMessageHandler messageHandler) {
    this.handler = Objects.requireNonNull(messageHandler, "messageHandler");
    client.setCallback(new Callback());
    scheduleAttempt(0);
  }

  /** Connected and subscribed. */
  public boolean ready() {
    return connected && subscribed && !closing;
  }

  public boolean connected() {
    return connected;
  }

  private void scheduleAttempt(long delayMs) {
    if (closing || !attemptScheduled.compareAndSet(false, true)) {
      return;
    }
    try {
      scheduler.schedule(this::connect, delayMs, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      attemptScheduled.set(false);
    }
  }

  private long nextBackoffMs() {
    int attempt = Math.min(failedAttempts.getAndIncrement(), 10);
    return Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS << attempt);
  }

  private void connect() {
    attemptScheduled.set(false);
    if (closing || client.isConnected()) {
      return;
    }
    // Set once, by whichever comes first: the attempt's success, its failure, or the watchdog abandoning it.
    AtomicBoolean settled = new AtomicBoolean();
    try {
      client.connect(options, null, new MqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          if (!settled.compareAndSet(false, true)) {
            return; // abandoned by the watchdog, which forced the client down
          }
          connected = true;
          metrics.mqttConnected(true);
          boolean sessionPresent = token.getSessionPresent();
          acks.connected(sessionPresent);
          LOG.info("connected to MQTT broker {} as {} (session present: {})", config.mqttServerUri(),
              config.mqttClientId(), sessionPresent);
          subscribe();
        }

        @Override
        public void onFailure(IMqttToken token, Throwable error) {
          if (settled.compareAndSet(false, true)) {
            connectFailed(error);
          }
        }
      });
    } catch (MqttException | RuntimeException e) {
      settled.set(true);
      connectFailed(e);
      return;
    }
    try {
      scheduler.schedule(() -> abandonIfUnsettled(settled), connectWatchdog.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  private void abandonIfUnsettled(AtomicBoolean settled) {
    if (closing || !settled.compareAndSet(false, true)) {
      return;
    }
    metrics.mqttConnectionLost();
    int pending = acks.connectionLost(); // messages of this attempt wait no more and are never acknowledged
    LOG.warn("MQTT connect to {} as {} neither succeeded nor failed within {} ms; abandoning it ({} unacknowledged"
        + " messages will be redelivered)", config.mqttServerUri(), config.mqttClientId(),
        connectWatchdog.toMillis(), pending);
    try {
      client.disconnectForcibly(0, 1_000, false);
    } catch (MqttException | RuntimeException e) {
      LOG.debug("forced disconnect of the abandoned attempt: {}", e.getMessage());
    }
    scheduleAttempt(nextBackoffMs());
  }

  private void connectFailed(Throwable error) {
    long delay = nextBackoffMs();
    LOG.warn("cannot connect to MQTT broker {} as {}: {}; retrying in {} ms", config.mqttServerUri(),
        config.mqttClientId(), error == null ? "unknown error" : error.getMessage(), delay);
    scheduleAttempt(delay);
  }

  private void subscribe() {
    if (closing) {
      return;
    }
    String filter = String.join(", ", filters);
    MqttSubscription[] subscriptions = new MqttSubscription[filters.size()];
    for (int i = 0; i < subscriptions.length; i++) {
      subscriptions[i] = new MqttSubscription(filters.get(i), SUBSCRIPTION_QOS);
      subscriptions[i].setRetainHandling(1);
    }
    try {
      client.subscribe(subscriptions, null, new MqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          int[] codes = token.getReasonCodes();
          int code = SUBSCRIPTION_QOS;
          for (int i = 0; i < subscriptions.length; i++) {
            int c = codes == null || codes.length <= i ? 0 : codes[i];
            if (c >= 0x80) {
              subscribeFailed(filters.get(i), "broker refused with reason code 0x" + Integer.toHexString(c));
              return;
            }
            if (c < SUBSCRIPTION_QOS) {
              LOG.warn("MQTT broker granted QoS {} for {}: messages may be lost before they reach the gateway", c,
                  filters.get(i));
            }
            code = Math.min(code, c);
          }
          subscribed = true;
          failedAttempts.set(0);
          LOG.info("subscribed to {} with QoS {} (receive maximum {})", filter, code, config.receiveMaximum());
        }

        @Override
        public void onFailure(IMqttToken token, Throwable error) {
          subscribeFailed(filter, error == null ? "unknown error" : error.getMessage());
        }
      }, new MqttProperties());
    } catch (MqttException | RuntimeException e) {
      subscribeFailed(filter, e.getMessage());
    }
  }

  private void subscribeFailed(String filter, String why) {
    long delay = nextBackoffMs();
    LOG.error("cannot subscribe to {} on {}: {}; retrying in {} ms", filter, config.mqttServerUri(), why, delay);
    try {
      scheduler.schedule(() -> {
        if (connected && !subscribed) {
          subscribe();
        }
      }, delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  private void sendAck(int messageId, int qos) {
    try {
      client.messageArrivedComplete(messageId, qos);
    } catch (MqttException | RuntimeException e) {
      // The connection is gone; the broker redelivers the message to the resumed session.
      LOG.debug("cannot acknowledge MQTT message {}: {}", messageId, e.getMessage());
    }
  }

  /** Disconnects cleanly (the broker keeps the session for the configured expiry) and releases the client. */
  public void close(Duration timeout) {
    closing = true;
    scheduler.shutdownNow();
    try {
      if (client.isConnected()) {
        client.disconnect(Math.min(500, timeout.toMillis())).waitForCompletion(timeout.toMillis());
      }
    } catch (MqttException | RuntimeException e) {
      LOG.warn("MQTT disconnect from {} did not complete: {}", config.mqttServerUri(), e.getMessage());
      try {
        client.disconnectForcibly(0, 1000, false);
      } catch (MqttException | RuntimeException ignored) {
        // already down
      }
    }
    try {
      client.close(true);
    } catch (MqttException | RuntimeException e) {
      LOG.debug("MQTT client close: {}", e.getMessage());
    }
    connected = false;
    subscribed = false;
    metrics.mqttConnected(false);
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(3));
  }

  private final class Callback implements MqttCallback {
    @Override
    public void messageArrived(String topic, MqttMessage message) {
      try {
        handler.handle(topic, message.getPayload(), message.getId(), message.getQos());
      } catch (RuntimeException e) {
        LOG.error("unexpected failure on MQTT message {} from {}", message.getId(), topic, e);
      }
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
      connected = false;
      subscribed = false;
      metrics.mqttConnected(false);
      if (closing) {
        return;
      }
      metrics.mqttConnectionLost();
      int pending = acks.connectionLost();
      long delay = nextBackoffMs();
      LOG.warn("MQTT connection to {} lost ({}); {} unacknowledged messages will be redelivered; reconnecting in {} ms",
          config.mqttServerUri(), response, pending, delay);
      scheduleAttempt(delay);
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
      LOG.warn("MQTT error from {}: {}", config.mqttServerUri(), exception.getMessage());
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
      // the gateway publishes nothing
    }

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
      // handled by the connect listener, which also sees whether the session was present
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
      // no enhanced authentication
    }
  }
}
