package io.fleetwatch.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import picocli.CommandLine;

/** Every command and subcommand of {@code fleetwatch}, found by walking the command tree, answers --help and --version. */
class CommandTreeTest {

  @Test
  void everyCommandPrintsItsUsageOnHelpAndExitsZero() {
    List<String> problems = new ArrayList<>();
    for (List<String> path : commandPaths()) {
      for (String option : List.of("--help", "-h")) {
        Run run = run(path, option);
        String usage = "Usage: " + String.join(" ", path) + " ";
        if (run.exit != 0 || !run.out.contains(usage) || !run.err.isEmpty()) {
          problems.add(String.join(" ", path) + " " + option + ": exit " + run.exit + ", out '" + firstLine(run.out)
              + "', err '" + firstLine(run.err) + "'");
        }
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void everyCommandPrintsTheProjectVersionOnVersionAndExitsZero() throws Exception {
    String expected = "fleetwatch " + projectVersion();
    List<String> problems = new ArrayList<>();
    for (List<String> path : commandPaths()) {
      for (String option : List.of("--version", "-V")) {
        Run run = run(path, option);
        if (run.exit != 0 || !run.out.strip().equals(expected) || !run.err.isEmpty()) {
          problems.add(String.join(" ", path) + " " + option + ": exit " + run.exit + ", out '" + run.out.strip()
              + "', err '" + firstLine(run.err) + "'");
        }
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void theWalkReachesNestedSubcommandsOfEveryGroup() {
    List<String> paths = commandPaths().stream().map(p -> String.join(" ", p)).toList();
    for (String nested : List.of("fleetwatch demo", "fleetwatch gateway", "fleetwatch streams", "fleetwatch simulate",
        "fleetwatch incidents tail", "fleetwatch bench ingest", "fleetwatch bench latency", "fleetwatch registry apply",
        "fleetwatch policies validate", "fleetwatch advisories known-exploited", "fleetwatch help")) {
      assertTrue(paths.contains(nested), nested + " not reached; walked " + paths);
    }
  }

  /** The path of every command of the tree, root first, from {@link CommandLine#getSubcommands()}. */
  private static List<List<String>> commandPaths() {
    List<List<String>> paths = new ArrayList<>();
    walk(FleetwatchCommand.commandLine(), List.of("fleetwatch"), paths);
    return paths;
  }

  private static void walk(CommandLine command, List<String> path, List<List<String>> paths) {
    paths.add(path);
    command.getSubcommands().forEach((name, sub) -> {
      if (name.equals(sub.getCommandName())) { // aliases lead to the same command
        List<String> child = new ArrayList<>(path);
        child.add(name);
        walk(sub, child, paths);
      }
    });
  }

  private record Run(int exit, String out, String err) {}

  private static Run run(List<String> path, String option) {
    CommandLine cl = FleetwatchCommand.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    List<String> args = new ArrayList<>(path.subList(1, path.size()));
    args.add(option);
    int exit = cl.execute(args.toArray(String[]::new));
    return new Run(exit, out.toString(), err.toString());
  }

  private static String firstLine(String s) {
    return s.lines().findFirst().orElse("");
  }

  /** The version of the root pom.xml (tests run in {@code app/}). */
  private static String projectVersion() throws Exception {
    Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(Path.of("..", "pom.xml").toFile()).getDocumentElement();
    for (var n = project.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals("version")) {
        return e.getTextContent().strip();
      }
    }
    throw new AssertionError("no <version> in ../pom.xml");
  }
}
