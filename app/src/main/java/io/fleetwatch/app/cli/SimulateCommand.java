package io.fleetwatch.app.cli;

import io.fleetwatch.avro.Asset;
import io.fleetwatch.simulator.Simulator;
import io.fleetwatch.simulator.SimulatorConfig;
import io.fleetwatch.simulator.check.ApiIncidentSource;
import io.fleetwatch.simulator.check.CheckReport;
import io.fleetwatch.simulator.check.IncidentSource;
import io.fleetwatch.simulator.check.KafkaIncidentSource;
import io.fleetwatch.simulator.check.ScenarioCheck;
import io.fleetwatch.simulator.fleet.FleetGenerator;
import io.fleetwatch.simulator.SimulatedDevice;
import io.fleetwatch.simulator.scenario.Expectation;
import io.fleetwatch.simulator.scenario.Forbidden;
import io.fleetwatch.simulator.scenario.Scenario;
import io.fleetwatch.simulator.scenario.ScenarioFormatException;
import io.fleetwatch.simulator.scenario.ScenarioLibrary;
import io.fleetwatch.streams.registry.AssetRegistryFile;
import io.fleetwatch.streams.registry.RegistryException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fleetwatch simulate}: publish a simulated fleet (telemetry, state reports, events) over MQTT with fault and
 * attack scenarios from {@code scenarios/}; with {@code --check}, verify that a running pipeline raises each
 * scenario's expected incidents in time and none of its forbidden ones. Exit codes: 0 success, 1 an expected
 * incident is missing or a forbidden one appeared, 2 bad input.
 */
@Command(name = "simulate", sortOptions = false,
    description = {"Publish a simulated fleet over MQTT, with fault and attack scenarios (scenarios/*.yaml).",
        "With --check, report which expected incidents a running pipeline raised, and how fast; exit 1 if any is "
            + "missing or a forbidden incident appeared."})
public final class SimulateCommand implements Callable<Integer> {
  /** Default scenario directory, relative to the working directory. */
  public static final Path DEFAULT_SCENARIOS = Path.of("scenarios");

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

  @Option(names = "--fleet", defaultValue = "${env:FLEETWATCH_HOME:-.}/examples/demo-fleet/assets.yaml",
      description = "Registry file whose assets are simulated (default ${DEFAULT-VALUE}).")
  Path fleet;

  @Option(names = "--generate", paramLabel = "SITESxDEVICES[:CLASS,..]",
      description = "Simulate a generated fleet instead of --fleet, e.g. 10x100 or 5x20:chiller,plc.")
  String generate;

  @Option(names = "--rate", defaultValue = "20", description = "Total telemetry messages per second (default ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--connections", defaultValue = "2", description = "MQTT connections (default ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--qos", defaultValue = "1", description = "MQTT QoS 0 or 1 (default ${DEFAULT-VALUE}).")
  int qos;

  @Option(names = "--max-inflight", defaultValue = "10",
      description = "Unacknowledged QoS 1 publishes per connection (default ${DEFAULT-VALUE}).")
  int maxInflight;

  @Option(names = "--state-interval", defaultValue = "PT60S",
      description = "Each device reports its state this often (ISO-8601; default ${DEFAULT-VALUE}).")
  Duration stateInterval;

  @Option(names = "--client-id-prefix", defaultValue = "fleetwatch-sim",
      description = "MQTT client id prefix; connection i is PREFIX-i (default ${DEFAULT-VALUE}).")
  String clientIdPrefix;

  @Option(names = "--seed", defaultValue = "42", description = "Random seed of the noise (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--scenario", paramLabel = "NAME[:DEVICE|:TARGET=DEVICE,..][@START]",
      description = "Scenario from the scenario directory; repeatable, combined in one run. :DEVICE rebinds its "
          + "device target, @PT30S overrides its start offset.")
  List<String> scenarios = new ArrayList<>();

  @Option(names = "--scenarios-dir", defaultValue = "${env:FLEETWATCH_HOME:-.}/scenarios",
      description = "Directory of scenario files (default ${DEFAULT-VALUE}).")
  Path scenariosDir;

  @Option(names = "--list-scenarios", description = "List the scenarios with their expected incidents and exit.")
  boolean list;

  @Option(names = "--duration", description = "Stop after this ISO-8601 duration (e.g. PT5M); default: until Ctrl-C. "
      + "Check mode: watch for forbidden incidents at least this long.")
  Duration duration;

  @Option(names = "--check", description = "Scenario-check mode: wait for each scenario's expected incidents, "
      + "report them, exit 1 if one is missing by its deadline or a forbidden one appears.")
  boolean check;

  @Option(names = "--api", paramLabel = "URL",
      description = "Check mode: read incidents from the streams app's HTTP API (e.g. http://127.0.0.1:8080); "
          + "without it they are read from the incidents topic via --bootstrap-servers.")
  URI api;

  @Option(names = "--poll-interval", defaultValue = "PT0.5S",
      description = "Check mode: how often incidents are read (default ${DEFAULT-VALUE}).")
  Duration pollInterval;

  @Mixin KafkaOptions kafka = new KafkaOptions();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<SimulatedDevice> devices;
    List<Scenario> selected;
    SimulatorConfig config;
    try {
      ScenarioLibrary library = new ScenarioLibrary(scenariosDir);
      if (list) {
        for (Scenario s : library.all()) {
          out.printf("%-26s %s%n", s.name(), describeExpectations(s));
        }
        return 0;
      }
      devices = generate != null ? FleetGenerator.fromSpec(generate) : devicesOf(AssetRegistryFile.read(fleet));
      selected = new ArrayList<>();
      for (String s : scenarios) {
        selected.add(library.select(s));
      }
      config = new SimulatorConfig(mqttUri, "fleet", clientIdPrefix, connections, rate, qos, maxInflight, username,
          password, seed, stateInterval);
      if (check && selected.isEmpty()) {
        throw new IllegalArgumentException("--check needs at least one --scenario");
      }
      if (check && duration == null && selected.stream().allMatch(s -> s.expectations().isEmpty())) {
        throw new IllegalArgumentException("--check: the scenarios expect no incident; give --duration to watch "
            + "that long for their forbidden ones");
      }
    } catch (RegistryException | ScenarioFormatException | IllegalArgumentException | UncheckedIOException e) {
      err.println(e.getMessage());
      return 2;
    }
    Simulator simulator;
    try {
      simulator = new Simulator(config, devices, selected, Clock.systemUTC());
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return 2;
    }
    return check ? check(simulator, out) : run(simulator, out);
  }

  private int run(Simulator simulator, PrintWriter out) throws Exception {
    CountDownLatch stop = new CountDownLatch(1);
    Thread hook = new Thread(stop::countDown, "fleetwatch-simulate-stop");
    try (simulator) {
      Runtime.getRuntime().addShutdownHook(hook);
      simulator.start();
      if (duration == null) {
        stop.await();
      } else {
        stop.await(duration.toMillis(), TimeUnit.MILLISECONDS);
      }
      out.printf("published %d messages (%d not published; %s)%n", simulator.published(), simulator.notPublished(),
          simulator.counts());
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down: the hook has run
      }
    }
    return 0;
  }

  private int check(Simulator simulator, PrintWriter out) throws Exception {
    // The source is opened before the simulator starts: the Kafka reader is positioned before any injection.
    try (IncidentSource source = api != null ? new ApiIncidentSource(api)
            : new KafkaIncidentSource(kafka.clientConfig(), kafka.topics().incidents());
        simulator) {
      simulator.start();
      out.printf("checking %d expected and %d forbidden incidents of %s against %s%n",
          simulator.plan().expectations().size(), simulator.plan().forbidden().size(),
          String.join(", ", simulator.plan().scenarios().stream().map(Scenario::name).toList()),
          api != null ? api : "Kafka " + kafka.clientProperties().get("bootstrap.servers"));
      out.flush();
      CheckReport report = new ScenarioCheck(source, Clock.systemUTC(), pollInterval).await(simulator.startedAt(),
          simulator.plan().expectations(), simulator.plan().forbidden(), duration == null ? Duration.ZERO : duration);
      report.lines().forEach(out::println);
      out.println(report.summary());
      out.flush();
      return report.passed() ? 0 : 1;
    }
  }

  private static String describeExpectations(Scenario s) {
    List<String> parts = new ArrayList<>();
    for (Expectation e : s.expectations()) {
      parts.add(e.policy() + " on " + s.targets().get(e.target()) + " within " + e.within().toSeconds() + "s");
    }
    if (parts.isEmpty()) {
      parts.add("(no incident expected)");
    }
    for (Forbidden f : s.forbidden()) {
      parts.add("not " + f.policy() + (f.target() == null ? " anywhere" : " on " + s.targets().get(f.target())));
    }
    return String.join("; ", parts);
  }

  /** Simulated devices for the registered assets, with the registry's model and vendor. */
  public static List<SimulatedDevice> devicesOf(List<Asset> assets) {
    return assets.stream().map(a -> SimulatedDevice.of(a.getSite(), a.getDeviceId(), a.getAssetClass(), a.getModel(),
        a.getVendor())).toList();
  }

  /** Scenarios selected by name from {@link #DEFAULT_SCENARIOS} (see {@link ScenarioLibrary#select}). */
  public static List<Scenario> scenarios(List<String> specs) {
    return scenarios(DEFAULT_SCENARIOS, specs);
  }

  /** Scenarios selected by name, e.g. {@code chiller-overheat} or {@code chiller-overheat:chiller-11}. */
  public static List<Scenario> scenarios(Path directory, List<String> specs) {
    ScenarioLibrary library = new ScenarioLibrary(directory);
    return specs.stream().map(library::select).toList();
  }
}
