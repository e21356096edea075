package io.fleetwatch.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetwatch.bench.CpuAttribution.Component;
import io.fleetwatch.bench.CpuAttribution.ThreadCpu;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** How the benches attribute CPU time to components by thread name, and that the components add up. */
class CpuAttributionTest {
  private final CpuAttribution attribution = new CpuAttribution(CpuAttribution.RULES);

  /** Thread names seen in a running {@code bench latency} (jcmd Thread.print), one per kind. */
  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
      "bench-fleet-publisher-3; PUBLISHERS",
      "bench-fleet-reader-0; PUBLISHERS",
      "bench-incident-watcher; PUBLISHERS",
      "bench-floor-watcher; PUBLISHERS",
      "kafka-coordinator-heartbeat-thread | latency-bench-123; PUBLISHERS",
      "MQTT Rec: fleetwatch-bench-gateway; GATEWAY",
      "kafka-producer-network-thread | fleetwatch-bench-gateway-producer; GATEWAY",
      "fleetwatch-gateway-client-metrics; GATEWAY",
      "fleetwatch-latency-bench-0790fced-345f-44ad-9e35-e64838f80f20-StreamThread-1; STREAMS",
      "kafka-producer-network-thread | fleetwatch-latency-bench-0790fced-StreamThread-1-producer; STREAMS",
      "kafka-producer-network-thread | fleetwatch-incident-commands; STREAMS",
      "fleetwatch-floor-bench-1-5f2a-StreamThread-1; STREAMS",
      "fleetwatch-policy-bench-0-aa-StateUpdater-1; STREAMS",
      "C2 CompilerThre; JIT_GC",
      "GC Thread#1; JIT_GC",
      "G1 Refine#0; JIT_GC",
      "VM Periodic Tas; JIT_GC",
      "data-plane-kafka-request-handler-7; KAFKA_BROKER",
      "data-plane-kafka-network-thread-1-PLAINTEXT-PLAINTEXT-0; KAFKA_BROKER",
      "kafka-1-raft-io-thread; KAFKA_BROKER",
      "group-coordinator-event-processor-2; KAFKA_BROKER",
      "ExpirationReaper-1-Produce; KAFKA_BROKER",
      "TxnMarkerSenderThread-1; KAFKA_BROKER",
      "hivemq-eventloop-child-3; MQTT_BROKER",
      "single-writer-persistence-2; MQTT_BROKER",
      "extension-task-executor-1; MQTT_BROKER",
      "nioEventLoopGroup-3-1; MQTT_BROKER",
      "Attach Listener; OTHER",
      "some-library-thread; OTHER"})
  void threadsBelongToTheirComponentByName(String thread, Component expected) {
    assertEquals(expected, attribution.componentOf(thread));
  }

  @Test
  void unmatchedThreadsAndTheUnnamedRestOfTheProcessGoToOtherSoTheTotalIsTheProcesss() {
    // Given threads that add up to 900 of the process's 1,000 ns (a thread ended inside the window)
    List<ThreadCpu> threads = List.of(new ThreadCpu("data-plane-kafka-request-handler-0", 300),
        new ThreadCpu("data-plane-kafka-request-handler-1", 100), new ThreadCpu("hivemq-eventloop-child-0", 250),
        new ThreadCpu("GC Thread#0", 150), new ThreadCpu("Attach Listener", 100));

    // When
    Map<Component, Long> byComponent = attribution.attribute(threads, 1000, null);

    // Then the named groups are summed, unmatched and unaccounted CPU is OTHER, and all add up to the process's
    assertEquals(400L, byComponent.get(Component.KAFKA_BROKER));
    assertEquals(250L, byComponent.get(Component.MQTT_BROKER));
    assertEquals(150L, byComponent.get(Component.JIT_GC));
    assertEquals(200L, byComponent.get(Component.OTHER));
    assertEquals(1000L, byComponent.values().stream().mapToLong(Long::longValue).sum());
  }

  @Test
  void aChildProcessIsItsComponentExceptItsJitAndGcThreads() {
    List<ThreadCpu> threads = List.of(new ThreadCpu("C2 CompilerThre", 120), new ThreadCpu("G1 Conc#0", 30),
        new ThreadCpu("java", 500));

    Map<Component, Long> byComponent = attribution.attribute(threads, 2000, Component.STREAMS);

    assertEquals(150L, byComponent.get(Component.JIT_GC));
    assertEquals(1850L, byComponent.get(Component.STREAMS));
    assertEquals(null, byComponent.get(Component.OTHER));
  }

  @Test
  void threadsThatOutrunTheCoarserProcessClockNeverMakeOtherNegative() {
    Map<Component, Long> byComponent = attribution.attribute(List.of(new ThreadCpu("hivemq-eventloop-child-0", 1005)),
        1000, null);

    assertEquals(0L, byComponent.get(Component.OTHER));
    assertEquals(1005L, byComponent.get(Component.MQTT_BROKER));
  }

  @Test
  void costCellsGivePerMessageMicrosecondsSharesTotalAndCores() {
    CpuAttribution.Cost cost = new CpuAttribution.Cost(Map.of(Component.STREAMS, 3_000_000_000L,
        Component.KAFKA_BROKER, 1_000_000_000L), 100_000, 2.0);

    assertEquals(40.0, cost.totalMicrosPerMessage(), 1e-9);
    assertEquals(2.0, cost.cores(), 1e-9);
    assertEquals(" 0.0 (0%) | 0.0 (0%) | 10.0 (25%) | 30.0 (75%) | 0.0 (0%) | 0.0 (0%) | 0.0 (0%) | **40.0** | 2.00 |",
        cost.cells());
    assertEquals(List.of("| pipeline | target | MQTT broker µs | gateway µs | Kafka broker µs | streams µs |"
        + " publishers (bench) µs | JIT/GC µs | other µs | total µs/msg | cores busy |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"), CpuAttribution.Cost.header("pipeline | target", 2));
  }

  @Test
  void procStatTicksAreUtimePlusStimeAfterTheParenthesisedName() {
    String stat = "4242 (java (bench) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 731 269 0 0 20 0 80 0 123 0 0";

    assertEquals(1000L, CpuSampler.parseTicks(stat));
  }
}
