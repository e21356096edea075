package io.fleetwatch.streams.topology;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * WARN logging for skipped records, rate-limited so that a burst of bad input does not turn into a log storm:
 * at most one line per interval, carrying how many similar lines were suppressed since the previous one.
 * Wall-clock time here only paces logging; it never influences processing.
 */
public final class SkippedRecordLog {
  private final Logger log;
  private final long intervalNanos;
  private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong suppressed = new AtomicLong();

  public SkippedRecordLog(Logger log, long interval, TimeUnit unit) {
    this.log = log;
    this.intervalNanos = unit.toNanos(interval);
  }

  /** Logs {@code format} at WARN with SLF4J placeholders unless a line was logged within the interval. */
  public void warn(String format, Object... args) {
    long now = System.nanoTime();
    long allowed = nextAllowed.get();
    if ((allowed == Long.MIN_VALUE || now - allowed >= 0) && nextAllowed.compareAndSet(allowed, now + intervalNanos)) {
      long skippedSince = suppressed.getAndSet(0);
      if (skippedSince > 0) {
        log.warn("{} similar warning(s) suppressed in the last interval", skippedSince);
      }
      log.warn(format, args);
    } else {
      suppressed.incrementAndGet();
    }
  }
}
