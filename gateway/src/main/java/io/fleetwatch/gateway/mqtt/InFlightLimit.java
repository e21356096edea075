package io.fleetwatch.gateway.mqtt;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
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
  private int used;
  private long saturatedSince;
  private long saturatedNanos;

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
  public synchronized boolean acquire(long timeoutNanos, BooleanSupplier keepWaiting) {
    long deadline = System.nanoTime() + timeoutNanos;
    while (used >= limit) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !keepWaiting.getAsBoolean()) {
        return false;
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, POLL_NANOS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    used++;
    if (used == limit) {
      saturatedSince = nanoTime.getAsLong();
    }
    return true;
  }

  /** Frees a slot taken by {@link #acquire}. */
  public synchronized void release() {
    if (used == 0) {
      throw new IllegalStateException("release without acquire");
    }
    if (used == limit) {
      saturatedNanos += nanoTime.getAsLong() - saturatedSince;
    }
    used--;
    notify();
  }

  /** Slots taken now. */
  public synchronized int used() {
    return used;
  }

  public int limit() {
    return limit;
  }

  /** Total time every slot was taken, including the stretch going on now. */
  public synchronized long saturatedNanos() {
    return used == limit ? saturatedNanos + nanoTime.getAsLong() - saturatedSince : saturatedNanos;
  }
}
