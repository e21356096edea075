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
 * record. Never throws; blocks only for back-pressure. At most the in-flight limit (the Receive Maximum announced to
 * the broker) of QoS 1 messages wait for Kafka at once: the broker should not send more, and when it does anyway
 * (mosquitto does while it drains a backlog), the callback thread waits for a slot, which stops Paho reading the
 * socket so the broker and TCP hold the rest; it waits only while the message's connection lasts (when that drops,
 * the message goes on beyond the bound, so a reconnect is never held up). QoS 0 messages carry no delivery guarantee and no MQTT flow control:
 * when the same number of QoS 0 messages is in flight (Kafka behind), the callback thread waits up to the QoS 0 wait
 * for a slot; when none frees in time the message is dropped and counted rather than buffered without bound.
 * QoS 2 messages are not expected (the subscription grants QoS 1); Paho 1.2.5 completes their handshake itself, so
 * they are forwarded without a manual acknowledgement.
 */
public final class InboundMessageHandler {
  private static final Logger LOG = LoggerFactory.getLogger(InboundMessageHandler.class);

  private final MqttTopicParser topics;
  private final PayloadParser payloads;
  private final GatewayRecords records;
  private final KafkaForwarder forwarder;
  private final AckSequencer acks;
  private final GatewayMetrics metrics;
  private final Clock clock;
  private final InFlightLimit qos1Slots;
  private final InFlightLimit qos0Slots;
  private final long qos0WaitNanos;
  private final LogThrottle rejectLog = new LogThrottle(10, Duration.ofSeconds(10));
  private final LogThrottle dropLog = new LogThrottle(1, Duration.ofSeconds(10));
  private final LogThrottle holdLog = new LogThrottle(1, Duration.ofSeconds(10));
  private volatile boolean accepting = true;

  /**
   * @param topics topic parser
   * @param payloads payload parser
   * @param records record factory
   * @param forwarder Kafka sender
   * @param acks in-order acknowledgements of the current MQTT connection
   * @param metrics meters
   * @param clock receive-time source
   * @param inFlightLimit QoS 1 messages, and separately QoS 0 messages, allowed in flight at once; beyond it QoS 1
   *     messages wait and QoS 0 messages are dropped at once
   */
  public InboundMessageHandler(MqttTopicParser topics, PayloadParser payloads, GatewayRecords records,
      KafkaForwarder forwarder, AckSequencer acks, GatewayMetrics metrics, Clock clock, int inFlightLimit) {
    this(topics, payloads, records, forwarder, acks, metrics, clock, inFlightLimit, Duration.ZERO);
  }

  /**
   * @param topics topic parser
   * @param payloads payload parser
   * @param records record factory
   * @param forwarder Kafka sender
   * @param acks in-order acknowledgements of the current MQTT connection
   * @param metrics meters
   * @param clock receive-time source
   * @param inFlightLimit QoS 1 messages, and separately QoS 0 messages, allowed in flight at once (the Receive
   *     Maximum)
   * @param qos0Wait how long a QoS 0 message beyond the limit waits for a slot (blocking the MQTT callback thread)
   *     before it is dropped
   */
  public InboundMessageHandler(MqttTopicParser topics, PayloadParser payloads, GatewayRecords records,
      KafkaForwarder forwarder, AckSequencer acks, GatewayMetrics metrics, Clock clock, int inFlightLimit,
      Duration qos0Wait) {
    this.topics = Objects.requireNonNull(topics, "topics");
    this.payloads = Objects.requireNonNull(payloads, "payloads");
    this.records = Objects.requireNonNull(records, "records");
    this.forwarder = Objects.requireNonNull(forwarder, "forwarder");
    this.acks = Objects.requireNonNull(acks, "acks");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.qos1Slots = new InFlightLimit(inFlightLimit);
    this.qos0Slots = new InFlightLimit(inFlightLimit);
    if (qos0Wait == null || qos0Wait.isNegative()) {
      throw new IllegalArgumentException("qos0Wait must be >= 0");
    }
    this.qos0WaitNanos = qos0Wait.toNanos();
  }

  /** Messages arriving from now on are left unacknowledged, for the broker to redeliver to the next session. */
  public void stopAccepting() {
    accepting = false;
  }

  /** Time the QoS 1 ({@code qos} 1) or QoS 0 in-flight bound was reached, in nanoseconds (back-pressure). */
  public long backPressureNanos(int qos) {
    return (qos == 0 ? qos0Slots : qos1Slots).saturatedNanos();
  }

  /** QoS 1 messages waiting for Kafka now. */
  public int qos1InFlight() {
    return qos1Slots.used();
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
    InFlightLimit slots = qos == 1 ? qos1Slots : qos == 0 ? qos0Slots : null;
    // The ticket is taken on arrival: if the connection drops while this message waits for a slot, its
    // acknowledgement must never go out on the next connection, where the packet id may name another message.
    AckSequencer.Ticket ticket = qos == 1 ? acks.register(messageId, qos) : null;
    if (qos == 1 && !qos1Slots.acquire(Long.MAX_VALUE, () -> accepting && acks.isCurrent(ticket))) {
      if (!accepting) {
        acks.forget(ticket); // stopped while waiting: left unacknowledged for the broker to redeliver
        return;
      }
      // The connection dropped while it waited: forward it beyond the bound rather than hold Paho's threads
      // (shutdown of the old connection, reconnect) any longer; only messages Paho had already read get past.
      slots = null;
      long skipped = holdLog.tryAcquire();
      if (skipped >= 0) {
        LOG.warn("QoS 1 message on {} forwarded beyond the in-flight bound of {}: its connection dropped while it"
            + " waited for Kafka ({} more before)", topic, qos1Slots.limit(), skipped);
      }
    }
    if (qos == 0 && !qos0Slots.acquire(qos0WaitNanos, () -> accepting)) {
      metrics.droppedQos0();
      long skipped = dropLog.tryAcquire();
      if (skipped >= 0) {
        LOG.warn("dropping QoS 0 message on {}: {} QoS 0 messages already wait for Kafka ({} more dropped before)",
            topic, qos0Slots.limit(), skipped);
      }
      return;
    }
    try {
      forward(topic, payload, ticket, qos, receivedAt, parsedTopic, slots);
    } catch (RuntimeException e) {
      release(slots);
      if (ticket != null) {
        acks.forget(ticket); // unacknowledged; later messages' acknowledgements go on
      }
      throw e;
    }
  }

  private void forward(String topic, byte[] payload, AckSequencer.Ticket ticket, int qos, long receivedAt,
      TopicParseResult parsedTopic, InFlightLimit slots) {
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
    submit(record, forwardedChannel, ticket, qos, slots);
  }

  private void submit(ProducerRecord<String, byte[]> record, Channel forwardedChannel, AckSequencer.Ticket ticket,
      int qos, InFlightLimit slots) {
    KafkaForwarder.Completion completion;
    if (ticket != null) {
      completion = new KafkaForwarder.Completion() {
        @Override
        public void acked(RecordMetadata metadata) {
          release(slots);
          if (forwardedChannel != null) {
            metrics.forwarded(forwardedChannel);
          }
          acks.complete(ticket);
        }

        @Override
        public boolean wanted() {
          return !ticket.abandoned();
        }

        @Override
        public void abandoned() {
          release(slots);
        }
      };
    } else {
      completion = metadata -> {
        release(slots);
        if (forwardedChannel != null) {
          metrics.forwarded(forwardedChannel);
        }
      };
    }
    if (!forwarder.submit(record, completion)) {
      release(slots); // closing: left unacknowledged, the broker redelivers it to the next session
    }
  }

  /** Frees the message's slot; {@code null}: it had none (QoS 2, or forwarded beyond the bound). */
  private static void release(InFlightLimit slots) {
    if (slots != null) {
      slots.release();
    }
  }
}
