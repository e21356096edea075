package io.fleetwatch.gateway.kafka;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Sends records to Kafka on its own thread and retries failed sends until Kafka acknowledges them.
 *
 * <p>Input: records with a {@link Completion} from {@link #submit}, which never blocks. Output: each record written
 * to Kafka, then its completion called once (on the producer's I/O thread). A failed send (delivery timeout, broker
 * down, metadata timeout) is re-queued after an exponential backoff; nothing is dropped unless the completion says
 * the record is no longer wanted (its MQTT message will be redelivered by the broker). Memory stays bounded because
 * callers bound what they submit (MQTT Receive Maximum). Retries keep submission order: a failed record goes back
 * ahead of everything not yet handed to the producer, in submission order, and nothing newer is sent until it has
 * been sent again, so a failure of {@code send} itself (Kafka unreachable for longer than {@code max.block.ms}) never
 * lets a later record of the same key overtake it. Only records already inside the producer when an earlier one
 * expires ({@code delivery.timeout.ms}) can land before its retry. The MQTT acknowledgements keep arrival order
 * regardless (see {@code mqtt.AckSequencer}).
 */
public final class KafkaForwarder implements AutoCloseable {

  /** What to do once Kafka acknowledged a record. */
  public interface Completion {
    /** Kafka acknowledged the record. */
    void acked(RecordMetadata metadata);

    /** Whether the record still needs to be sent; {@code false} lets a retry be abandoned. */
    default boolean wanted() {
      return true;
    }

    /** The record was dropped because {@link #wanted()} said so; {@link #acked} will not be called. */
    default void abandoned() {}
  }

  /** Observations for metrics and logs; called from the producer's I/O thread. */
  public interface Observer {
    /** A send was acknowledged {@code nanos} after it was handed to the producer. */
    void sent(ProducerRecord<String, byte[]> record, long nanos);

    /** A send failed; it is retried after {@code retryIn}. */
    void failed(ProducerRecord<String, byte[]> record, Exception error, int attempt, Duration retryIn, long nanos);

    /** A retry was abandoned because its completion no longer wants it. */
    default void abandoned(ProducerRecord<String, byte[]> record) {}

    /** No-op observer. */
    Observer NONE = new Observer() {
      @Override
      public void sent(ProducerRecord<String, byte[]> record, long nanos) {}

      @Override
      public void failed(ProducerRecord<String, byte[]> record, Exception error, int attempt, Duration retryIn,
          long nanos) {}
    };
  }

  private static final class Pending {
    final long sequence;
    final ProducerRecord<String, byte[]> record;
    final Completion completion;
    int attempts;

    Pending(long sequence, ProducerRecord<String, byte[]> record, Completion completion) {
      this.sequence = sequence;
      this.record = record;
      this.completion = completion;
    }
  }

  private final Producer<String, byte[]> producer;
  private final Observer observer;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final List<String> probeTopics;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final AtomicLong submitted = new AtomicLong();
  /** Failed records waiting for their retry, oldest submission first; guarded by itself. */
  private final PriorityQueue<Pending> retryQueue = new PriorityQueue<>(Comparator.comparingLong(p -> p.sequence));
  private long retryNotBeforeNanos;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private final AtomicLong lastSuccessNanos = new AtomicLong(Long.MIN_VALUE);
  private volatile boolean metadataReachable;
  private volatile boolean running = true;
  private final ScheduledExecutorService health;
  private final Thread sender;

  /**
   * @param producer the producer (owned: closed by {@link #close})
   * @param observer metrics and logs
   * @param initialBackoff first retry delay; doubles per attempt
   * @param maxBackoff longest retry delay
   * @param probeTopics topics whose metadata is fetched while idle to tell whether Kafka is reachable
   */
  public KafkaForwarder(Producer<String, byte[]> producer, Observer observer, Duration initialBackoff,
      Duration maxBackoff, List<String> probeTopics) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.observer = Objects.requireNonNull(observer, "observer");
    this.initialBackoff = Objects.requireNonNull(initialBackoff, "initialBackoff");
    this.maxBackoff = Objects.requireNonNull(maxBackoff, "maxBackoff");
    this.probeTopics = List.copyOf(probeTopics);
    this.health = Executors.newSingleThreadScheduledExecutor(daemon("fleetwatch-gateway-kafka-health"));
    this.sender = daemon("fleetwatch-gateway-kafka-sender").newThread(this::sendLoop);
  }

  /** Starts the sender thread and the idle health probe. */
  public void start() {
    sender.start();
    if (!probeTopics.isEmpty()) {
      health.scheduleWithFixedDelay(this::probe, 0, 5, TimeUnit.SECONDS);
    } else {
      metadataReachable = true;
    }
  }

  /** Queues a record for sending; never blocks. Returns {@code false} once the forwarder is closed. */
  public boolean submit(ProducerRecord<String, byte[]> record, Completion completion) {
    if (!running) {
      return false;
    }
    inFlight.incrementAndGet();
    queue.add(new Pending(submitted.getAndIncrement(), Objects.requireNonNull(record, "record"),
        Objects.requireNonNull(completion, "completion")));
    return true;
  }

  /** Records submitted and not yet acknowledged by Kafka (including those waiting for a retry). */
  public int inFlight() {
    return inFlight.get();
  }

  /**
   * Whether Kafka is usable: the latest send succeeded, and either a send succeeded recently or the idle probe
   * could fetch topic metadata.
   */
  public boolean healthy() {
    if (!running || consecutiveFailures.get() > 0) {
      return false;
    }
    long last = lastSuccessNanos.get();
    boolean recentSuccess = last != Long.MIN_VALUE && System.nanoTime() - last < TimeUnit.SECONDS.toNanos(10);
    return recentSuccess || metadataReachable;
  }

  private void sendLoop() {
    while (running) {
      Pending item;
      try {
        item = next();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (item != null) {
        send(item);
      }
    }
  }

  /** The next record to send: a due retry first; nothing new while a retry waits for its backoff. */
  private Pending next() throws InterruptedException {
    synchronized (retryQueue) {
      if (!retryQueue.isEmpty()) {
        long wait = retryNotBeforeNanos - System.nanoTime();
        if (wait > 0) {
          retryQueue.wait(Math.max(1, Math.min(200, TimeUnit.NANOSECONDS.toMillis(wait))));
          return null;
        }
        return retryQueue.poll();
      }
    }
    Pending fresh = queue.poll(200, TimeUnit.MILLISECONDS);
    if (fresh == null) {
      return null;
    }
    synchronized (retryQueue) {
      if (!retryQueue.isEmpty()) {
        // A send failed while this thread waited for new records: this one goes after the retry, in order.
        retryQueue.add(fresh);
        return null;
      }
    }
    return fresh;
  }

  private void send(Pending item) {
    if (!item.completion.wanted()) {
      inFlight.decrementAndGet();
      observer.abandoned(item.record);
      item.completion.abandoned();
      return;
    }
    long start = System.nanoTime();
    try {
      producer.send(item.record, (metadata, error) -> completed(item, start, metadata, error));
    } catch (RuntimeException e) {
      completed(item, start, null, e);
    }
  }

  private void completed(Pending item, long start, RecordMetadata metadata, Exception error) {
    long nanos = System.nanoTime() - start;
    if (error == null) {
      consecutiveFailures.set(0);
      lastSuccessNanos.set(System.nanoTime());
      inFlight.decrementAndGet();
      observer.sent(item.record, nanos);
      item.completion.acked(metadata);
      return;
    }
    consecutiveFailures.incrementAndGet();
    item.attempts++;
    Duration delay = backoff(item.attempts);
    observer.failed(item.record, error, item.attempts, delay, nanos);
    if (!running) {
      return; // closing: left unacknowledged, so the MQTT broker redelivers it to the next session
    }
    synchronized (retryQueue) {
      retryQueue.add(item);
      retryNotBeforeNanos = Math.max(retryNotBeforeNanos, System.nanoTime() + delay.toNanos());
      retryQueue.notifyAll();
    }
  }

  Duration backoff(int attempt) {
    long initial = Math.max(1, initialBackoff.toMillis());
    int shift = Math.min(attempt - 1, 20);
    long millis = Math.min(maxBackoff.toMillis(), initial << shift);
    return Duration.ofMillis(millis);
  }

  private void probe() {
    long last = lastSuccessNanos.get();
    if (last != Long.MIN_VALUE && System.nanoTime() - last < TimeUnit.SECONDS.toNanos(5)) {
      return;
    }
    try {
      for (String topic : probeTopics) {
        producer.partitionsFor(topic);
      }
      metadataReachable = true;
    } catch (RuntimeException e) {
      metadataReachable = false;
    }
  }

  /** Waits until nothing is in flight or the timeout passes; returns whether everything was acknowledged. */
  public boolean awaitIdle(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      while (inFlight.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 20)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return true;
  }

  /** Stops sending, flushes and closes the producer within {@code timeout}. Records not yet acknowledged stay so. */
  public void close(Duration timeout) {
    running = false;
    health.shutdownNow();
    sender.interrupt();
    try {
      if (sender.isAlive()) {
        sender.join(Math.max(1, timeout.toMillis() / 4));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(timeout);
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(3));
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return runnable -> {
      Thread t = new Thread(runnable, name);
      t.setDaemon(true);
      return t;
    };
  }
}
