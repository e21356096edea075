package io.fleetwatch.app.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How {@code fleetwatch bench latency} reports a rate whose injected faults did not all raise their incident. */
class LatencyBenchResultTest {
  private static final Duration SETTLE = Duration.ofSeconds(15);
  private final LatencyBenchCommand.Result complete = new LatencyBenchCommand.Result(1000, 1000, 20_004, 20_004, 0, 20,
      20, 0, List.of(3539.0, 4594.0));
  private final LatencyBenchCommand.Result lossy = new LatencyBenchCommand.Result(5000, 5000, 100_001, 100_001, 0, 20,
      2, 0, List.of(26982.0, 26982.0));

  @Test
  void aRateWithMissingIncidentsIsFlaggedInItsLineAndRowAndFailsTheRun() {
    assertEquals("rate 5,000/s: achieved 5,000 msgs/s, faults 20, incidents 2 (MISSING 18), latency ms p50 26982 p95"
        + " 26982 p99 26982 max 26982", lossy.line());
    assertEquals("| 5,000 | 5,000 | 100,001 | 0 | 20 | 2 (**18 missing**) | 0 | 26982 | 26982 | 26982 | 26982 |",
        lossy.row());
    assertEquals("18 of 20 at 5,000 msgs/s (no SAF-01 incident within the 15 s settle time after injection stopped)",
        LatencyBenchCommand.missingIncidents(List.of(complete, lossy), SETTLE));
    assertEquals(1, LatencyBenchCommand.exitCode(List.of(complete, lossy)));
  }

  @Test
  void aCompleteRunHasNoFlagNoVerdictAndExitsZero() {
    assertEquals("| 1,000 | 1,000 | 20,004 | 0 | 20 | 20 | 0 | 3539 | 4594 | 4594 | 4594 |", complete.row());
    assertEquals("rate 1,000/s: achieved 1,000 msgs/s, faults 20, incidents 20, latency ms p50 3539 p95 4594 p99 4594"
        + " max 4594", complete.line());
    assertNull(LatencyBenchCommand.missingIncidents(List.of(complete), SETTLE));
    assertEquals(0, LatencyBenchCommand.exitCode(List.of(complete)));
  }
}
