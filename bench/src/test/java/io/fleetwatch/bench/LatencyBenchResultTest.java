package io.fleetwatch.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.bench.CpuAttribution.Component;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How {@code fleetwatch bench latency} reports its rates: rows, missing incidents, pacing, the floor ratios. */
class LatencyBenchResultTest {
  private static final Duration SETTLE = Duration.ofSeconds(15);
  private static final LatencyBenchCommand.Run FLEETWATCH = new LatencyBenchCommand.Run("fleetwatch", "all-in-one", 1,
      "1.50");
  private static final LatencyBenchCommand.Run FLOOR = new LatencyBenchCommand.Run("floor", "all-in-one", 1, "1.40");
  private static final CpuAttribution.Cost COST = new CpuAttribution.Cost(Map.of(Component.STREAMS, 2_000_000_000L),
      20_004, 20.0);
  private final LatencyBenchCommand.Result complete = new LatencyBenchCommand.Result(FLEETWATCH, 1000, 1000, 1000,
      20_004, 20_004, 0, 0, 20, 20, 0, List.of(3539.0, 4594.0), COST);
  private final LatencyBenchCommand.Result lossy = new LatencyBenchCommand.Result(FLEETWATCH, 5000, 5000, 5000,
      100_001, 100_001, 0, 0.1, 20, 2, 0, List.of(26982.0, 26982.0), COST);

  @Test
  void aRateWithMissingIncidentsIsFlaggedInItsLineAndRowAndFailsTheRun() {
    assertEquals("fleetwatch rate 5,000/s: offered 5,000, achieved 5,000 msgs/s, faults 20, incidents 2 (MISSING 18),"
        + " latency ms p50 26982 p95 26982 p99 26982 max 26982, CPU 100.0 µs/msg", lossy.line());
    assertEquals("| fleetwatch | all-in-one | 1 | 1.50 | 5,000 | 5,000 | 5,000 | 100,001 | 0 | 20 | 2 (**18 missing**)"
        + " | 0 | 26982 | 26982 | 26982 | 26982 |", lossy.row());
    assertEquals("fleetwatch: 18 of 20 at 5,000 msgs/s (no SAF-01 incident, or for the floor no output of the raising"
        + " reading, within the 15 s settle time after injection stopped)",
        LatencyBenchCommand.missingIncidents(List.of(complete, lossy), SETTLE));
    assertEquals(1, LatencyBenchCommand.exitCode(List.of(complete, lossy)));
  }

  @Test
  void aCompleteRunHasNoFlagNoVerdictAndExitsZero() {
    assertEquals("| fleetwatch | all-in-one | 1 | 1.50 | 1,000 | 1,000 | 1,000 | 20,004 | 0 | 20 | 20 | 0 | 3539 |"
        + " 4594 | 4594 | 4594 |", complete.row());
    assertNull(LatencyBenchCommand.missingIncidents(List.of(complete), SETTLE));
    assertEquals(0, LatencyBenchCommand.exitCode(List.of(complete)));
  }

  @Test
  void aPublisherBelowTheTargetRateIsSaidInTheRowAndTheLine() {
    // Given publishers that offered 8,000 of 10,000 msgs/s with their window full 70% of the time
    LatencyBenchCommand.Result slow = new LatencyBenchCommand.Result(FLEETWATCH, 10_000, 8_000, 7_900, 480_000,
        474_000, 0, 0.7, 60, 60, 0, List.of(100.0), COST);

    assertTrue(slow.row().contains("| 10,000 | 8,000 (**below target**, window full 70%) | 7,900 (did not keep up) |"),
        slow.row());
    assertTrue(slow.line().endsWith("(the publishers offered only 8,000 msgs/s: window full 70% of the time,"
        + " back-pressure from the pipeline)"), slow.line());
  }

  @Test
  void theFloorRatiosCompareEachRateRunBothWays() {
    CpuAttribution.Cost floorCost = new CpuAttribution.Cost(Map.of(Component.STREAMS, 500_000_000L), 20_000, 20.0);
    LatencyBenchCommand.Result floor = new LatencyBenchCommand.Result(FLOOR, 1000, 1000, 1000, 20_000, 20_000, 0, 0,
        20, 20, 0, List.of(1000.0, 2000.0), floorCost);

    assertEquals(List.of("| target msgs/s | achieved ÷ floor | p50 ÷ floor | p99 ÷ floor | CPU per message ÷ floor |",
        "|---:|---:|---:|---:|---:|", "| 1,000 | 1.00 | 3.54 | 2.30 | 4.00 |"),
        LatencyBenchCommand.floorRatios(List.of(complete, floor, lossy)));
    assertEquals(List.of(), LatencyBenchCommand.floorRatios(List.of(complete)));
  }

  @Test
  void theCpuRowNamesPipelineRateAndMessages() {
    assertTrue(complete.cpuRow().startsWith("| fleetwatch | 1,000 | 20,004 | 0.0 (0%) | 0.0 (0%) | 0.0 (0%) |"
        + " 100.0 (100%) |"), complete.cpuRow());
  }
}
