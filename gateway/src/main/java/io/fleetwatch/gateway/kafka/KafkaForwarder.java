package io.fleetwatch.gateway.kafka;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Sends records to Kafka and retries failed sends until Kafka acknowledges them.
 *
 * <p>Input: records with a {@link Completion} from {@link #submit}. Output: each record written to Kafka, then its
 * completion called once (on the producer's I/O thread). While Kafka is healthy and nothing waits, {@code submit}
 * hands the record to the producer on the caller's thread (the MQTT callback thread): no thread hop per message.
 * Otherwise the record is queued for the forwarder's sender thread and {@code submit} returns at once. A failed send
 * (delivery timeout, broker down, metadata timeout) is re-queued after an exponential backoff; nothing is dropped
 * unless the completion says the record is no longer wanted (its MQTT message will be redelivered by the broker).
 * Memory stays bounded because callers bound what they submit (the in-flight limit). Retries keep submission order:
 * every {@code send} happens under one lock, a failed record goes back ahead of everything not yet handed to the
 * producer, in submission order, and nothing newer is sent until it has been sent again, so a failure of
 * {@code send} itself (Kafka unreachable for longer than {@code max.block.ms}) never lets a later record of the same
 * key overtake it. Only records already inside the producer when an earlier one expires ({@code delivery.timeout.ms})
 * can land before its retry. The MQTT acknowledgements keep arrival order regardless (see {@code mqtt.AckSequencer}).
 * The producer's I/O thread never takes the lock (a failed send is handed to the sender thread through a lock-free
 * queue), so a {@code send} blocked on metadata or buffer memory cannot hold up the I/O thread that would unblock it.
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
    long retryAtNanos;

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
  /** Guards {@link #queue}, {@link #retryQueue}, the sequence and every {@code producer.send}. */
  private final Object lock = new Object();
  /** Records not yet handed to the producer, in submission order; guarded by {@link #lock}. */
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private long submitted;
  /** Failed records waiting for their retry, oldest submission first; guarded by {@link #lock}. */
  private final PriorityQueue<Pending> retryQueue = new PriorityQueue<>(Comparator.comparingLong(p -> p.sequence));
  private long retryNotBeforeNanos;
  /** Records whose send failed, from the producer's I/O thread to the sender thread (which moves them to retries). */
  private final ConcurrentLinkedQueue<Pending> failed = new ConcurrentLinkedQueue<>();
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

  /**
   * Sends a record, or queues it for the sender thread. While Kafka is healthy and nothing waits to be sent or
   * retried, the record goes to the producer on the caller's thread (which blocks only where the producer's
   * {@code send} does: for topic metadata or buffer memory, at most {@code max.block.ms}); otherwise it is queued
   * behind the others and this returns at once. Returns {@code false} once the forwarder is closed.
   */
  public boolean submit(ProducerRecord<String, byte[]> record, Completion completion) {
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(completion, "completion");
    synchronized (lock) {
      if (!running) {
        return false;
      }
      inFlight.incrementAndGet();
      Pending item = new Pending(submitted++, record, completion);
      if (queue.isEmpty() && retryQueue.isEmpty() && failed.isEmpty() && healthy()) {
        send(item);
      } else {
        queue.add(item);
        lock.notifyAll();
      }
    }
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
      synchronized (lock) {
        Pending item = next();
        if (item != null) {
          send(item);
          continue;
        }
        try {
          lock.wait(waitMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /**
   * The next record to send, or {@code null} when there is none now: a due retry first, nothing new while a retry
   * waits for its backoff. Called with the lock held.
   */
  private Pending next() {
    for (Pending f = failed.poll(); f != null; f = failed.poll()) {
      retryQueue.add(f);
      retryNotBeforeNanos = Math.max(retryNotBeforeNanos, f.retryAtNanos);
    }
    if (!retryQueue.isEmpty()) {
      return retryNotBeforeNanos - System.nanoTime() > 0 ? null : retryQueue.poll();
    }
    return queue.poll();
  }

  /** How long the sender thread may sleep: until the retry is due, and at most 50 ms (failures arrive unsignalled). */
  private long waitMillis() {
    if (retryQueue.isEmpty()) {
      return 50;
    }
    return Math.max(1, Math.min(50, TimeUnit.NANOSECONDS.toMillis(retryNotBeforeNanos - System.nanoTime())));
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
    // Never the lock here: this may run on the producer's I/O thread while a send under the lock waits for it.
    item.retryAtNanos = System.nanoTime() + delay.toNanos();
    failed.add(item);
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
