package io.fleetwatch.gateway.mqtt;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Bounds how many messages the gateway holds between their arrival and Kafka's acknowledgement of their record, and
 * measures how long it spent at that bound (back-pressure).
 *
 * <p>Input: {@link #acquire} before a message is handled, {@link #release} once its record was acknowledged by Kafka
 * or abandoned. Output: whether a slot was obtained within the wait; {@link #saturatedNanos()}: total time during
 * which every slot was taken (including the ongoing stretch). A caller that cannot get a slot waits on the MQTT
 * callback thread, so Paho stops reading the socket and TCP makes the broker hold the rest: memory stays bounded even
 * when the broker sends more than the Receive Maximum it was told. Thread-safe.
 */
public final class InFlightLimit {
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  private final int limit;
  private final LongSupplier nanoTime;
  /** Slots taken; changed without the lock, so taking and freeing a slot below the bound never contend. */
  private final AtomicInteger used = new AtomicInteger();
  /** Callers waiting for a slot; a release takes the lock to wake one only when there are some. */
  private volatile int waiters;
  private boolean saturated; // guarded by this
  private long saturatedSince; // guarded by this
  private long saturatedNanos; // guarded by this

  /** A limit of {@code limit} slots measured with {@link System#nanoTime()}. */
  public InFlightLimit(int limit) {
    this(limit, System::nanoTime);
  }

  InFlightLimit(int limit, LongSupplier nanoTime) {
    if (limit < 1) {
      throw new IllegalArgumentException("in-flight limit must be >= 1, got " + limit);
    }
    this.limit = limit;
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
  }

  /**
   * Takes a slot, waiting up to {@code timeoutNanos} (0: not at all) while {@code keepWaiting} holds (checked at
   * least every 200 ms). Returns whether a slot was taken.
   */
  public boolean acquire(long timeoutNanos, BooleanSupplier keepWaiting) {
    if (tryTake()) {
      return true;
    }
    long deadline = System.nanoTime() + timeoutNanos;
    synchronized (this) {
      waiters++;
      try {
        // A release that freed a slot before waiters was raised is seen by this tryTake; one after it notifies.
        while (!tryTake()) {
          long left = deadline - System.nanoTime();
          if (left <= 0 || !keepWaiting.getAsBoolean()) {
            return false;
          }
          TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, POLL_NANOS));
        }
        return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      } finally {
        waiters--;
      }
    }
  }

  private boolean tryTake() {
    while (true) {
      int u = used.get();
      if (u >= limit) {
        return false;
      }
      if (used.compareAndSet(u, u + 1)) {
        if (u + 1 == limit) {
          saturationChanged();
        }
        return true;
      }
    }
  }

  /** Frees a slot taken by {@link #acquire}. */
  public void release() {
    int before = used.getAndUpdate(u -> u == 0 ? 0 : u - 1);
    if (before == 0) {
      throw new IllegalStateException("release without acquire");
    }
    if (before == limit) {
      saturationChanged();
    }
    if (waiters > 0) {
      synchronized (this) {
        notify();
      }
    }
  }

  /** Starts or ends a stretch at the bound, by what the count is now (a racing take or release may have moved it). */
  private synchronized void saturationChanged() {
    boolean atLimit = used.get() >= limit;
    if (atLimit && !saturated) {
      saturated = true;
      saturatedSince = nanoTime.getAsLong();
    } else if (!atLimit && saturated) {
      saturated = false;
      saturatedNanos += nanoTime.getAsLong() - saturatedSince;
    }
  }

  /** Slots taken now. */
  public int used() {
    return used.get();
  }

  public int limit() {
    return limit;
  }

  /** Total time every slot was taken, including the stretch going on now. */
  public synchronized long saturatedNanos() {
    return saturated ? saturatedNanos + nanoTime.getAsLong() - saturatedSince : saturatedNanos;
  }
}
