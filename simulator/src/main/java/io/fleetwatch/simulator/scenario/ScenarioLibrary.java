package io.fleetwatch.simulator.scenario;

import io.fleetwatch.schemas.Identifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The scenario files of a directory ({@code scenarios/} at the repository root), by name, and the command-line
 * selection syntax {@code NAME[:DEVICE | :TARGET=DEVICE,...][@START]}.
 */
public final class ScenarioLibrary {
  private final Path directory;

  public ScenarioLibrary(Path directory) {
    this.directory = directory;
  }

  public Path directory() {
    return directory;
  }

  /** Names of every scenario file in the directory, sorted. */
  public List<String> names() {
    if (!Files.isDirectory(directory)) {
      throw new IllegalArgumentException("scenario directory " + directory + " does not exist");
    }
    try (Stream<Path> files = Files.list(directory)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
          .map(n -> n.substring(0, n.length() - ".yaml".length())).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list scenario directory " + directory, e);
    }
  }

  /** Every scenario of the directory (each file validated). */
  public List<Scenario> all() {
    return names().stream().map(this::byName).toList();
  }

  /** Reads the scenario {@code name} ({@code <dir>/<name>.yaml}). */
  public Scenario byName(String name) {
    Path file = directory.resolve(name + ".yaml");
    if (!Identifier.isValid(name) || !Files.isRegularFile(file)) {
      String known = Files.isDirectory(directory) ? String.join(", ", names()) : "none: no directory " + directory;
      throw new IllegalArgumentException("unknown scenario '" + name + "' (known: " + known + ")");
    }
    return ScenarioFile.read(file);
  }

  /**
   * Resolves one command-line selection: {@code chiller-overheat}, {@code chiller-overheat:chiller-11} (the
   * scenario's only device target rebound), {@code intrusion-then-overheat:victim=chiller-11},
   * {@code tamper@PT30S} (first occurrence 30 s after start).
   */
  public Scenario select(String spec) {
    String rest = spec;
    Duration start = null;
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      try {
        start = Duration.parse(rest.substring(at + 1));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("--scenario " + spec + ": '@' must be followed by an ISO-8601 start offset "
            + "such as PT30S");
      }
      if (start.isNegative()) {
        throw new IllegalArgumentException("--scenario " + spec + ": the start offset must not be negative");
      }
      rest = rest.substring(0, at);
    }
    String[] parts = rest.split(":", 2);
    Scenario scenario = byName(parts[0]);
    if (parts.length > 1) {
      Map<String, Target> bindings = new LinkedHashMap<>();
      for (String binding : parts[1].split(",")) {
        String[] kv = binding.split("=", 2);
        if (kv.length == 1) {
          List<String> deviceTargets = scenario.targets().entrySet().stream()
              .filter(e -> e.getValue() instanceof Target.Device).map(Map.Entry::getKey).toList();
          if (deviceTargets.size() != 1) {
            throw new IllegalArgumentException("--scenario " + spec + ": " + scenario.name() + " has device targets "
                + deviceTargets + "; name the one to rebind as TARGET=DEVICE");
          }
          bindings.put(deviceTargets.get(0), new Target.Device(kv[0]));
        } else {
          bindings.put(kv[0], new Target.Device(kv[1]));
        }
      }
      scenario = scenario.withTargets(bindings);
    }
    return start == null ? scenario : scenario.withSchedule(scenario.schedule().startingAt(start));
  }
}
