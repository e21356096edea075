package io.fleetwatch.gateway;

import java.time.Duration;

/**
 * Rate limit for repetitive WARN logs (rejected or retried records): at most {@code permits} per interval; the
 * number suppressed since the last permitted log is handed to the next one so nothing disappears silently.
 */
public final class LogThrottle {
  private final int permits;
  private final long intervalNanos;
  private long windowStart;
  private int used;
  private long suppressed;

  public LogThrottle(int permits, Duration interval) {
    if (permits < 1) {
      throw new IllegalArgumentException("permits must be >= 1");
    }
    this.permits = permits;
    this.intervalNanos = interval.toNanos();
    this.windowStart = System.nanoTime();
  }

  /**
   * Asks to log once: returns -1 when the log should be skipped, otherwise how many were skipped since the last
   * permitted one.
   */
  public synchronized long tryAcquire() {
    long now = System.nanoTime();
    if (now - windowStart >= intervalNanos) {
      windowStart = now;
      used = 0;
    }
    if (used < permits) {
      used++;
      long skipped = suppressed;
      suppressed = 0;
      return skipped;
    }
    suppressed++;
    return -1;
  }
}
