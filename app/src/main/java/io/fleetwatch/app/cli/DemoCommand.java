package io.fleetwatch.app.cli;

import io.fleetwatch.app.demo.DemoPipeline;
import io.fleetwatch.app.demo.DemoSettings;
import io.fleetwatch.streams.api.Health;
import io.fleetwatch.streams.policy.PolicyFormatException;
import io.fleetwatch.streams.registry.RegistryException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fleetwatch demo}: the whole pipeline in one process on embedded brokers. */
@Command(name = "demo", description = {
    "Run the whole pipeline in one process: embedded MQTT broker and Kafka (KRaft), gateway, streams app,",
    "HTTP API and the simulator with the demo fleet. Prints a line per incident opened or resolved.",
    "Ctrl-C stops it."})
public final class DemoCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(DemoCommand.class);
  private static final Duration READY_REPORT_INTERVAL = Duration.ofSeconds(15);

  @Spec CommandSpec spec;

  @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address of every server (default ${DEFAULT-VALUE}).")
  String bind;

  @Option(names = "--mqtt-port", defaultValue = "1883", description = "MQTT port (default ${DEFAULT-VALUE}).")
  int mqttPort;

  @Option(names = "--kafka-port", defaultValue = "9092", description = "Kafka port (default ${DEFAULT-VALUE}).")
  int kafkaPort;

  @Option(names = "--http-port", defaultValue = "8080", description = "HTTP API and /metrics port (default ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(names = "--data-dir", description = "Keep Kafka, MQTT and Streams state here across restarts (default: a temporary directory removed on exit).")
  Path dataDir;

  @Option(names = "--fleet", defaultValue = "${env:FLEETWATCH_HOME:-.}/examples/demo-fleet/assets.yaml",
      description = "Asset registry applied at start (default ${DEFAULT-VALUE}).")
  Path fleet;

  @Option(names = "--policies", defaultValue = "${env:FLEETWATCH_HOME:-.}/policies",
      description = "Policy file or directory (default ${DEFAULT-VALUE}).")
  Path policies;

  @Option(names = "--no-simulator", negatable = false, description = "Do not run the simulator; publish your own telemetry.")
  boolean noSimulator;

  @Option(names = "--rate", defaultValue = "20", description = "Simulator messages per second (default ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--partitions", defaultValue = "3", description = "Partitions of the topics (default ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--quiet-period", defaultValue = "PT0S",
      description = "An incident resolves this long after its checks cleared (ISO-8601; default ${DEFAULT-VALUE}: at once, so the demo shows every transition).")
  Duration quietPeriod;

  @Option(names = "--reopen-window", defaultValue = "PT0S",
      description = "A raise within this long after resolution reopens the incident (default ${DEFAULT-VALUE}: never).")
  Duration reopenWindow;

  @Option(names = "--api-token", defaultValue = "${env:FLEETWATCH_API_TOKEN}",
      description = "Bearer token required by the POST endpoints (env FLEETWATCH_API_TOKEN; default: none).")
  String apiToken;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out; // the demo prints its incident lines on stdout, logs go to stderr
    DemoSettings settings = new DemoSettings(bind, mqttPort, kafkaPort, httpPort, dataDir, fleet, policies,
        !noSimulator, rate, partitions, quietPeriod, reopenWindow, apiToken);
    CountDownLatch stopped = new CountDownLatch(1);
    DemoPipeline pipeline = new DemoPipeline(settings, out);
    Thread hook = new Thread(() -> {
      out.println("fleetwatch: stopping...");
      pipeline.close();
      stopped.countDown();
    }, "fleetwatch-demo-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      pipeline.start();
    } catch (RegistryException | PolicyFormatException e) {
      spec.commandLine().getErr().println("fleetwatch: " + e.getMessage());
      Runtime.getRuntime().removeShutdownHook(hook);
      return 2;
    }
    // The banner says "use it now": print it only when /health/ready would answer 200.
    while (!pipeline.awaitReady(READY_REPORT_INTERVAL)) {
      if (!pipeline.health().live()) {
        spec.commandLine().getErr().println("fleetwatch: the pipeline failed while starting: "
            + pipeline.health().answer(Health.PATH).orElseThrow().json());
        return 1;
      }
      LOG.info("not ready yet: {}", pipeline.health().answer(Health.PATH).orElseThrow().json());
    }
    out.printf("fleetwatch demo running%n"
            + "  MQTT      %s   (publish to fleet/<site>/<device>/telemetry)%n"
            + "  Kafka     %s%n"
            + "  HTTP      http://%s:%d/api/incidents   /health/ready   /metrics%n"
            + "  simulator %s%n"
            + "  data      %s%n"
            + "Incidents appear below as they open and resolve. Ctrl-C stops.%n",
        pipeline.mqttUri(), pipeline.bootstrapServers(), bind, pipeline.httpPort(),
        noSimulator ? "off" : rate + " msg/s, chiller-overheat on hq/chiller-01 every 2 minutes",
        dataDir == null ? "temporary (use --data-dir to keep state)" : dataDir.toAbsolutePath());
    // Runs until Ctrl-C; the shutdown hook closes the pipeline.
    while (!stopped.await(1, TimeUnit.HOURS)) {
      // keep waiting
    }
    return 0;
  }
}
