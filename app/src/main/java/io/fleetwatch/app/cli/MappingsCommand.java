package io.fleetwatch.app.cli;

import io.fleetwatch.gateway.source.SourceFileException;
import io.fleetwatch.gateway.source.mapped.MappingFile;
import io.fleetwatch.gateway.source.mapped.PayloadMapping;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code fleetwatch mappings validate FILE}: checks a declarative payload mapping file exactly as the gateway reads
 * it ({@code mappings.file}) and prints every error as {@code file:line: field: why} (exit 1), or a summary (exit 0).
 */
@Command(name = "mappings", description = "Validate declarative payload mapping files (gateway setting mappings.file).",
    mixinStandardHelpOptions = true, subcommands = {MappingsCommand.Validate.class})
public final class MappingsCommand {

  @Command(name = "validate", mixinStandardHelpOptions = true,
      description = "Check a mapping file; print every error as file:line: field: why and exit 1 if there is any.")
  static final class Validate implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "Mapping YAML file (kind: PayloadMappings).")
    Path file;

    @Override
    public Integer call() {
      if (!Files.isRegularFile(file)) {
        spec.commandLine().getErr().println(file + ":0: (file): no such file");
        return 1;
      }
      try {
        List<PayloadMapping> mappings = MappingFile.read(file);
        long topics = mappings.stream().map(m -> m.topic().text()).distinct().count();
        spec.commandLine().getOut().printf("%s: %d mappings on %d topic patterns, valid%n", file, mappings.size(),
            topics);
        return 0;
      } catch (SourceFileException e) {
        e.errors().forEach(spec.commandLine().getErr()::println);
        return 1;
      }
    }
  }
}
