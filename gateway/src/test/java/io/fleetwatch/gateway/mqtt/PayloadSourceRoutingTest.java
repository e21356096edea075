package io.fleetwatch.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetwatch.avro.DeadLetterReason;
import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.gateway.GatewayMetrics;
import io.fleetwatch.gateway.kafka.CapturingProducer;
import io.fleetwatch.gateway.kafka.GatewayRecords;
import io.fleetwatch.gateway.kafka.KafkaForwarder;
import io.fleetwatch.schemas.DeviceChannel;
import io.fleetwatch.gateway.mapping.MqttTopicParser;
import io.fleetwatch.gateway.mapping.ParseResult;
import io.fleetwatch.gateway.mapping.PayloadParser;
import io.fleetwatch.gateway.source.PayloadSource;
import io.fleetwatch.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Messages of a payload source that stand for several records: routing, ordering, slots, acknowledgement, meters. */
class PayloadSourceRoutingTest {
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(1_764_100_000_500L), ZoneOffset.UTC);

  private final CapturingProducer producer = new CapturingProducer();
  private final KafkaForwarder forwarder = new KafkaForwarder(producer, KafkaForwarder.Observer.NONE,
      Duration.ofMillis(1), Duration.ofMillis(5), List.of());
  private final List<Integer> acked = Collections.synchronizedList(new ArrayList<>());
  private final AckSequencer acks = new AckSequencer((id, qos) -> acked.add(id));
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  PayloadSourceRoutingTest() {
    forwarder.start();
  }

  @AfterEach
  void closeForwarder() {
    forwarder.close(Duration.ofSeconds(1));
  }

  /** A source on {@code vendor/...} whose decoding the test chooses. */
  private record FakeSource(Function<String, List<ParseResult>> decoding) implements PayloadSource {
    @Override
    public String name() {
      return "mapped";
    }

    @Override
    public List<String> subscriptions() {
      return List.of("vendor/#");
    }

    @Override
    public boolean matches(String topic) {
      return topic.startsWith("vendor/");
    }

    @Override
    public List<ParseResult> decode(String topic, byte[] payload, long receivedAt) {
      return decoding.apply(topic);
    }
  }

  private static ParseResult telemetry(String device) {
    return new ParseResult.Accepted(DeviceChannel.TELEMETRY, device, "site-1", Telemetry.newBuilder()
        .setDeviceId(device)
        .setSite("site-1").setTs(Instant.ofEpochMilli(1)).setReceivedAt(Instant.ofEpochMilli(2))
        .setMetrics(Map.of("t", 1.0)).build());
  }

  private InboundMessageHandler handler(PayloadSource source, int inFlight) {
    return new InboundMessageHandler(MqttTopicParser.withDefaultRoot(), PayloadParser.withDefaults(),
        List.of(source), new GatewayRecords(Topics.withDefaultPrefix(), 64 * 1024), forwarder, acks,
        new GatewayMetrics(registry), CLOCK, inFlight, Duration.ZERO);
  }

  private double count(String name, String... tags) {
    return registry.get(name).tags(tags).counter().count();
  }

  @Test
  void acknowledgesAMessageOnlyAfterKafkaAcknowledgedEveryRecordItYielded() throws Exception {
    InboundMessageHandler handler = handler(new FakeSource(topic -> List.of(telemetry("a"),
        new ParseResult.Rejected(DeadLetterReason.MAPPING_FAILED, "field x missing"), telemetry("b"))), 1);

    // Given a message standing for two records and a dead letter
    handler.handle("vendor/x", "{}".getBytes(StandardCharsets.UTF_8), 7, 1);
    CapturingProducer.Sent first = producer.next();
    CapturingProducer.Sent dead = producer.next();
    CapturingProducer.Sent second = producer.next();

    // Then they go to Kafka in the source's order, holding one slot
    assertEquals(List.of("fleet.telemetry", "fleet.deadletter", "fleet.telemetry"),
        List.of(first.record().topic(), dead.record().topic(), second.record().topic()));
    assertEquals(List.of("a", "vendor/x", "b"), List.of(first.record().key(), dead.record().key(),
        second.record().key()));
    assertEquals(1, handler.qos1InFlight());

    // When Kafka acknowledges them out of order, the message is acknowledged only with the last
    second.succeed();
    first.succeed();
    assertEquals(List.of(), acked);
    assertEquals(1, handler.qos1InFlight());
    dead.succeed();
    assertEquals(List.of(7), acked);
    assertEquals(0, handler.qos1InFlight());

    assertEquals(1.0, count(GatewayMetrics.SOURCE_RECEIVED, "source", "mapped"));
    assertEquals(2.0, count(GatewayMetrics.SOURCE_MAPPED, "source", "mapped"));
    assertEquals(1.0, count(GatewayMetrics.SOURCE_REJECTED, "source", "mapped", "reason", "mapping_failed"));
    assertEquals(2.0, count(GatewayMetrics.FORWARDED, "channel", "telemetry"));
    assertEquals(0.0, count(GatewayMetrics.SOURCE_RECEIVED, "source", "native"));
  }

  @Test
  void nativeTopicsStillGoToTheNativeContract() throws Exception {
    InboundMessageHandler handler = handler(new FakeSource(topic -> List.of(telemetry("a"))), 2);

    handler.handle("fleet/site-1/dev-1/telemetry",
        "{\"ts\":1764100000000,\"metrics\":{\"t\":1}}".getBytes(StandardCharsets.UTF_8), 1, 1);
    CapturingProducer.Sent sent = producer.next();
    sent.succeed();

    assertEquals("dev-1", sent.record().key());
    assertEquals(List.of(1), acked);
    assertEquals(1.0, count(GatewayMetrics.SOURCE_RECEIVED, "source", "native"));
    assertEquals(1.0, count(GatewayMetrics.SOURCE_MAPPED, "source", "native"));
    assertEquals(0.0, count(GatewayMetrics.SOURCE_RECEIVED, "source", "mapped"));
  }

  @Test
  void aSourceThatBreaksItsContractDeadLettersTheMessageInsteadOfLosingIt() throws Exception {
    InboundMessageHandler throwing = handler(new FakeSource(topic -> {
      throw new IllegalStateException("bug");
    }), 2);
    InboundMessageHandler empty = handler(new FakeSource(topic -> List.of()), 2);

    throwing.handle("vendor/x", new byte[] {1}, 1, 1);
    empty.handle("vendor/y", new byte[] {2}, 2, 1);
    CapturingProducer.Sent a = producer.next();
    CapturingProducer.Sent b = producer.next();
    a.succeed();
    b.succeed();

    assertEquals("fleet.deadletter", a.record().topic());
    assertEquals("fleet.deadletter", b.record().topic());
    assertEquals(List.of(1, 2), acked);
    assertEquals(2.0, count(GatewayMetrics.SOURCE_REJECTED, "source", "mapped", "reason", "unknown"));
  }

  @Test
  void aMessageWhoseRecordIsAbandonedIsNotAcknowledgedButFreesItsSlot() throws Exception {
    InboundMessageHandler handler = handler(new FakeSource(topic -> List.of(telemetry("a"), telemetry("b"))), 1);
    handler.handle("vendor/x", new byte[] {1}, 1, 1);
    CapturingProducer.Sent first = producer.next();
    CapturingProducer.Sent second = producer.next();

    // the connection drops and comes back with the session: the broker redelivers the message
    acks.connectionLost();
    acks.connected(true);
    first.succeed();
    second.fail(new org.apache.kafka.common.errors.TimeoutException("down"));

    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (handler.qos1InFlight() != 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(0, handler.qos1InFlight(), "the retry is abandoned and the slot freed");
    assertEquals(List.of(), acked);
  }
}
