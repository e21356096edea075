package io.fleetwatch.app.cli;

import io.fleetwatch.bench.BenchCommand;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code fleetwatch} command and its subcommands. {@code -h/--help} and {@code -V/--version} are inherited by every
 * subcommand (picocli's {@code scope = INHERIT}), so no command needs to declare them.
 */
@Command(name = "fleetwatch", mixinStandardHelpOptions = true, versionProvider = FleetwatchCommand.Version.class,
    scope = CommandLine.ScopeType.INHERIT,
    description = "Safety and security monitoring for IoT fleets: MQTT -> Kafka -> Kafka Streams -> incidents.",
    subcommands = {DemoCommand.class, GatewayCommand.class, StreamsCommand.class, SimulateCommand.class,
        RegistryCommand.class, PoliciesCommand.class, MappingsCommand.class, AdvisoriesCommand.class, BenchCommand.class, IncidentsCommand.class, CommandLine.HelpCommand.class})
public final class FleetwatchCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** A command line with fleetwatch's error handling: bad configuration is a message and exit code 2. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new FleetwatchCommand());
    addVersionToHelpCommands(cl);
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof IllegalArgumentException) {
        commandLine.getErr().println("fleetwatch: " + e.getMessage());
        return 2;
      }
      throw e;
    });
    return cl;
  }

  /**
   * picocli's built-in {@code help} commands declare their own {@code -h/--help} and so do not take the inherited
   * standard options; give them {@code -V/--version} too, so every command of the tree answers both.
   */
  private static void addVersionToHelpCommands(CommandLine command) {
    for (CommandLine sub : command.getSubcommands().values()) {
      CommandLine.Model.CommandSpec spec = sub.getCommandSpec();
      if (sub.getCommand() instanceof CommandLine.HelpCommand && spec.findOption("--version") == null) {
        spec.versionProvider(new Version());
        spec.addOption(CommandLine.Model.OptionSpec.builder("-V", "--version").versionHelp(true)
            .description("Print version information and exit.").build());
      }
      addVersionToHelpCommands(sub);
    }
  }

  /** The project version, written into {@code version.properties} by Maven resource filtering. */
  static final class Version implements CommandLine.IVersionProvider {
    static final String RESOURCE = "version.properties";

    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = FleetwatchCommand.class.getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IOException(RESOURCE + " missing from the classpath (build with Maven)");
        }
        p.load(in);
      }
      return new String[] {"fleetwatch " + p.getProperty("version")};
    }
  }
}
