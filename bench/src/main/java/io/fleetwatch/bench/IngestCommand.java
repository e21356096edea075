package io.fleetwatch.bench;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fleetwatch bench ingest}: see {@link IngestBenchmark}. */
@Command(name = "ingest", mixinStandardHelpOptions = true, description = {
    "MQTT -> Kafka throughput and loss of the fleetwatch gateway at QoS 1 and QoS 0, and in the same run of the",
    "shell bridge `mosquitto_sub | kcat -P` on the same load. Starts Debian's mosquitto and an in-process Kafka.",
    "Needs mosquitto, and for the baseline mosquitto_sub and kcat (apt-get install -y mosquitto mosquitto-clients kcat).",
    "Exit code 1 when the gateway lost an acknowledged QoS 1 message."})
public final class IngestCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--messages", defaultValue = "200000", description = "Messages per run (default ${DEFAULT-VALUE}).")
  int messages;

  @Option(names = "--connections", defaultValue = "4", description = "Publisher connections (default ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--devices", defaultValue = "25", description = "Devices per connection (default ${DEFAULT-VALUE}).")
  int devices;

  @Option(names = "--window", defaultValue = "100",
      description = "Unacknowledged publishes per connection (default ${DEFAULT-VALUE}).")
  int window;

  @Option(names = "--partitions", defaultValue = "4", description = "Output topic partitions (default ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--receive-maximum", defaultValue = "1000",
      description = "Gateway MQTT Receive Maximum (default ${DEFAULT-VALUE}).")
  int receiveMaximum;

  @Option(names = "--broker-max-inflight", defaultValue = "1000",
      description = "mosquitto max_inflight_messages (default ${DEFAULT-VALUE}).")
  int brokerMaxInflight;

  @Option(names = "--warmup", defaultValue = "100000",
      description = "Messages through each bridge before measuring, so the JIT compiler has settled and the numbers"
          + " are steady state (default ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--qos", defaultValue = "1,0", split = ",", description = "QoS levels, in order (default ${DEFAULT-VALUE}).")
  List<Integer> qos;

  @Option(names = "--gateway-setting", paramLabel = "KEY=VALUE",
      description = "Gateway setting as in the gateway README (e.g. kafka.linger.ms=10); repeatable.")
  java.util.Map<String, String> gatewaySettings = new java.util.LinkedHashMap<>();

  @Option(names = "--payload", defaultValue = "json", split = ",", paramLabel = "json|sparkplug",
      description = "Payloads through the gateway, in order (default ${DEFAULT-VALUE}): json = native contract,"
          + " sparkplug = Sparkplug B DDATA of 10 metrics by alias (gateway with Sparkplug enabled). The shell bridge"
          + " decodes nothing and runs json only.")
  List<String> payloads;

  @Option(names = "--no-baseline", negatable = false, description = "Skip the shell bridge (no kcat needed).")
  boolean noBaseline;

  @Option(names = "--report", defaultValue = "docs/benchmarks.md",
      description = "Markdown file the results are appended to (default ${DEFAULT-VALUE}).")
  Path report;

  @Option(names = "--no-report", negatable = false, description = "Print the results only.")
  boolean noReport;

  @Override
  public Integer call() throws Exception {
    if (messages < 1 || connections < 1 || devices < 1 || window < 1 || partitions < 1 || warmup < 0) {
      throw new IllegalArgumentException("--messages, --connections, --devices, --window and --partitions must be"
          + " positive and --warmup not negative");
    }
    for (int level : qos) {
      if (level != 0 && level != 1) {
        throw new IllegalArgumentException("--qos takes 0 and 1, got " + level);
      }
    }
    List<SequencePublisher.Payload> payloadList = new java.util.ArrayList<>();
    for (String name : payloads) {
      try {
        payloadList.add(SequencePublisher.Payload.of(name));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--payload: " + e.getMessage(), e);
      }
    }
    IngestBenchmark.Tools tools = IngestBenchmark.Tools.find(!noBaseline);
    PrintWriter out = spec.commandLine().getOut();
    IngestBenchmark bench = new IngestBenchmark(new IngestBenchmark.Settings(messages, connections, devices, window,
        partitions, receiveMaximum, brokerMaxInflight, warmup, List.copyOf(qos), !noBaseline,
        java.util.Map.copyOf(gatewaySettings), payloadList.stream().distinct().toList()), tools, out);
    List<IngestBenchmark.Result> results = bench.run();
    out.println();
    IngestBenchmark.machine(tools).forEach(out::println);
    out.printf("%-20s %-9s %4s %12s %9s %10s %10s %10s %10s %11s %8s%n", "bridge", "payload", "QoS", "msgs/s",
        "seconds", "published", "acked", "in Kafka", "at stop", "duplicates", "lost");
    for (IngestBenchmark.Result r : results) {
      out.printf("%-20s %-9s %4d %,12.0f %9.2f %,10d %,10d %,10d %,10d %,11d %,8d%n", r.bridge(), r.payload().label(),
          r.qos(), r.throughput(),
          r.seconds(), r.report().sent(), r.report().acknowledged(), r.report().distinct(), r.heldUntilStop(),
          r.report().duplicates(), r.lost());
    }
    if (!noReport) {
      bench.appendReport(report, BenchEnvironment.arguments(spec), results);
      out.println("appended to " + report.toAbsolutePath().normalize());
    }
    out.flush();
    boolean gatewayLost = results.stream()
        .anyMatch(r -> r.bridge().startsWith("fleetwatch") && r.qos() == 1 && r.report().missing() > 0);
    return gatewayLost ? 1 : 0;
  }
}
