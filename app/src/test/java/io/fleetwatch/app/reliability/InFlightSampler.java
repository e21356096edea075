package io.fleetwatch.app.reliability;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

/**
 * Samples a count (the gateway's {@code inFlight()}) every 5 ms on a daemon thread and keeps its maximum overall and
 * since the last {@link #startPhase()}, so a test can assert a bound for one phase of a fault (Kafka down or
 * throttled) and report the rest.
 */
final class InFlightSampler implements AutoCloseable {
  private final IntSupplier source;
  private final AtomicInteger max = new AtomicInteger();
  private final AtomicInteger phaseMax = new AtomicInteger();
  private final Thread thread;
  private volatile boolean sampling = true;

  private InFlightSampler(IntSupplier source) {
    this.source = source;
    this.thread = new Thread(this::run, "in-flight-sampler");
    this.thread.setDaemon(true);
  }

  /** Starts sampling {@code source}. */
  static InFlightSampler start(IntSupplier source) {
    InFlightSampler sampler = new InFlightSampler(source);
    sampler.thread.start();
    return sampler;
  }

  private void run() {
    while (sampling) {
      int value = source.getAsInt();
      max.accumulateAndGet(value, Math::max);
      phaseMax.accumulateAndGet(value, Math::max);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  /** Starts a new phase; returns the maximum of the phase it ends. */
  int startPhase() {
    return phaseMax.getAndSet(source.getAsInt());
  }

  /** Maximum since the last {@link #startPhase()} (or the start). */
  int phaseMax() {
    return phaseMax.get();
  }

  /** Maximum since the start. */
  int max() {
    return max.get();
  }

  @Override
  public void close() throws InterruptedException {
    sampling = false;
    thread.join(1_000);
  }
}
