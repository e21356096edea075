package io.fleetwatch.app.cli;

import io.fleetwatch.avro.Asset;
import io.fleetwatch.simulator.Scenario;
import io.fleetwatch.simulator.SimulatedDevice;
import io.fleetwatch.simulator.Simulator;
import io.fleetwatch.simulator.SimulatorConfig;
import io.fleetwatch.streams.registry.AssetRegistryFile;
import io.fleetwatch.streams.registry.RegistryException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fleetwatch simulate}: publish a simulated fleet's telemetry to an MQTT broker. */
@Command(name = "simulate", description = "Publish telemetry of a simulated fleet (from a registry file) over MQTT.")
public final class SimulateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--mqtt-uri", defaultValue = "${env:FLEETWATCH_MQTT_URI:-tcp://127.0.0.1:1883}",
      description = "MQTT broker (env FLEETWATCH_MQTT_URI; default ${DEFAULT-VALUE}).")
  String mqttUri;

  @Option(names = "--mqtt-username", defaultValue = "${env:FLEETWATCH_MQTT_USERNAME}",
      description = "MQTT username (env FLEETWATCH_MQTT_USERNAME).")
  String username;

  @Option(names = "--mqtt-password", defaultValue = "${env:FLEETWATCH_MQTT_PASSWORD}", arity = "0..1",
      interactive = false, description = "MQTT password (env FLEETWATCH_MQTT_PASSWORD).")
  char[] password;

  @Option(names = "--fleet", defaultValue = "examples/demo-fleet/assets.yaml",
      description = "Registry file whose assets are simulated (default ${DEFAULT-VALUE}).")
  Path fleet;

  @Option(names = "--rate", defaultValue = "20", description = "Total telemetry messages per second (default ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--connections", defaultValue = "2", description = "MQTT connections (default ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--qos", defaultValue = "1", description = "MQTT QoS 0 or 1 (default ${DEFAULT-VALUE}).")
  int qos;

  @Option(names = "--scenario", description = "Fault scenario: chiller-overheat[:DEVICE] (default chiller-01); repeatable.")
  List<String> scenarios = new ArrayList<>();

  @Option(names = "--duration", description = "Stop after this ISO-8601 duration (e.g. PT5M); default: until Ctrl-C.")
  Duration duration;

  @Override
  public Integer call() throws Exception {
    List<SimulatedDevice> devices;
    List<Scenario> faults;
    try {
      devices = devicesOf(AssetRegistryFile.read(fleet));
      faults = scenarios(scenarios);
    } catch (RegistryException | IllegalArgumentException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return 2;
    }
    SimulatorConfig config = new SimulatorConfig(mqttUri, "fleet", "fleetwatch-sim", connections, rate, qos, 10,
        username, password, 42L);
    CountDownLatch stop = new CountDownLatch(1);
    try (Simulator simulator = new Simulator(config, devices, faults, Clock.systemUTC())) {
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "fleetwatch-simulate-stop"));
      simulator.start();
      if (duration == null) {
        stop.await();
      } else {
        stop.await(duration.toMillis(), TimeUnit.MILLISECONDS);
      }
      spec.commandLine().getOut().printf("published %d messages (%d not published)%n", simulator.published(),
          simulator.notPublished());
    }
    return 0;
  }

  /** Simulated devices for the registered assets. */
  public static List<SimulatedDevice> devicesOf(List<Asset> assets) {
    return assets.stream().map(a -> SimulatedDevice.of(a.getSite(), a.getDeviceId(), a.getAssetClass())).toList();
  }

  /** Parses scenario names such as {@code chiller-overheat} or {@code chiller-overheat:chiller-11}. */
  public static List<Scenario> scenarios(List<String> specs) {
    List<Scenario> result = new ArrayList<>();
    for (String s : specs) {
      String[] parts = s.split(":", 2);
      if (!parts[0].equals("chiller-overheat")) {
        throw new IllegalArgumentException("--scenario: unknown scenario '" + parts[0] + "' (known: chiller-overheat)");
      }
      result.add(Scenario.ValueFault.chillerOverheat(parts.length > 1 ? parts[1] : "chiller-01"));
    }
    return result;
  }
}
