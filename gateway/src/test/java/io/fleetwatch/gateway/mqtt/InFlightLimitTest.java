package io.fleetwatch.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InFlightLimitTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final InFlightLimit limit = new InFlightLimit(2, now::get);

  @Test
  void countsTheTimeEverySlotIsTakenAsBackPressure() {
    assertTrue(limit.acquire(0, () -> true));
    now.addAndGet(50); // one slot free: no back-pressure
    assertTrue(limit.acquire(0, () -> true));
    now.addAndGet(300);
    assertEquals(300, limit.saturatedNanos(), "the ongoing stretch counts");

    limit.release();
    now.addAndGet(1_000);
    assertEquals(300, limit.saturatedNanos());

    assertTrue(limit.acquire(0, () -> true));
    now.addAndGet(20);
    limit.release();
    assertEquals(320, limit.saturatedNanos());
  }

  @Test
  void refusesBeyondTheLimitWhenTheWaitRunsOutOrWaitingStops() {
    assertTrue(limit.acquire(0, () -> true));
    assertTrue(limit.acquire(0, () -> true));

    assertFalse(limit.acquire(0, () -> true));
    assertFalse(limit.acquire(TimeUnit.MILLISECONDS.toNanos(20), () -> true));
    assertFalse(limit.acquire(Long.MAX_VALUE, () -> false));
    assertEquals(2, limit.used());
  }

  @Test
  void aReleaseWakesAWaiter() throws Exception {
    limit.acquire(0, () -> true);
    limit.acquire(0, () -> true);
    boolean[] got = new boolean[1];
    Thread waiter = new Thread(() -> got[0] = limit.acquire(Long.MAX_VALUE, () -> true));
    waiter.start();
    waiter.join(100);
    assertTrue(waiter.isAlive());

    limit.release();
    waiter.join(5_000);

    assertFalse(waiter.isAlive());
    assertTrue(got[0]);
    assertEquals(2, limit.used());
  }

  @Test
  void rejectsAReleaseWithoutAcquireAndANonPositiveLimit() {
    assertThrows(IllegalStateException.class, limit::release);
    assertThrows(IllegalArgumentException.class, () -> new InFlightLimit(0));
  }
}
