package io.fleetwatch.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.DeadLetter;
import io.fleetwatch.avro.DeadLetterReason;
import io.fleetwatch.gateway.GatewayMetrics;
import io.fleetwatch.gateway.kafka.CapturingProducer;
import io.fleetwatch.gateway.kafka.GatewayRecords;
import io.fleetwatch.gateway.kafka.KafkaForwarder;
import io.fleetwatch.gateway.mapping.MqttTopicParser;
import io.fleetwatch.gateway.mapping.PayloadParser;
import io.fleetwatch.schemas.AvroSerde;
import io.fleetwatch.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.List;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The path MQTT message → Kafka record → in-order MQTT acknowledgement, with a producer the test completes. */
class InboundMessageHandlerTest {
  private static final String TOPIC = "fleet/plant-1/chiller-7/telemetry";
  private static final byte[] VALID = "{\"ts\":1764100000000,\"metrics\":{\"t\":1}}".getBytes(StandardCharsets.UTF_8);
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(1_764_100_000_500L), ZoneOffset.UTC);

  private final CapturingProducer producer = new CapturingProducer();
  private final KafkaForwarder forwarder = new KafkaForwarder(producer, KafkaForwarder.Observer.NONE,
      Duration.ofMillis(1), Duration.ofMillis(5), List.of());
  private final List<Integer> acked = Collections.synchronizedList(new java.util.ArrayList<>());
  private final AckSequencer acks = new AckSequencer((id, qos) -> acked.add(id));
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final InboundMessageHandler handler = new InboundMessageHandler(MqttTopicParser.withDefaultRoot(),
      PayloadParser.withDefaults(), new GatewayRecords(Topics.withDefaultPrefix(), 64 * 1024), forwarder, acks,
      new GatewayMetrics(registry), CLOCK, 2);

  InboundMessageHandlerTest() {
    forwarder.start();
  }

  @AfterEach
  void closeForwarder() {
    forwarder.close(Duration.ofSeconds(1));
  }

  private double count(String name, String tag, String value) {
    return registry.get(name).tag(tag, value).counter().count();
  }

  @Test
  void acknowledgesQos1MessageOnlyAfterKafkaAcknowledgedItsRecord() throws Exception {
    handler.handle(TOPIC, VALID, 1, 1);
    CapturingProducer.Sent sent = producer.next();

    assertEquals("fleet.telemetry", sent.record().topic());
    assertEquals("chiller-7", sent.record().key());
    assertEquals(List.of(), acked);

    sent.succeed();

    assertEquals(List.of(1), acked);
    assertEquals(1.0, count(GatewayMetrics.FORWARDED, "channel", "telemetry"));
    assertEquals(1.0, count(GatewayMetrics.RECEIVED, "channel", "telemetry"));
  }

  @Test
  void acknowledgesInArrivalOrderWhenKafkaCompletesOutOfOrder() throws Exception {
    handler.handle(TOPIC, VALID, 1, 1);
    handler.handle(TOPIC, VALID, 2, 1);
    handler.handle(TOPIC, VALID, 3, 1);
    CapturingProducer.Sent first = producer.next();
    CapturingProducer.Sent second = producer.next();
    CapturingProducer.Sent third = producer.next();

    third.succeed();
    second.succeed();
    assertEquals(List.of(), acked);

    first.succeed();
    assertEquals(List.of(1, 2, 3), acked);
  }

  @Test
  void retriesFailedSendAndAcknowledgesOnlyAfterKafkaAcceptsTheRetry() throws Exception {
    handler.handle(TOPIC, VALID, 1, 1);
    CapturingProducer.Sent attempt = producer.next();

    attempt.fail(new TimeoutException("delivery timeout"));
    assertEquals(List.of(), acked);
    CapturingProducer.Sent retry = producer.next();
    assertEquals(attempt.record(), retry.record());
    retry.succeed();

    assertEquals(List.of(1), acked);
    assertEquals(0, forwarder.inFlight());
  }

  @Test
  void routesInvalidPayloadToDeadLetterTopicAndAcknowledgesAfterKafka() throws Exception {
    byte[] payload = "{\"ts\":\"yesterday\",\"metrics\":{}}".getBytes(StandardCharsets.UTF_8);

    handler.handle(TOPIC, payload, 9, 1);
    CapturingProducer.Sent sent = producer.next();

    assertEquals("fleet.deadletter", sent.record().topic());
    assertEquals(TOPIC, sent.record().key());
    DeadLetter letter = AvroSerde.of(DeadLetter.class).deserialize(sent.record().topic(), sent.record().value());
    assertEquals(DeadLetterReason.INVALID_TIMESTAMP, letter.getReason());
    assertEquals(Instant.ofEpochMilli(1_764_100_000_500L), letter.getReceivedAt());
    assertEquals(1.0, count(GatewayMetrics.REJECTED, "reason", "invalid_timestamp"));
    assertEquals(List.of(), acked);

    sent.succeed();
    assertEquals(List.of(9), acked);
    assertEquals(0.0, count(GatewayMetrics.FORWARDED, "channel", "telemetry"));
  }

  @Test
  void countsMessageOnUnknownChannelUnderTheUnknownTag() throws Exception {
    handler.handle("fleet/plant-1/chiller-7/command", VALID, 4, 1);

    assertEquals("fleet.deadletter", producer.next().record().topic());
    assertEquals(1.0, count(GatewayMetrics.RECEIVED, "channel", "unknown"));
    assertEquals(1.0, count(GatewayMetrics.REJECTED, "reason", "unknown_channel"));
  }

  @Test
  void forwardsQos0MessageWithoutAcknowledging() throws Exception {
    handler.handle(TOPIC, VALID, 0, 0);

    producer.next().succeed();

    assertEquals(List.of(), acked);
    assertEquals(1.0, count(GatewayMetrics.FORWARDED, "channel", "telemetry"));
  }

  @Test
  void dropsQos0MessagesBeyondTheInFlightLimitAndCountsThem() {
    handler.handle(TOPIC, VALID, 0, 0);
    handler.handle(TOPIC, VALID, 0, 0);
    handler.handle(TOPIC, VALID, 0, 0);

    assertEquals(2, forwarder.inFlight());
    assertEquals(1.0, registry.get(GatewayMetrics.DROPPED).counter().count());
  }

  @Test
  void holdsAQos0MessageBeyondTheLimitUntilKafkaFreesASlotInsteadOfDroppingIt() throws Exception {
    // Given a handler that waits up to 5 s for a QoS 0 slot, with both slots taken
    InboundMessageHandler waiting = new InboundMessageHandler(MqttTopicParser.withDefaultRoot(),
        PayloadParser.withDefaults(), new GatewayRecords(Topics.withDefaultPrefix(), 64 * 1024), forwarder, acks,
        new GatewayMetrics(registry), CLOCK, 2, Duration.ofSeconds(5));
    waiting.handle(TOPIC, VALID, 0, 0);
    waiting.handle(TOPIC, VALID, 0, 0);
    CapturingProducer.Sent first = producer.next();
    producer.next();

    // When a third arrives (on its own thread, as it blocks) and Kafka then acknowledges the first record
    Thread third = blockedHandling(waiting, 0, 0);
    first.succeed();
    third.join(5_000);

    // Then the third is forwarded, nothing dropped
    assertFalse(third.isAlive());
    producer.next();
    assertEquals(0.0, registry.get(GatewayMetrics.DROPPED).counter().count());
  }

  @Test
  void dropsAQos0MessageWhenNoSlotFreesWithinTheWait() {
    InboundMessageHandler waiting = new InboundMessageHandler(MqttTopicParser.withDefaultRoot(),
        PayloadParser.withDefaults(), new GatewayRecords(Topics.withDefaultPrefix(), 64 * 1024), forwarder, acks,
        new GatewayMetrics(registry), CLOCK, 1, Duration.ofMillis(50));
    waiting.handle(TOPIC, VALID, 0, 0);
    waiting.handle(TOPIC, VALID, 0, 0);

    assertEquals(1, forwarder.inFlight());
    assertEquals(1.0, registry.get(GatewayMetrics.DROPPED).counter().count());
  }

  @Test
  void neverDropsQos1MessagesWhileKafkaIsSlow() {
    for (int id = 1; id <= 5; id++) {
      handler.handle(TOPIC, VALID, id, 1);
    }

    assertEquals(5, forwarder.inFlight());
    assertEquals(0.0, registry.get(GatewayMetrics.DROPPED).counter().count());
  }

  @Test
  void holdsAQos1MessageBeyondTheLimitUntilKafkaAcknowledgesARecordWhenTheBrokerSendsTooMany() throws Exception {
    // Given a handler bounding QoS 1 at 2 records waiting for Kafka, with both taken
    InboundMessageHandler bounded = boundedQos1(2);
    bounded.handle(TOPIC, VALID, 1, 1);
    bounded.handle(TOPIC, VALID, 2, 1);
    CapturingProducer.Sent first = producer.next();
    producer.next();

    // When the broker sends a third (on its own thread, as it blocks) and Kafka then acknowledges the first record
    Thread third = blockedHandling(bounded, 3, 1);
    assertEquals(2, forwarder.inFlight());
    first.succeed();
    third.join(5_000);

    // Then the third is forwarded, and acknowledged in arrival order once Kafka has all three
    assertFalse(third.isAlive());
    CapturingProducer.Sent thirdSent = producer.next();
    assertEquals(List.of(1), acked);
    thirdSent.succeed();
    assertEquals(List.of(1), acked, "the second is still waiting for Kafka");
  }

  @Test
  void releasesAHeldQos1MessageUnforwardedWhenTheHandlerStopsAccepting() throws Exception {
    InboundMessageHandler bounded = boundedQos1(1);
    bounded.handle(TOPIC, VALID, 1, 1);
    producer.next();
    Thread second = blockedHandling(bounded, 2, 1);

    bounded.stopAccepting();
    second.join(5_000);

    assertFalse(second.isAlive(), "the held message gave up");
    assertEquals(1, forwarder.inFlight(), "and was not forwarded (the broker redelivers it)");
    assertEquals(0, producer.waiting());
  }

  /** Handles a message on its own thread and checks that it waits (for a slot); returns the thread. */
  private static Thread blockedHandling(InboundMessageHandler handler, int messageId, int qos)
      throws InterruptedException {
    Thread thread = new Thread(() -> handler.handle(TOPIC, VALID, messageId, qos));
    thread.start();
    thread.join(200);
    assertTrue(thread.isAlive(), "message " + messageId + " (QoS " + qos + ") waits for a slot");
    return thread;
  }

  @Test
  void forwardsAHeldQos1MessageWhenItsConnectionIsLost() throws Exception {
    InboundMessageHandler bounded = boundedQos1(1);
    bounded.handle(TOPIC, VALID, 1, 1);
    producer.next();
    Thread second = blockedHandling(bounded, 2, 1);

    acks.connectionLost();
    second.join(5_000);

    assertFalse(second.isAlive(), "the held message stopped waiting");
    producer.next(); // forwarded: without a resumed session its record is the only copy
    assertEquals(2, forwarder.inFlight());
  }

  @Test
  void forwardsAHeldQos1MessageAfterTheMaximumHold() throws Exception {
    InboundMessageHandler bounded = boundedQos1(1, Duration.ofMillis(300));
    bounded.handle(TOPIC, VALID, 1, 1);
    producer.next();
    Thread second = blockedHandling(bounded, 2, 1);

    second.join(5_000);

    assertFalse(second.isAlive(), "the held message stopped waiting after the maximum hold");
    producer.next();
    assertEquals(2, forwarder.inFlight());
  }

  private InboundMessageHandler boundedQos1(int qos1Limit) {
    return boundedQos1(qos1Limit, Duration.ofMinutes(1));
  }

  private InboundMessageHandler boundedQos1(int qos1Limit, Duration maxHold) {
    return new InboundMessageHandler(MqttTopicParser.withDefaultRoot(), PayloadParser.withDefaults(),
        new GatewayRecords(Topics.withDefaultPrefix(), 64 * 1024), forwarder, acks, new GatewayMetrics(registry), CLOCK,
        2, Duration.ZERO, qos1Limit, maxHold);
  }

  @Test
  void stopsRetryingOnceTheResumedSessionRedeliversTheMessage() throws Exception {
    handler.handle(TOPIC, VALID, 1, 1);
    CapturingProducer.Sent attempt = producer.next();

    acks.connectionLost();
    acks.connected(true);
    attempt.fail(new TimeoutException("delivery timeout"));

    assertTrue(forwarder.awaitIdle(Duration.ofSeconds(5)));
    assertEquals(0, producer.waiting());
    assertEquals(List.of(), acked);
  }

  @Test
  void leavesMessagesUnhandledAfterStopAccepting() {
    handler.stopAccepting();

    handler.handle(TOPIC, VALID, 1, 1);

    assertEquals(0, forwarder.inFlight());
    assertEquals(0.0, count(GatewayMetrics.RECEIVED, "channel", "telemetry"));
  }
}
