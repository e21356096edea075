package io.fleetwatch.gateway.mqtt;

import io.fleetwatch.avro.DeadLetterReason;
import io.fleetwatch.gateway.GatewayMetrics;
import io.fleetwatch.gateway.LogThrottle;
import io.fleetwatch.gateway.kafka.GatewayRecords;
import io.fleetwatch.gateway.kafka.KafkaForwarder;
import io.fleetwatch.schemas.DeviceChannel;
import io.fleetwatch.gateway.mapping.MqttTopic;
import io.fleetwatch.gateway.mapping.MqttTopicParser;
import io.fleetwatch.gateway.mapping.ParseResult;
import io.fleetwatch.gateway.mapping.PayloadParser;
import io.fleetwatch.gateway.mapping.TopicParseResult;
import io.fleetwatch.gateway.source.PayloadSource;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the gateway does with one MQTT message, independent of the MQTT client library.
 *
 * <p>Input: topic, payload, packet id and QoS of a message, on the MQTT callback thread. Output: its Kafka records
 * (data topic when valid, dead-letter topic with the reason otherwise) handed to the {@link KafkaForwarder} in order:
 * one for a message of the native contract, those the first matching {@link PayloadSource} yields otherwise; for
 * QoS 1 an {@link AckSequencer} ticket that acknowledges the message, in arrival order, once Kafka acknowledged all
 * its records. A message holds one in-flight slot whatever its number of records. Never throws; blocks only for back-pressure. At most the in-flight limit (the Receive Maximum announced to
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
  private final List<PayloadSource> sources;
  private final GatewayMetrics.SourceMeters nativeMeters;
  private final long qos0WaitNanos;
  private final LogThrottle rejectLog = new LogThrottle(10, Duration.ofSeconds(10));
  private final LogThrottle dropLog = new LogThrottle(1, Duration.ofSeconds(10));
  private final LogThrottle holdLog = new LogThrottle(1, Duration.ofSeconds(10));
  private final LogThrottle sourceFailureLog = new LogThrottle(1, Duration.ofSeconds(10));
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
    this(topics, payloads, List.of(), records, forwarder, acks, metrics, clock, inFlightLimit, qos0Wait);
  }

  /**
   * @param topics topic parser of the native contract
   * @param payloads payload parser of the native contract
   * @param sources further payload sources, in routing order (a message goes to the first that matches its topic,
   *     to the native contract when none does)
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
  public InboundMessageHandler(MqttTopicParser topics, PayloadParser payloads, List<PayloadSource> sources,
      GatewayRecords records, KafkaForwarder forwarder, AckSequencer acks, GatewayMetrics metrics, Clock clock,
      int inFlightLimit, Duration qos0Wait) {
    this.sources = List.copyOf(sources);
    this.topics = Objects.requireNonNull(topics, "topics");
    this.payloads = Objects.requireNonNull(payloads, "payloads");
    this.records = Objects.requireNonNull(records, "records");
    this.forwarder = Objects.requireNonNull(forwarder, "forwarder");
    this.acks = Objects.requireNonNull(acks, "acks");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.nativeMeters = metrics.source(GatewayMetrics.NATIVE_SOURCE);
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
    PayloadSource source = route(topic);
    TopicParseResult parsedTopic = null;
    if (source == null) {
      parsedTopic = topics.parse(topic);
      metrics.received(parsedTopic instanceof MqttTopic ? ((MqttTopic) parsedTopic).channel() : null, size);
      nativeMeters.received();
    } else {
      metrics.payloadSize(size);
      metrics.source(source.name()).received();
    }
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
    List<Outgoing> outgoing;
    try {
      outgoing = source == null
          ? List.of(outgoing(topic, payload, receivedAt, payloads.parse(parsedTopic, payload, receivedAt), nativeMeters,
              parsedTopic instanceof MqttTopic ? ((MqttTopic) parsedTopic).deviceId() : "?"))
          : outgoing(source, topic, payload, receivedAt);
    } catch (RuntimeException e) {
      release(slots);
      if (ticket != null) {
        acks.forget(ticket); // unacknowledged; later messages' acknowledgements go on
      }
      throw e;
    }
    submit(outgoing, ticket, slots);
  }

  /** The first source whose topics include {@code topic}, or {@code null} for the native contract. */
  private PayloadSource route(String topic) {
    for (PayloadSource source : sources) {
      if (source.matches(topic)) {
        return source;
      }
    }
    return null;
  }

  /** The records of a source's message; a source that breaks its contract (throws, yields nothing) dead-letters it. */
  private List<Outgoing> outgoing(PayloadSource source, String topic, byte[] payload, long receivedAt) {
    List<ParseResult> results;
    try {
      results = source.decode(topic, payload, receivedAt);
    } catch (RuntimeException e) {
      if (sourceFailureLog.tryAcquire() >= 0) {
        LOG.error("payload source {} failed on a message on {}; dead-lettered", source.name(), topic, e);
      }
      results = List.of(new ParseResult.Rejected(DeadLetterReason.UNKNOWN,
          "the " + source.name() + " source failed: " + e));
    }
    if (results == null || results.isEmpty()) {
      results = List.of(new ParseResult.Rejected(DeadLetterReason.UNKNOWN,
          "the " + source.name() + " source yielded no record for the message"));
    }
    GatewayMetrics.SourceMeters meters = metrics.source(source.name());
    List<Outgoing> outgoing = new ArrayList<>(results.size());
    for (ParseResult result : results) {
      String device = result instanceof ParseResult.Accepted ? ((ParseResult.Accepted) result).deviceId()
          : "? (" + source.name() + " source)";
      outgoing.add(outgoing(topic, payload, receivedAt, result, meters, device));
    }
    return outgoing;
  }

  /** The Kafka record of one parse result: its data topic when valid, the dead-letter topic with the reason if not. */
  private Outgoing outgoing(String topic, byte[] payload, long receivedAt, ParseResult result,
      GatewayMetrics.SourceMeters meters, String deviceId) {
    if (result instanceof ParseResult.Accepted) {
      ParseResult.Accepted accepted = (ParseResult.Accepted) result;
      try {
        ProducerRecord<String, byte[]> record = records.data(accepted);
        meters.mapped();
        return new Outgoing(record, accepted.channel());
      } catch (RuntimeException e) {
        result = new ParseResult.Rejected(DeadLetterReason.UNKNOWN,
            "the valid " + accepted.channel().segment() + " value could not be encoded: " + e.getMessage());
      }
    }
    ParseResult.Rejected rejected = (ParseResult.Rejected) result;
    metrics.rejected(rejected.reason());
    meters.rejected(rejected.reason());
    long skipped = rejectLog.tryAcquire();
    if (skipped >= 0) {
      LOG.warn("rejected MQTT message on {} (device {}): {} {} ({} similar warnings skipped)", topic, deviceId,
          rejected.reason(), rejected.detail(), skipped);
    }
    return new Outgoing(records.deadLetter(topic, payload, rejected, receivedAt), null);
  }

  /**
   * Hands a message's records to Kafka, in order. The message holds one in-flight slot (MQTT flow control counts
   * messages) until Kafka acknowledged the last of its records; only then is it acknowledged. Its records are bounded
   * by the payload size limit, so memory stays bounded by the in-flight limit.
   */
  private void submit(List<Outgoing> outgoing, AckSequencer.Ticket ticket, InFlightLimit slots) {
    Delivery delivery = new Delivery(outgoing.size(), ticket, slots);
    for (Outgoing out : outgoing) {
      KafkaForwarder.Completion completion = new KafkaForwarder.Completion() {
        @Override
        public void acked(RecordMetadata metadata) {
          if (out.channel() != null) {
            metrics.forwarded(out.channel());
          }
          delivery.recordDone(true);
        }

        @Override
        public boolean wanted() {
          return ticket == null || !ticket.abandoned();
        }

        @Override
        public void abandoned() {
          delivery.recordDone(false);
        }
      };
      if (!forwarder.submit(out.record(), completion)) {
        delivery.recordDone(false); // closing: left unacknowledged, the broker redelivers it to the next session
      }
    }
  }

  /** One Kafka record of a message; {@code channel} is {@code null} for a dead letter. */
  private record Outgoing(ProducerRecord<String, byte[]> record, DeviceChannel channel) {}

  /** The records of one message still waiting for Kafka: the last one frees the slot and acknowledges the message. */
  private final class Delivery {
    private final AtomicInteger remaining;
    private final AckSequencer.Ticket ticket;
    private final InFlightLimit slots;
    private volatile boolean incomplete;

    Delivery(int records, AckSequencer.Ticket ticket, InFlightLimit slots) {
      this.remaining = new AtomicInteger(records);
      this.ticket = ticket;
      this.slots = slots;
    }

    /** A record was acknowledged by Kafka ({@code stored}), or abandoned / not taken (left for redelivery). */
    void recordDone(boolean stored) {
      if (!stored) {
        incomplete = true;
      }
      if (remaining.decrementAndGet() == 0) {
        release(slots);
        if (ticket != null && !incomplete) {
          acks.complete(ticket);
        }
      }
    }
  }

  /** Frees the message's slot; {@code null}: it had none (QoS 2, or forwarded beyond the bound). */
  private static void release(InFlightLimit slots) {
    if (slots != null) {
      slots.release();
    }
  }
}
