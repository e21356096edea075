package io.fleetwatch.gateway.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KafkaForwarderTest {
  private static final String KEY = "device-1";

  private KafkaForwarder forwarder;

  @AfterEach
  void close() {
    if (forwarder != null) {
      forwarder.close(Duration.ofMillis(100));
    }
  }

  @Test
  void resendsARecordWhoseSendThrewBeforeAnyLaterRecordOfTheSameKey() throws Exception {
    // Given a producer whose first send of "a" throws, as send() does when Kafka stays unreachable past max.block.ms
    AtomicBoolean thrown = new AtomicBoolean();
    CapturingProducer producer = new CapturingProducer() {
      @Override
      public synchronized Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback) {
        if (text(record).equals("a") && thrown.compareAndSet(false, true)) {
          throw new TimeoutException("Topic t not present in metadata after 10000 ms.");
        }
        return super.send(record, callback);
      }
    };
    forwarder = start(producer);

    // When three records of one device are submitted
    forwarder.submit(record("a"), metadata -> { });
    forwarder.submit(record("b"), metadata -> { });
    forwarder.submit(record("c"), metadata -> { });

    // Then Kafka receives them in submission order, the failed one first
    assertEquals(List.of("a", "b", "c"), List.of(text(producer.next().record()), text(producer.next().record()),
        text(producer.next().record())));
  }

  @Test
  void sendsNothingNewerWhileAFailedRecordWaitsForItsRetry() throws Exception {
    CapturingProducer producer = new CapturingProducer();
    forwarder = start(producer);
    forwarder.submit(record("a"), metadata -> { });
    CapturingProducer.Sent first = producer.next();

    // Given the send of "a" failed (delivery timeout) and "b" arrives during the backoff
    first.fail(new TimeoutException("Expiring 1 record(s): 120000 ms has passed since batch creation"));
    forwarder.submit(record("b"), metadata -> { });

    // Then "a" is sent again before "b"
    assertEquals("a", text(producer.next().record()));
    assertEquals("b", text(producer.next().record()));
  }

  private static KafkaForwarder start(CapturingProducer producer) {
    KafkaForwarder forwarder = new KafkaForwarder(producer, KafkaForwarder.Observer.NONE, Duration.ofMillis(200),
        Duration.ofSeconds(1), List.of());
    forwarder.start();
    return forwarder;
  }

  private static ProducerRecord<String, byte[]> record(String value) {
    return new ProducerRecord<>("t", KEY, value.getBytes(StandardCharsets.UTF_8));
  }

  private static String text(ProducerRecord<String, byte[]> record) {
    return new String(record.value(), StandardCharsets.UTF_8);
  }
}
