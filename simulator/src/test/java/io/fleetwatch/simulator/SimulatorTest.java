package io.fleetwatch.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.simulator.SimulatedDevice;
import io.fleetwatch.simulator.scenario.FaultPlan;
import io.fleetwatch.simulator.scenario.ScenarioFile;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SimulatorTest {
  private static final Instant START = Instant.parse("2026-01-10T08:00:00Z");
  private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");
  private static final Pattern TS = Pattern.compile("\"ts\":(\\d+)");

  private final ManualClock clock = new ManualClock(START);
  private final RecordingSink sink = new RecordingSink();
  private final List<SimulatedDevice> fleet = List.of(SimulatedDevice.of("hq", "chiller-01", "chiller"),
      SimulatedDevice.of("hq", "boiler-01", "boiler"), SimulatedDevice.of("plant-a", "plc-01", "plc"));

  private Simulator simulator(double rate, String scenarioBody) throws Exception {
    List<io.fleetwatch.simulator.scenario.Scenario> scenarios = scenarioBody == null ? List.of()
        : List.of(ScenarioFile.parse("t.yaml", "apiVersion: fleetwatch.io/v1\nkind: Scenario\nname: t\n"
            + "description: d\n" + scenarioBody));
    SimulatorConfig config = SimulatorConfig.defaults("tcp://127.0.0.1:1").withRate(rate)
        .withStateInterval(Duration.ofSeconds(30));
    Simulator simulator = new Simulator(config, fleet, new FaultPlan(scenarios, fleet, 1L), clock, sink);
    simulator.open();
    return simulator;
  }

  /** Ticks every 20 ms of simulated time for {@code d}. */
  private void run(Simulator simulator, Duration d) {
    for (long t = 0; t < d.toMillis(); t += 20) {
      clock.advance(Duration.ofMillis(20));
      simulator.tick();
    }
  }

  @Test
  void publishesTelemetryAtTheTargetRateRoundRobinWithAStateReportWhenADeviceFirstPublishes() throws Exception {
    Simulator simulator = simulator(30, null);

    run(simulator, Duration.ofSeconds(10));

    assertEquals(300, sink.on("/telemetry").size());
    assertEquals(100, sink.on("hq/chiller-01/telemetry").size());
    assertEquals("fleet/hq/chiller-01/state", sink.messages.get(0).topic(), "state first");
    assertEquals("fleet/hq/chiller-01/telemetry", sink.messages.get(1).topic());
    // then every 30 s per device, spread: 3 devices x 10 s / 30 s = 1 periodic report so far
    assertEquals(3 + 1, sink.on("/state").size());
    assertTrue(sink.on("plc-01/state").get(0).payload().contains("\"firmware\":\"4.6.0\""));
  }

  @Test
  void sequenceNumbersIncreasePerDeviceOverAllChannelsFromTheStartTime() throws Exception {
    Simulator simulator = simulator(30, """
        targets: {c: {device: chiller-01}}
        steps: [{target: c, at: PT1S, for: PT2S, events: {type: auth_failure, count: 5}}]
        expect: []
        """);

    run(simulator, Duration.ofSeconds(5));

    List<Long> seqs = new ArrayList<>();
    for (RecordingSink.Message m : sink.messages) {
      if (m.topic().contains("/chiller-01/")) {
        seqs.add(number(SEQ, m.payload()));
      }
    }
    assertEquals(START.toEpochMilli() + 1, seqs.get(0));
    for (int i = 1; i < seqs.size(); i++) {
      assertEquals(seqs.get(i - 1) + 1, seqs.get(i), "seq " + i + " of " + seqs);
    }
    assertEquals(5, sink.on("chiller-01/event").size());
    assertTrue(sink.on("chiller-01/event").get(0).payload().contains("\"type\":\"auth_failure\""));
    // one device always on one connection shard, so its messages keep their order
    assertEquals(1, sink.messages.stream().filter(m -> m.topic().contains("/chiller-01/")).map(m -> m.shard())
        .distinct().count());
  }

  @Test
  void aSilencedDevicePublishesNothingWhileOthersContinue() throws Exception {
    Simulator simulator = simulator(30, """
        targets: {c: {device: chiller-01}}
        steps: [{target: c, at: PT2S, for: PT3S, silence: true}]
        expect: []
        """);

    run(simulator, Duration.ofSeconds(2));
    int before = sink.on("chiller-01/telemetry").size();
    run(simulator, Duration.ofSeconds(3));
    int during = sink.on("chiller-01/telemetry").size() - before;
    run(simulator, Duration.ofSeconds(1));

    assertEquals(0, during);
    assertEquals(before + 10, sink.on("chiller-01/telemetry").size(), "publishes again afterwards");
    assertEquals(60, sink.on("boiler-01/telemetry").size(), "others go on: 10 per second");
  }

  @Test
  void aReplayResendsTheLastTelemetryBytesSoTheSequenceRegresses() throws Exception {
    Simulator simulator = simulator(30, """
        targets: {c: {device: chiller-01}}
        steps: [{target: c, at: PT3S, replay: {count: 3}}]
        expect: []
        """);

    run(simulator, Duration.ofSeconds(4));

    List<RecordingSink.Message> telemetry = sink.on("chiller-01/telemetry");
    long highest = 0;
    int regressions = 0;
    for (RecordingSink.Message m : telemetry) {
      long seq = number(SEQ, m.payload());
      if (seq < highest) {
        regressions++;
      }
      highest = Math.max(highest, seq);
    }
    assertEquals(2, regressions, "the first replayed message repeats the highest seq (a duplicate); two regress");
    int firstReplay = 0;
    for (int i = 1; i < telemetry.size(); i++) {
      if (number(SEQ, telemetry.get(i).payload()) <= number(SEQ, telemetry.get(i - 1).payload())) {
        firstReplay = i;
        break;
      }
    }
    assertEquals(telemetry.get(firstReplay - 3).payload(), telemetry.get(firstReplay).payload(), "byte for byte");
  }

  @Test
  void clockSkewShiftsTheDeviceTimestamps() throws Exception {
    Simulator simulator = simulator(30, """
        targets: {b: {device: boiler-01}}
        steps: [{target: b, skew: {offset: -PT10M}}]
        expect: []
        """);

    run(simulator, Duration.ofSeconds(1));

    long ts = number(TS, sink.on("boiler-01/telemetry").get(0).payload());
    long now = clock.millis();
    assertTrue(now - ts >= 600_000 && now - ts < 601_000, "ts " + ts + " vs now " + now);
  }

  @Test
  void aForcedValueAppearsInTheTelemetryPayload() throws Exception {
    Simulator simulator = simulator(30, """
        targets: {c: {device: chiller-01}}
        steps: [{target: c, force: {metric: supply_temp_c, value: 15}}]
        expect: []
        """);

    run(simulator, Duration.ofSeconds(1));

    assertTrue(sink.on("chiller-01/telemetry").stream().allMatch(m -> m.payload().contains("\"supply_temp_c\":15.0")));
  }

  private static long number(Pattern p, String payload) {
    Matcher m = p.matcher(payload);
    assertTrue(m.find(), payload);
    return Long.parseLong(m.group(1));
  }
}
