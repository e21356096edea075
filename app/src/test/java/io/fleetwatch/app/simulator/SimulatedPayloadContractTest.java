package io.fleetwatch.app.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.app.cli.SimulateCommand;
import io.fleetwatch.avro.DeviceEvent;
import io.fleetwatch.avro.DeviceState;
import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.gateway.mapping.MqttTopic;
import io.fleetwatch.gateway.mapping.MqttTopicParser;
import io.fleetwatch.gateway.mapping.ParseResult;
import io.fleetwatch.gateway.mapping.PayloadParser;
import io.fleetwatch.gateway.mapping.TopicParseResult;
import io.fleetwatch.schemas.DeviceChannel;
import io.fleetwatch.simulator.MessageSink;
import io.fleetwatch.simulator.SimulatedDevice;
import io.fleetwatch.simulator.Simulator;
import io.fleetwatch.simulator.SimulatorConfig;
import io.fleetwatch.simulator.scenario.FaultPlan;
import io.fleetwatch.simulator.scenario.Scenario;
import io.fleetwatch.simulator.scenario.ScenarioLibrary;
import io.fleetwatch.streams.registry.AssetRegistryFile;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the simulator publishes is what the gateway accepts: every message of the demo fleet, under every shipped
 * scenario, on every channel, parses with the gateway's own topic and payload parsers.
 */
class SimulatedPayloadContractTest {
  private static final Path SCENARIOS = Path.of("..", "scenarios");
  private static final Instant START = Instant.parse("2026-01-10T08:00:00Z");

  static List<String> scenarios() {
    return new ScenarioLibrary(SCENARIOS).names();
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void everyMessageOfTheScenarioIsAcceptedByTheGateway(String name) throws Exception {
    List<SimulatedDevice> fleet = SimulateCommand.devicesOf(
        AssetRegistryFile.read(Path.of("..", "examples", "demo-fleet", "assets.yaml")));
    Scenario scenario = new ScenarioLibrary(SCENARIOS).byName(name);
    Parsed parsed = simulate(fleet, List.of(scenario), Duration.ofMinutes(3));

    assertTrue(parsed.rejected.isEmpty(), "rejected by the gateway: " + parsed.rejected);
    assertTrue(parsed.accepted.get(DeviceChannel.TELEMETRY) > 0);
    assertTrue(parsed.accepted.get(DeviceChannel.STATE) >= fleet.size(),
        "every device reports its state");
  }

  @Test
  void eventsAndStateChangesOfAScenarioArriveAsTheGatewaysRecords() throws Exception {
    List<SimulatedDevice> fleet = SimulateCommand.devicesOf(
        AssetRegistryFile.read(Path.of("..", "examples", "demo-fleet", "assets.yaml")));
    ScenarioLibrary library = new ScenarioLibrary(SCENARIOS);

    Parsed parsed = simulate(fleet, List.of(library.byName("intrusion-then-overheat"),
        library.byName("tls-downgrade")), Duration.ofSeconds(90));

    List<DeviceEvent> failures = parsed.events.stream()
        .filter(e -> e.getDeviceId().equals("chiller-11") && e.getType().equals("auth_failure")).toList();
    assertEquals(10, failures.size());
    assertEquals("203.0.113.3", failures.get(3).getAttributes().get("source"));
    assertTrue(parsed.states.stream().anyMatch(s -> s.getDeviceId().equals("chiller-11")
        && "1.0".equals(s.getTls())), "the TLS downgrade is reported");
    assertTrue(parsed.states.stream().anyMatch(s -> s.getDeviceId().equals("chiller-11")
        && s.getConfigHash().startsWith("sha256:6e1f0b")), "the drifted configuration is reported");
    assertTrue(parsed.telemetry.stream().anyMatch(t -> t.getDeviceId().equals("chiller-11")
        && t.getMetrics().get("supply_temp_c") > 12.0), "the overheat shows in telemetry");
  }

  /** Runs the simulator on a simulated clock for {@code span} and parses what it publishes like the gateway. */
  private static Parsed simulate(List<SimulatedDevice> fleet, List<Scenario> scenarios, Duration span)
      throws Exception {
    MutableClock clock = new MutableClock();
    Parsed parsed = new Parsed(clock);
    SimulatorConfig config = SimulatorConfig.defaults("tcp://127.0.0.1:1").withRate(20)
        .withStateInterval(Duration.ofSeconds(30));
    Simulator simulator = new Simulator(config, fleet, new FaultPlan(scenarios, fleet, 7L), clock, parsed);
    simulator.open();
    for (long t = 0; t < span.toMillis(); t += 20) {
      clock.now = clock.now.plusMillis(20);
      simulator.tick();
    }
    simulator.close();
    return parsed;
  }

  /** A sink that parses each message as the gateway does. */
  private static final class Parsed implements MessageSink {
    final MqttTopicParser topics = MqttTopicParser.withDefaultRoot();
    final PayloadParser payloads = PayloadParser.withDefaults();
    final MutableClock clock;
    final List<String> rejected = new ArrayList<>();
    final Map<DeviceChannel, Integer> accepted =
        new EnumMap<>(DeviceChannel.class);
    final List<Telemetry> telemetry = new ArrayList<>();
    final List<DeviceEvent> events = new ArrayList<>();
    final List<DeviceState> states = new ArrayList<>();

    Parsed(MutableClock clock) {
      this.clock = clock;
      for (DeviceChannel c : DeviceChannel.values()) {
        accepted.put(c, 0);
      }
    }

    @Override
    public void start() {
    }

    @Override
    public void publish(int shard, String topic, byte[] payload) {
      TopicParseResult t = topics.parse(topic);
      if (t instanceof ParseResult.Rejected r) {
        rejected.add(topic + ": " + r.detail());
        return;
      }
      ParseResult result = payloads.parse((MqttTopic) t, payload, clock.millis());
      if (result instanceof ParseResult.Rejected r) {
        rejected.add(topic + " " + new String(payload, java.nio.charset.StandardCharsets.UTF_8) + ": " + r.reason()
            + " " + r.detail());
        return;
      }
      ParseResult.Accepted a = assertInstanceOf(ParseResult.Accepted.class, result);
      accepted.merge(a.channel(), 1, Integer::sum);
      if (a.value() instanceof Telemetry v) {
        telemetry.add(v);
      } else if (a.value() instanceof DeviceEvent v) {
        events.add(v);
      } else if (a.value() instanceof DeviceState v) {
        states.add(v);
      }
    }

    @Override
    public long published() {
      return accepted.values().stream().mapToLong(Integer::longValue).sum();
    }

    @Override
    public long notPublished() {
      return rejected.size();
    }

    @Override
    public void close() {
    }
  }

  private static final class MutableClock extends Clock {
    Instant now = START;

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
