package io.fleetwatch.gateway.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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

  @Test
  void sendsOnTheCallersThreadWhileKafkaIsHealthy() throws Exception {
    CapturingProducer producer = new CapturingProducer();
    forwarder = start(producer);

    forwarder.submit(record("a"), metadata -> { });

    CapturingProducer.Sent sent = producer.next();
    assertSame(Thread.currentThread(), sent.thread(), "no hop to another thread while nothing waits");
  }

  @Test
  void recordsSubmittedDuringAnOutageGoAfterTheRetryAndDirectSendsResumeOnceTheyAreSent() throws Exception {
    CapturingProducer producer = new CapturingProducer();
    forwarder = start(producer);
    forwarder.submit(record("a"), metadata -> { });
    producer.next().fail(new TimeoutException("Expiring 1 record(s)"));

    // Given "b" and "c" arrive while "a" waits for its retry: they are queued, not sent
    forwarder.submit(record("b"), metadata -> { });
    forwarder.submit(record("c"), metadata -> { });
    CapturingProducer.Sent retry = producer.next();
    assertEquals("a", text(retry.record()));
    assertNotSame(Thread.currentThread(), retry.thread());

    // When the retry succeeds, the queued ones follow on the sender thread, in order
    retry.succeed();
    CapturingProducer.Sent b = producer.next();
    CapturingProducer.Sent c = producer.next();
    assertEquals(List.of("b", "c"), List.of(text(b.record()), text(c.record())));
    b.succeed();
    c.succeed();

    // Then, with nothing waiting and Kafka healthy again, the next record is sent on the caller's thread
    forwarder.submit(record("d"), metadata -> { });
    CapturingProducer.Sent d = producer.next();
    assertEquals("d", text(d.record()));
    assertSame(Thread.currentThread(), d.thread());
  }

  @Test
  void aFailureReportedWhileASendBlocksDoesNotWaitForThatSend() throws Exception {
    // Given a send that blocks (as send() does waiting for metadata the producer's I/O thread would bring)
    CountDownLatch sendEntered = new CountDownLatch(1);
    CountDownLatch releaseSend = new CountDownLatch(1);
    CapturingProducer producer = new CapturingProducer() {
      @Override
      public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback) {
        Future<RecordMetadata> future = super.send(record, callback);
        if (text(record).equals("b")) {
          sendEntered.countDown();
          try {
            releaseSend.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return future;
      }
    };
    forwarder = start(producer);
    forwarder.submit(record("a"), metadata -> { });
    CapturingProducer.Sent a = producer.next();
    Thread submitter = new Thread(() -> forwarder.submit(record("b"), metadata -> { }));
    submitter.start();
    assertTrue(sendEntered.await(5, TimeUnit.SECONDS));

    // When the I/O thread reports that "a" failed while "b"'s send still blocks
    Thread ioThread = new Thread(() -> a.fail(new TimeoutException("Expiring 1 record(s)")));
    ioThread.start();

    // Then the report returns without waiting for the blocked send, and "a" is retried once it is released
    ioThread.join(5_000);
    assertFalse(ioThread.isAlive(), "the failure report waited for the blocked send");
    releaseSend.countDown();
    submitter.join(5_000);
    producer.next(); // "b"
    assertEquals("a", text(producer.next().record()));
  }

  @Test
  void underRandomFailuresEveryRecordIsAckedOnceAndFirstSentInSubmissionOrder() throws Exception {
    // Given a producer that fails about one send in ten, some at once and some later from another thread
    Random random = new Random(42);
    List<String> firstAttempts = Collections.synchronizedList(new ArrayList<>());
    Set<String> attempted = ConcurrentHashMap.newKeySet();
    CapturingProducer producer = new CapturingProducer() {
      @Override
      public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback) {
        if (attempted.add(text(record))) {
          firstAttempts.add(text(record));
        }
        if (random.nextInt(20) == 0) {
          throw new TimeoutException("Topic t not present in metadata after 10000 ms.");
        }
        return super.send(record, callback);
      }
    };
    forwarder = new KafkaForwarder(producer, KafkaForwarder.Observer.NONE, Duration.ofMillis(1),
        Duration.ofMillis(5), List.of());
    forwarder.start();
    Thread completer = new Thread(() -> {
      Random outcomes = new Random(7);
      try {
        while (!Thread.currentThread().isInterrupted()) {
          CapturingProducer.Sent sent = producer.next();
          if (outcomes.nextInt(20) == 0) {
            sent.fail(new TimeoutException("Expiring 1 record(s)"));
          } else {
            sent.succeed();
          }
        }
      } catch (InterruptedException | AssertionError e) {
        // done: interrupted, or no more sends
      }
    });
    completer.start();

    // When 2,000 records are submitted
    int count = 2_000;
    Map<String, Integer> acks = new ConcurrentHashMap<>();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String value = "r" + i;
      expected.add(value);
      forwarder.submit(record(value), metadata -> acks.merge(value, 1, Integer::sum));
    }

    // Then every one is acknowledged exactly once, and none was first sent before an older one
    assertTrue(forwarder.awaitIdle(Duration.ofSeconds(30)), "in flight: " + forwarder.inFlight());
    completer.interrupt();
    completer.join(5_000);
    assertEquals(count, acks.size());
    assertTrue(acks.values().stream().allMatch(n -> n == 1), "a record was acknowledged twice");
    assertEquals(expected, firstAttempts);
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
