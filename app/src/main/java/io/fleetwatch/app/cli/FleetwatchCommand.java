package io.fleetwatch.app.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code fleetwatch} command and its subcommands. */
@Command(name = "fleetwatch", mixinStandardHelpOptions = true, versionProvider = FleetwatchCommand.Version.class,
    description = "Safety and security monitoring for IoT fleets: MQTT -> Kafka -> Kafka Streams -> incidents.",
    subcommands = {DemoCommand.class, GatewayCommand.class, StreamsCommand.class, SimulateCommand.class,
        RegistryCommand.class, PoliciesCommand.class, MappingsCommand.class, AdvisoriesCommand.class, io.fleetwatch.app.bench.BenchCommand.class, IncidentsCommand.class, CommandLine.HelpCommand.class})
public final class FleetwatchCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** A command line with fleetwatch's error handling: bad configuration is a message and exit code 2. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new FleetwatchCommand());
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof IllegalArgumentException) {
        commandLine.getErr().println("fleetwatch: " + e.getMessage());
        return 2;
      }
      throw e;
    });
    return cl;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = FleetwatchCommand.class.getPackage().getImplementationVersion();
      return new String[] {"fleetwatch " + (v == null ? "dev" : v)};
    }
  }
}
