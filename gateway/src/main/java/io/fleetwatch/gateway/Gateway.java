package io.fleetwatch.gateway;

import io.fleetwatch.gateway.kafka.GatewayRecords;
import io.fleetwatch.gateway.kafka.KafkaForwarder;
import io.fleetwatch.gateway.kafka.ProducerSettings;
import io.fleetwatch.gateway.mapping.MqttTopicParser;
import io.fleetwatch.gateway.mqtt.InboundMessageHandler;
import io.fleetwatch.gateway.mqtt.MqttConnection;
import io.fleetwatch.gateway.source.PayloadSource;
import io.fleetwatch.gateway.source.PayloadSources;
import io.fleetwatch.gateway.source.SourceContext;
import io.fleetwatch.gateway.source.StatefulSource;
import io.fleetwatch.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT → Kafka bridge.
 *
 * <p>Input: device messages on {@code {root}/{site}/{deviceId}/{telemetry|event|state}} from the MQTT broker
 * (QoS 1, persistent session, optionally a shared subscription). Output: Avro records on
 * {@code <prefix>telemetry}, {@code <prefix>events}, {@code <prefix>state} keyed by device id, and rejected input
 * on {@code <prefix>deadletter} keyed by MQTT topic with the reason. A QoS 1 message is acknowledged to the broker
 * only after Kafka acknowledged its record ({@code acks=all}, idempotent producer), in arrival order; while Kafka is
 * slow or down at most {@link GatewayConfig#receiveMaximum()} messages wait, then the broker holds the rest.
 *
 * <p>Use: {@code new Gateway(config, registry)}, {@link #start()} (returns at once; connects in the background),
 * {@link #isReady()}, {@link #close()}. Topics must exist (the gateway does not create them).
 */
public final class Gateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);
  /**
   * How long a QoS 0 message waits for a slot when Receive Maximum QoS 0 records already wait for Kafka: long enough to
   * ride out a burst (the broker and TCP hold what the blocked callback does not read), short against the keep-alive.
   */
  static final Duration QOS0_WAIT = Duration.ofSeconds(1);

  private final GatewayConfig config;
  private final GatewayMetrics metrics;
  private final KafkaForwarder forwarder;
  private final MqttConnection mqtt;
  private final InboundMessageHandler handler;
  private final List<PayloadSource> sources;
  private final LogThrottle retryLog = new LogThrottle(5, Duration.ofSeconds(10));
  private volatile boolean started;
  private volatile boolean closed;

  /** A gateway with a Kafka producer built from the configuration. */
  public Gateway(GatewayConfig config, MeterRegistry registry) {
    this(config, registry, null, Clock.systemUTC());
  }

  /**
   * A gateway writing through the given producer (e.g. a {@code MockProducer}) and reading time from
   * {@code clock}.
   *
   * @param producer producer to use and close, or {@code null} to build one from the configuration
   */
  public Gateway(GatewayConfig config, MeterRegistry registry, Producer<String, byte[]> producer, Clock clock) {
    this.config = Objects.requireNonNull(config, "config");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(clock, "clock");
    LOG.info("gateway configuration: {}", config);
    this.metrics = new GatewayMetrics(registry);
    Topics topics = config.topics();
    Producer<String, byte[]> kafka = producer != null ? producer
        : new KafkaProducer<>(ProducerSettings.forGateway(config.kafkaBootstrapServers(),
            config.mqttClientId() + "-producer", config.kafkaOverrides()),
            new StringSerializer(), new ByteArraySerializer());
    this.forwarder = new KafkaForwarder(kafka, new SendObserver(), Duration.ofMillis(200), Duration.ofSeconds(30),
        probeTopics(topics));
    metrics.inflightFrom(forwarder::inFlight);
    List<String> sourceFilters = new ArrayList<>();
    try {
      this.sources = PayloadSources.enabled(new SourceContext(config, topics, forwarder, clock));
      for (PayloadSource source : sources) {
        sourceFilters.addAll(source.subscriptions());
      }
      this.mqtt = new MqttConnection(config, metrics, sourceFilters);
    } catch (RuntimeException e) {
      forwarder.close(Duration.ZERO);
      throw e;
    }
    this.handler = new InboundMessageHandler(new MqttTopicParser(config.topicRoot()), config.payloadParser(),
        sources, new GatewayRecords(topics, config.maxPayloadBytes()), forwarder, mqtt.acks(), metrics, clock,
        config.receiveMaximum(), QOS0_WAIT);
    metrics.backPressureFrom(handler::backPressureNanos);
  }

  /** The topics the gateway writes: every device channel's and the dead-letter topic. */
  private static List<String> probeTopics(Topics topics) {
    List<String> names = new ArrayList<>();
    topics.channels().forEach(t -> names.add(t.name()));
    names.add(topics.deadLetter().name());
    return names;
  }

  /** Starts the Kafka sender and connects to the broker in the background (retrying with backoff); returns at once. */
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException("gateway is closed");
    }
    if (started) {
      return;
    }
    started = true;
    forwarder.start();
    for (PayloadSource source : sources) {
      if (source instanceof StatefulSource) {
        ((StatefulSource) source).start();
      }
    }
    if (sourcesReady()) {
      mqtt.start(handler);
    } else {
      // Subscribing before a source's state is loaded would turn its messages into dead letters (e.g. Sparkplug
      // data whose birth is only in Kafka), so the connection waits for it.
      Thread waiter = new Thread(this::startMqttWhenSourcesReady, "fleetwatch-gateway-sources");
      waiter.setDaemon(true);
      waiter.start();
    }
    LOG.info("gateway started: {} {} -> Kafka {} topics {}*", config.subscriptionFilter(),
        sources.stream().map(PayloadSource::name).toList(), config.kafkaBootstrapServers(), config.topicPrefix());
  }

  private boolean sourcesReady() {
    for (PayloadSource source : sources) {
      if (source instanceof StatefulSource && !((StatefulSource) source).ready()) {
        return false;
      }
    }
    return true;
  }

  private void startMqttWhenSourcesReady() {
    synchronized (this) {
      while (!closed && !sourcesReady()) {
        try {
          wait(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      if (!closed) {
        LOG.info("payload sources loaded; connecting to the MQTT broker");
        mqtt.start(handler);
      }
    }
  }

  /** Connected and subscribed to the broker, and Kafka reachable with no failing sends. */
  public boolean isReady() {
    return readiness() == Readiness.READY;
  }

  /** Not closed: working, starting, or reconnecting to the broker or Kafka by itself. */
  public boolean isLive() {
    return !closed;
  }

  /** Where the gateway stands: {@link Readiness#READY}, or the first thing that keeps it from being ready. */
  public Readiness readiness() {
    if (closed) {
      return Readiness.CLOSED;
    }
    if (!started) {
      return Readiness.NOT_STARTED;
    }
    if (!mqtt.connected()) {
      return Readiness.MQTT_DISCONNECTED;
    }
    if (!mqtt.ready()) {
      return Readiness.MQTT_NOT_SUBSCRIBED;
    }
    return forwarder.healthy() ? Readiness.READY : Readiness.KAFKA_UNREACHABLE;
  }

  /** What {@link #readiness()} answers; every value but {@code CLOSED} is live. */
  public enum Readiness {
    /** Connected and subscribed to the broker, Kafka reachable: messages flow. */
    READY,
    /** {@link #start()} not called yet. */
    NOT_STARTED,
    /** Connecting or reconnecting to the MQTT broker. */
    MQTT_DISCONNECTED,
    /** Connected, the subscription not confirmed yet. */
    MQTT_NOT_SUBSCRIBED,
    /** Kafka unreachable or sends failing: messages wait unacknowledged. */
    KAFKA_UNREACHABLE,
    /** {@link #close()} called. */
    CLOSED
  }

  /** Waits up to {@code timeout} for {@link #isReady()}; returns whether it became ready. */
  public boolean awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      while (!isReady()) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || closed) {
          return false;
        }
        try {
          wait(Math.max(1, Math.min(50, Duration.ofNanos(left).toMillis())));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return true;
  }

  /** Records handed to Kafka and not yet acknowledged. */
  public int inFlight() {
    return forwarder.inFlight();
  }

  public GatewayConfig config() {
    return config;
  }

  /**
   * Stops taking messages, waits briefly for in-flight records so their acknowledgements go out, disconnects from
   * the broker (the session stays for the configured expiry) and closes the producer. Takes a few seconds at most;
   * messages still unacknowledged are redelivered by the broker to the next session.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    handler.stopAccepting();
    if (started && !forwarder.awaitIdle(DRAIN_TIMEOUT)) {
      LOG.warn("closing with {} records not yet acknowledged by Kafka; the broker will redeliver them",
          forwarder.inFlight());
    }
    mqtt.close(CLOSE_TIMEOUT);
    for (PayloadSource source : sources) {
      if (source instanceof StatefulSource) {
        ((StatefulSource) source).close(CLOSE_TIMEOUT);
      }
    }
    forwarder.close(CLOSE_TIMEOUT);
    LOG.info("gateway stopped");
  }

  private final class SendObserver implements KafkaForwarder.Observer {
    @Override
    public void sent(ProducerRecord<String, byte[]> record, long nanos) {
      metrics.kafkaSend(nanos, true);
    }

    @Override
    public void failed(ProducerRecord<String, byte[]> record, Exception error, int attempt, Duration retryIn,
        long nanos) {
      metrics.kafkaSend(nanos, false);
      long skipped = retryLog.tryAcquire();
      if (skipped >= 0) {
        LOG.warn("Kafka send to {} (key {}) failed on attempt {}: {}; retrying in {} ms ({} similar warnings skipped)",
            record.topic(), record.key(), attempt, error.toString(), retryIn.toMillis(), skipped);
      }
    }

    @Override
    public void abandoned(ProducerRecord<String, byte[]> record) {
      LOG.debug("stopped retrying {} (key {}): the broker redelivers its message", record.topic(), record.key());
    }
  }
}
