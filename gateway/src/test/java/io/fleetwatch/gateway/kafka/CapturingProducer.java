package io.fleetwatch.gateway.kafka;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** A producer whose sends the test completes itself, in any order, with success or failure. */
public class CapturingProducer extends MockProducer<String, byte[]> {

  /** One captured send. */
  public record Sent(ProducerRecord<String, byte[]> record, Callback callback, Thread thread) {
    public void succeed() {
      callback.onCompletion(new RecordMetadata(new TopicPartition(record.topic(), 0), 0, 0, 0, 0, 0), null);
    }

    public void fail(Exception error) {
      callback.onCompletion(null, error);
    }
  }

  private final BlockingQueue<Sent> sends = new LinkedBlockingQueue<>();

  public CapturingProducer() {
    super(false, null, new StringSerializer(), new ByteArraySerializer());
  }

  @Override
  public synchronized Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback) {
    sends.add(new Sent(record, callback, Thread.currentThread()));
    return new CompletableFuture<>();
  }

  /** The next send, waiting for the sender thread up to 5 s; fails the test when none comes. */
  public Sent next() throws InterruptedException {
    Sent sent = sends.poll(5, TimeUnit.SECONDS);
    if (sent == null) {
      throw new AssertionError("expected a send to Kafka, none came within 5 s");
    }
    return sent;
  }

  /** Sends captured and not yet taken by {@link #next()}. */
  public int waiting() {
    return sends.size();
  }
}
