package io.fleetwatch.gateway.mqtt;

import io.fleetwatch.avro.DeadLetterReason;
import io.fleetwatch.gateway.GatewayMetrics;
import io.fleetwatch.gateway.LogThrottle;
import io.fleetwatch.gateway.kafka.GatewayRecords;
import io.fleetwatch.gateway.kafka.KafkaForwarder;
import io.fleetwatch.gateway.mapping.Channel;
import io.fleetwatch.gateway.mapping.MqttTopic;
import io.fleetwatch.gateway.mapping.MqttTopicParser;
import io.fleetwatch.gateway.mapping.ParseResult;
import io.fleetwatch.gateway.mapping.PayloadParser;
import io.fleetwatch.gateway.mapping.TopicParseResult;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the gateway does with one MQTT message, independent of the MQTT client library.
 *
 * <p>Input: topic, payload, packet id and QoS of a message, on the MQTT callback thread. Output: one Kafka record
 * (data topic when valid, dead-letter topic with the reason otherwise) handed to the {@link KafkaForwarder}; for
 * QoS 1 an {@link AckSequencer} ticket that acknowledges the message, in arrival order, once Kafka acknowledged the
 * record. Never throws; blocks only for back-pressure. QoS 1 messages are bounded by the broker honouring the
 * gateway's Receive Maximum, and locally too, since brokers do not all honour it (mosquitto 2.0.11 sends far more
 * while acknowledgements trickle out): when the QoS 1 limit of records already waits for Kafka, the callback thread
 * waits until Kafka acknowledges one, which stops Paho reading the socket so TCP and the broker hold the rest. The
 * wait ends early, and the message is forwarded anyway (logged), when its connection is lost or after the QoS 1
 * maximum hold, so Paho's own threads (keep-alive, shutdown) are never held for long; it ends without forwarding
 * when the handler stops accepting. The message's acknowledgement ticket is taken on arrival, so a connection lost
 * meanwhile never gets an acknowledgement meant for another. QoS 0 messages carry no delivery guarantee and no MQTT
 * flow control: when the QoS 0 limit is in flight (Kafka behind), the callback thread waits up to the QoS 0 wait for
 * a slot; when none frees in time the message is dropped and counted rather than buffered without bound.
 * QoS 2 messages are not expected (the subscription grants QoS 1); Paho 1.2.5 completes their handshake itself, so
 * they are forwarded without a manual acknowledgement.
 */
public final class InboundMessageHandler {
  private static final Logger LOG = LoggerFactory.getLogger(InboundMessageHandler.class);
  /** How often a held QoS 1 message checks for a free slot. */
  private static final long QOS1_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private final MqttTopicParser topics;
  private final PayloadParser payloads;
  private final GatewayRecords records;
  private final KafkaForwarder forwarder;
  private final AckSequencer acks;
  private final GatewayMetrics metrics;
  private final Clock clock;
  private final int qos0Limit;
  private final Semaphore qos0Slots;
  private final long qos0WaitNanos;
  private final int qos1Limit;
  private final long qos1MaxHoldNanos;
  private final LogThrottle holdLog = new LogThrottle(1, Duration.ofSeconds(10));
  private final LogThrottle rejectLog = new LogThrottle(10, Duration.ofSeconds(10));
  private final LogThrottle dropLog = new LogThrottle(1, Duration.ofSeconds(10));
  private volatile boolean accepting = true;

  /**
   * @param topics topic parser
   * @param payloads payload parser
   * @param records record factory
   * @param forwarder Kafka sender
   * @param acks in-order acknowledgements of the current MQTT connection
   * @param metrics meters
   * @param clock receive-time source
   * @param qos0Limit QoS 0 messages allowed in flight at once; beyond it QoS 0 messages are dropped at once
   */
  public InboundMessageHandler(MqttTopicParser topics, PayloadParser payloads, GatewayRecords records,
      KafkaForwarder forwarder, AckSequencer acks, GatewayMetrics metrics, Clock clock, int qos0Limit) {
    this(topics, payloads, records, forwarder, acks, metrics, clock, qos0Limit, Duration.ZERO);
  }

  /**
   * @param topics topic parser
   * @param payloads payload parser
   * @param records record factory
   * @param forwarder Kafka sender
   * @param acks in-order acknowledgements of the current MQTT connection
   * @param metrics meters
   * @param clock receive-time source
   * @param qos0Limit QoS 0 messages allowed in flight at once
   * @param qos0Wait how long a QoS 0 message beyond the limit waits for a slot (blocking the MQTT callback thread)
   *     before it is dropped
   */
  public InboundMessageHandler(MqttTopicParser topics, PayloadParser payloads, GatewayRecords records,
      KafkaForwarder forwarder, AckSequencer acks, GatewayMetrics metrics, Clock clock, int qos0Limit,
      Duration qos0Wait) {
    this(topics, payloads, records, forwarder, acks, metrics, clock, qos0Limit, qos0Wait, Integer.MAX_VALUE,
        Duration.ZERO);
  }

  /**
   * @param topics topic parser
   * @param payloads payload parser
   * @param records record factory
   * @param forwarder Kafka sender
   * @param acks in-order acknowledgements of the current MQTT connection
   * @param metrics meters
   * @param clock receive-time source
   * @param qos0Limit QoS 0 messages allowed in flight at once
   * @param qos0Wait how long a QoS 0 message beyond the limit waits for a slot (blocking the MQTT callback thread)
   *     before it is dropped
   * @param qos1Limit records waiting for Kafka beyond which a QoS 1 message waits (blocking the MQTT callback thread)
   *     until Kafka acknowledges one: the gateway's Receive Maximum
   * @param qos1MaxHold how long such a message waits at most before it is forwarded anyway
   */
  public InboundMessageHandler(MqttTopicParser topics, PayloadParser payloads, GatewayRecords records,
      KafkaForwarder forwarder, AckSequencer acks, GatewayMetrics metrics, Clock clock, int qos0Limit,
      Duration qos0Wait, int qos1Limit, Duration qos1MaxHold) {
    this.topics = Objects.requireNonNull(topics, "topics");
    this.payloads = Objects.requireNonNull(payloads, "payloads");
    this.records = Objects.requireNonNull(records, "records");
    this.forwarder = Objects.requireNonNull(forwarder, "forwarder");
    this.acks = Objects.requireNonNull(acks, "acks");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (qos0Limit < 1) {
      throw new IllegalArgumentException("qos0Limit must be >= 1");
    }
    this.qos0Limit = qos0Limit;
    this.qos0Slots = new Semaphore(qos0Limit);
    if (qos0Wait == null || qos0Wait.isNegative()) {
      throw new IllegalArgumentException("qos0Wait must be >= 0");
    }
    this.qos0WaitNanos = qos0Wait.toNanos();
    if (qos1Limit < 1) {
      throw new IllegalArgumentException("qos1Limit must be >= 1");
    }
    this.qos1Limit = qos1Limit;
    if (qos1MaxHold == null || qos1MaxHold.isNegative()) {
      throw new IllegalArgumentException("qos1MaxHold must be >= 0");
    }
    this.qos1MaxHoldNanos = qos1MaxHold.toNanos();
  }

  /** Messages arriving from now on are left unacknowledged, for the broker to redeliver to the next session. */
  public void stopAccepting() {
    accepting = false;
  }

  /** Handles one message; never throws. */
  public void handle(String topic, byte[] payload, int messageId, int qos) {
    try {
      handleOrThrow(topic, payload, messageId, qos);
    } catch (RuntimeException e) {
      // Left unacknowledged: the broker redelivers it with the session.
      LOG.error("cannot handle MQTT message {} on topic {} (qos {})", messageId, topic, qos, e);
    }
  }

  private void handleOrThrow(String topic, byte[] payload, int messageId, int qos) {
    if (!accepting) {
      return;
    }
    long receivedAt = clock.millis();
    int size = payload == null ? 0 : payload.length;
    TopicParseResult parsedTopic = topics.parse(topic);
    Channel channel = parsedTopic instanceof MqttTopic ? ((MqttTopic) parsedTopic).channel() : null;
    metrics.received(channel, size);
    if (qos == 0 && !acquireQos0Slot()) {
      metrics.droppedQos0();
      long skipped = dropLog.tryAcquire();
      if (skipped >= 0) {
        LOG.warn("dropping QoS 0 message on {}: {} QoS 0 messages already wait for Kafka ({} more dropped before)",
            topic, qos0Limit, skipped);
      }
      return;
    }
    try {
      forward(topic, payload, messageId, qos, receivedAt, parsedTopic);
    } catch (RuntimeException e) {
      if (qos == 0) {
        qos0Slots.release();
      }
      throw e;
    }
  }

  private void forward(String topic, byte[] payload, int messageId, int qos, long receivedAt,
      TopicParseResult parsedTopic) {
    ParseResult result = parsedTopic instanceof MqttTopic
        ? payloads.parse((MqttTopic) parsedTopic, payload, receivedAt)
        : (ParseResult.Rejected) parsedTopic;
    ProducerRecord<String, byte[]> record = null;
    Channel forwardedChannel = null;
    if (result instanceof ParseResult.Accepted) {
      ParseResult.Accepted accepted = (ParseResult.Accepted) result;
      try {
        record = records.data(accepted);
        forwardedChannel = accepted.channel();
      } catch (RuntimeException e) {
        result = new ParseResult.Rejected(DeadLetterReason.UNKNOWN,
            "the valid " + accepted.channel().tag() + " value could not be encoded: " + e.getMessage());
      }
    }
    if (record == null) {
      ParseResult.Rejected rejected = (ParseResult.Rejected) result;
      metrics.rejected(rejected.reason());
      long skipped = rejectLog.tryAcquire();
      if (skipped >= 0) {
        LOG.warn("rejected MQTT message on {} (device {}): {} {} ({} similar warnings skipped)", topic,
            parsedTopic instanceof MqttTopic ? ((MqttTopic) parsedTopic).deviceId() : "?", rejected.reason(),
            rejected.detail(), skipped);
      }
      record = records.deadLetter(topic, payload, rejected, receivedAt);
    }
    submit(record, forwardedChannel, messageId, qos);
  }

  private boolean acquireQos0Slot() {
    if (qos0Slots.tryAcquire()) {
      return true;
    }
    if (qos0WaitNanos == 0) {
      return false;
    }
    try {
      return qos0Slots.tryAcquire(qos0WaitNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Waits while the QoS 1 limit of records waits for Kafka (the broker sent beyond Receive Maximum), at most the
   * maximum hold and only while {@code ticket}'s connection lasts; returns {@code false} when the handler stopped
   * accepting meanwhile.
   */
  private boolean awaitQos1Slot(AckSequencer.Ticket ticket) {
    if (forwarder.inFlight() < qos1Limit) {
      return true;
    }
    long start = System.nanoTime();
    while (forwarder.inFlight() >= qos1Limit) {
      if (!accepting) {
        return false;
      }
      if (!acks.isCurrent(ticket) || System.nanoTime() - start >= qos1MaxHoldNanos) {
        break;
      }
      LockSupport.parkNanos(QOS1_POLL_NANOS);
    }
    long heldMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    long skipped = holdLog.tryAcquire();
    if (skipped >= 0) {
      LOG.warn("the MQTT broker sent more than Receive Maximum ({}): held a message {} ms until {} ({} similar warnings"
          + " skipped)", qos1Limit, heldMs, forwarder.inFlight() < qos1Limit ? "Kafka acknowledged a record"
              : acks.isCurrent(ticket) ? "the maximum hold passed, forwarding it anyway" : "its connection was lost",
          skipped);
    }
    return true;
  }

  private void submit(ProducerRecord<String, byte[]> record, Channel forwardedChannel, int messageId, int qos) {
    if (qos == 1) {
      AckSequencer.Ticket ticket = acks.register(messageId, qos);
      if (!awaitQos1Slot(ticket)) {
        return; // closing: left unacknowledged, the broker redelivers it to the next session
      }
      forwarder.submit(record, new KafkaForwarder.Completion() {
        @Override
        public void acked(RecordMetadata metadata) {
          if (forwardedChannel != null) {
            metrics.forwarded(forwardedChannel);
          }
          acks.complete(ticket);
        }

        @Override
        public boolean wanted() {
          return !ticket.abandoned();
        }
      });
      return;
    }
    boolean counted = qos == 0; // its QoS 0 slot was taken in handleOrThrow
    forwarder.submit(record, metadata -> {
      if (counted) {
        qos0Slots.release();
      }
      if (forwardedChannel != null) {
        metrics.forwarded(forwardedChannel);
      }
    });
  }
}
