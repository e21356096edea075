package io.fleetwatch.app.simulator;

import io.fleetwatch.app.cli.SimulateCommand;
import io.fleetwatch.app.demo.DemoPipeline;
import io.fleetwatch.app.demo.DemoSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * One run of {@code fleetwatch simulate} (in this JVM, picocli as the CLI does) against a demo pipeline started by the
 * test: the demo fleet over the pipeline's embedded MQTT broker at 20 msg/s, with the exit code and everything it
 * printed.
 *
 * @param exit exit code (0 passed, 1 an expected incident missing or a forbidden one appeared, 2 bad input)
 * @param output standard output and error, interleaved
 */
record CheckRun(int exit, String output) {
  static final Path FLEET = Path.of("..", "examples", "demo-fleet", "assets.yaml");
  static final Path SCENARIOS = Path.of("..", "scenarios");
  static final Path POLICIES = Path.of("..", "policies");

  /** Starts the demo pipeline (embedded brokers, gateway, streams app with {@code policies}) without its simulator. */
  static DemoPipeline startPipeline(Path policies) throws Exception {
    DemoSettings settings = new DemoSettings("127.0.0.1", 0, 0, 0, null, FLEET, policies, false, 20, 3);
    return new DemoPipeline(settings, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
        .start();
  }

  /** The pipeline's HTTP API. */
  static String api(DemoPipeline pipeline) {
    return "http://127.0.0.1:" + pipeline.httpPort();
  }

  /**
   * Runs the simulator with scenarios from {@code scenarios}.
   *
   * @param clientIds MQTT client id prefix, distinct per run so a late disconnect of one run cannot end the next
   */
  static CheckRun simulate(DemoPipeline pipeline, Path scenarios, String clientIds, String... args) {
    List<String> all = new ArrayList<>(List.of("--mqtt-uri", pipeline.mqttUri(), "--fleet", FLEET.toString(),
        "--scenarios-dir", scenarios.toString(), "--rate", "20", "--client-id-prefix", clientIds));
    all.addAll(List.of(args));
    StringWriter out = new StringWriter();
    PrintWriter writer = new PrintWriter(out, true);
    int exit = new CommandLine(new SimulateCommand()).setOut(writer).setErr(writer).execute(all.toArray(String[]::new));
    return new CheckRun(exit, out.toString());
  }
}
