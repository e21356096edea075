package io.fleetwatch.app;

import io.fleetwatch.app.cli.FleetwatchCommand;
import io.fleetwatch.app.cli.RenamedVariables;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** Entry point of the fleetwatch jar. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
    org.slf4j.bridge.SLF4JBridgeHandler.install();
    for (String warning : RenamedVariables.warnings(System.getenv())) {
      LoggerFactory.getLogger(Main.class).warn(warning);
    }
    int exit = FleetwatchCommand.commandLine().execute(args);
    System.exit(exit);
  }
}
