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
    InboundMessageHandler roomy = new InboundMessageHandler(MqttTopicParser.withDefaultRoot(),
        PayloadParser.withDefaults(), new GatewayRecords(Topics.withDefaultPrefix(), 64 * 1024), forwarder, acks,
        new GatewayMetrics(registry), CLOCK, 3);
    roomy.handle(TOPIC, VALID, 1, 1);
    roomy.handle(TOPIC, VALID, 2, 1);
    roomy.handle(TOPIC, VALID, 3, 1);
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
    Thread third = new Thread(() -> waiting.handle(TOPIC, VALID, 0, 0));
    third.start();
    third.join(200);
    assertTrue(third.isAlive(), "the third message waits for a slot");
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
  void neverDropsQos1MessagesWhileKafkaIsSlowAndHoldsThoseBeyondTheLimitUntilASlotFrees() throws Exception {
    // Given the in-flight limit (2) of QoS 1 messages waiting for Kafka
    handler.handle(TOPIC, VALID, 1, 1);
    handler.handle(TOPIC, VALID, 2, 1);
    CapturingProducer.Sent first = producer.next();
    producer.next();

    // When a third arrives although the broker was told the Receive Maximum (on its own thread, as it blocks)
    Thread third = new Thread(() -> handler.handle(TOPIC, VALID, 3, 1));
    third.start();
    third.join(300);

    // Then it waits, nothing is dropped, and the wait counts as back-pressure
    assertTrue(third.isAlive(), "the third QoS 1 message waits for a slot");
    assertEquals(2, forwarder.inFlight());
    assertEquals(2, handler.qos1InFlight());
    assertTrue(handler.backPressureNanos(1) > 0);

    // When Kafka acknowledges the first record, the third goes on
    first.succeed();
    third.join(5_000);
    assertFalse(third.isAlive());
    producer.next();
    assertEquals(2, handler.qos1InFlight());
    assertEquals(0.0, registry.get(GatewayMetrics.DROPPED).counter().count());
    assertEquals(List.of(1), acked);
  }

  @Test
  void aQos1MessageWaitingForASlotIsLeftUnacknowledgedWhenTheGatewayStops() throws Exception {
    handler.handle(TOPIC, VALID, 1, 1);
    handler.handle(TOPIC, VALID, 2, 1);
    Thread third = new Thread(() -> handler.handle(TOPIC, VALID, 3, 1));
    third.start();
    third.join(300);
    assertTrue(third.isAlive());

    handler.stopAccepting();
    third.join(5_000);

    assertFalse(third.isAlive(), "stopping releases the waiting callback thread");
    assertEquals(2, forwarder.inFlight(), "the waiting message was not forwarded (the broker redelivers it)");
  }

  @Test
  void aQos1MessageThatWaitedAcrossAReconnectIsNeverAcknowledgedOnTheNewConnection() throws Exception {
    // Given the limit taken and a third message waiting for a slot
    handler.handle(TOPIC, VALID, 1, 1);
    handler.handle(TOPIC, VALID, 2, 1);
    CapturingProducer.Sent first = producer.next();
    CapturingProducer.Sent second = producer.next();
    Thread third = new Thread(() -> handler.handle(TOPIC, VALID, 3, 1));
    third.start();
    third.join(300);
    assertTrue(third.isAlive());

    // When the connection drops and comes back with the session, and Kafka then acknowledges everything
    acks.connectionLost();
    acks.connected(true);
    first.succeed();
    third.join(5_000);
    assertFalse(third.isAlive());
    second.succeed();

    // Then no acknowledgement goes out on the new connection (packet ids 1-3 may name other messages there), and
    // the third's record is not even sent: the broker redelivers the message with the session
    assertTrue(forwarder.awaitIdle(Duration.ofSeconds(5)));
    assertEquals(List.of(), acked);
    assertEquals(0, producer.waiting());
    assertEquals(0, handler.qos1InFlight());
  }

  @Test
  void anAbandonedRetryFreesItsSlot() throws Exception {
    handler.handle(TOPIC, VALID, 1, 1);
    CapturingProducer.Sent attempt = producer.next();
    assertEquals(1, handler.qos1InFlight());
    acks.connectionLost();
    acks.connected(true); // session present: the broker redelivers it, its record is no longer wanted
    attempt.fail(new TimeoutException("broker down"));

    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    while (handler.qos1InFlight() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(0, handler.qos1InFlight());
    assertEquals(0, forwarder.inFlight());
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
