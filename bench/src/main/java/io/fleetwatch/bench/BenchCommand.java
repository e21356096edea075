package io.fleetwatch.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code fleetwatch bench}: performance measurements whose results go to {@code docs/benchmarks.md}. */
@Command(name = "bench", description = "Measure fleetwatch's performance (results appended to docs/benchmarks.md).",
    subcommands = {IngestCommand.class, VulnerabilityBenchCommand.class, LatencyBenchCommand.class,
        PolicyBenchCommand.class, BenchChildCommands.KafkaBroker.class,
        BenchChildCommands.Floor.class, CommandLine.HelpCommand.class})
public final class BenchCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
