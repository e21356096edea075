package io.fleetwatch.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
  @Test
  void neverHandsOutMoreThanTheLimitUnderContentionAndEndsFreeAndUnsaturated() throws Exception {
    InFlightLimit slots = new InFlightLimit(3);
    AtomicInteger holding = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 6; t++) {
      Thread thread = new Thread(() -> {
        for (int i = 0; i < 20_000; i++) {
          if (!slots.acquire(TimeUnit.SECONDS.toNanos(10), () -> true)) {
            refused.incrementAndGet();
            continue;
          }
          most.accumulateAndGet(holding.incrementAndGet(), Math::max);
          holding.decrementAndGet();
          slots.release();
        }
      });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join(60_000);
      assertFalse(thread.isAlive(), "a taker is stuck");
    }

    assertEquals(0, refused.get(), "a waiter was never woken within 10 s");
    assertTrue(most.get() <= 3, "held at once: " + most.get());
    assertEquals(0, slots.used());
    long backPressure = slots.saturatedNanos();
    assertEquals(backPressure, slots.saturatedNanos(), "still counted as saturated with every slot free");
  }
}
