package io.fleetwatch.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.app.cli.FleetwatchCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code fleetwatch bench latency} and {@code bench policies} at a tiny size, end to end: in one JVM and in the
 * production shape (mosquitto, Kafka, gateway and streams as child processes), each with its floor row, the floor
 * ratios and the CPU table, and every injected fault's incident (and floor output) accounted for. Timings are not
 * checked.
 */
class BenchLatencyCommandIT {
  /** | pipeline | shape | instances | load | target | offered | achieved | acked | failed | faults | incidents | ... */
  private static final String ROW = "\\| %s \\| %s \\| 1 \\| [\\d.]+ \\| 300 \\| [^|]+ \\| [^|]+ \\| [\\d,]+ \\| 0 \\|"
      + " (\\d+) \\| ([^|]+) \\| 0 \\| \\d+ \\| \\d+ \\| \\d+ \\| \\d+ \\|";

  /** The shipped catalogue (tests run in the app module's directory). */
  private static final String POLICIES = Path.of("..", "policies").toString();

  @TempDir Path dir;

  @Test
  void allInOneReportHasFleetwatchAndFloorRowsRatiosAndCpuWithNothingMissing() throws Exception {
    String md = runLatency("all-in-one");

    assertTrue(md.contains("all-in-one shape, 1 streams instance"), md);
    assertEveryRowComplete(md, "all-in-one");
  }

  @Test
  void productionShapeRunsEachComponentAsItsOwnProcessAndReportsTheSameRows() throws Exception {
    String md = runLatency("production");

    assertTrue(md.contains("production shape, 1 streams instance"), md);
    assertTrue(md.contains("a `fleetwatch gateway` JVM"), md);
    assertEveryRowComplete(md, "production");
    // Each child process's CPU is its component's: the brokers and the gateway used some in the window.
    Matcher cpu = Pattern.compile("\\| fleetwatch \\| 300 \\| [\\d,]+ \\| ([\\d.]+) \\(\\d+%\\) \\| ([\\d.]+) \\(\\d+%\\)"
        + " \\| ([\\d.]+) \\(\\d+%\\) \\|").matcher(md);
    assertTrue(cpu.find(), md);
    for (int component = 1; component <= 3; component++) {
      assertTrue(Double.parseDouble(cpu.group(component)) > 0, "MQTT broker, gateway, Kafka broker CPU in:\n" + md);
    }
  }

  @Test
  void benchPoliciesReportsTheFloorRowRatioAndCpu() throws Exception {
    Path report = dir.resolve("benchmarks.md");
    StringWriter out = new StringWriter();
    CommandLine cl = commandLine(out);

    int exit = cl.execute("bench", "policies", "--devices", "200", "--records", "3000", "--warmup-records", "500",
        "--policies", POLICIES, "--report", report.toString());

    assertEquals(0, exit, out.toString());
    String md = Files.readString(report, StandardCharsets.UTF_8);
    assertTrue(Pattern.compile("\\| fleetwatch \\| all-in-one \\| 1 \\| [\\d.]+ \\| 200 \\| 3,000 \\|").matcher(md).find(),
        md);
    assertTrue(Pattern.compile("\\| floor \\| all-in-one \\| 1 \\| [\\d.]+ \\| 200 \\| 3,000 \\|").matcher(md).find(),
        md);
    assertTrue(Pattern.compile("\\| 200 \\| [\\d.]+ \\| [\\d.]+ \\|").matcher(md).find(), "ratio row in:\n" + md);
    assertTrue(md.contains("| floor | 200 | 3,000 |"), "floor CPU row in:\n" + md);
    assertTrue(md.contains("500 records of the first fleet size went through both pipelines unreported"), md);
    assertEquals(2, md.split("\\| all-in-one \\|", -1).length - 1, "the warm-up is not reported:\n" + md);
  }

  @Test
  void benchVulnerabilitiesReachesEveryExpectedRaiseAndEveryAffectedDeviceOfTheNewAdvisory() throws Exception {
    Path report = dir.resolve("benchmarks.md");
    StringWriter out = new StringWriter();

    int exit = commandLine(out).execute("bench", "vulnerabilities", "--devices", "40", "--advisories", "10",
        "--libraries", "20", "--components", "5", "--rounds", "1", "--timeout", "PT2M", "--policies", POLICIES,
        "--report", report.toString());

    assertEquals(0, exit, out.toString());
    Matcher expected = Pattern.compile("expected SEC-10 raises: ([\\d,]+)").matcher(out.toString());
    assertTrue(expected.find(), out.toString());
    assertTrue(Integer.parseInt(expected.group(1).replace(",", "")) > 0, out.toString());
    String md = Files.readString(report, StandardCharsets.UTF_8);
    assertTrue(md.contains("(" + expected.group(1) + " SEC-10 raises readable)"), md);
    // 40 devices: bench-common 3.0.0 (d % 4 == 0) and 3.1.0 (d % 4 == 1) are affected by the new advisory.
    assertTrue(md.contains("| new advisory 1 → SEC-10 on all 20 affected running devices |"), md);
  }

  @Test
  void benchVulnerabilitiesRefusesACatalogueWithoutSec10() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("no-policies"));
    StringWriter out = new StringWriter();

    int exit = commandLine(out).execute("bench", "vulnerabilities", "--devices", "10", "--policies", empty.toString(),
        "--no-report");

    assertEquals(2, exit, out.toString()); // a configuration error, as every command reports it
    assertTrue(out.toString().contains("has no SEC-10 policy"), out.toString());
  }

  @Test
  void helpStillWorksForEveryBenchCommand() {
    for (String command : new String[] {"latency", "policies", "ingest", "vulnerabilities"}) {
      StringWriter out = new StringWriter();
      int exit = commandLine(out).execute("bench", command, "--help");
      assertEquals(0, exit, command);
      assertTrue(out.toString().contains("Usage: fleetwatch bench " + command), out.toString());
    }
    StringWriter out = new StringWriter();
    commandLine(out).execute("bench", "latency", "--help");
    assertTrue(out.toString().contains("--shape") && out.toString().contains("--streams-instances"), out.toString());
  }

  private String runLatency(String shape) throws Exception {
    Path report = dir.resolve("benchmarks.md");
    StringWriter out = new StringWriter();
    CommandLine cl = commandLine(out);

    int exit = cl.execute("bench", "latency", "--shape", shape, "--rates", "300", "--generate", "4x25", "--warmup",
        "PT1S", "--duration", "PT6S", "--fault-interval", "PT2S", "--faults-per-round", "1", "--settle", "PT60S",
        "--connections", "2", "--policies", POLICIES, "--report", report.toString());

    assertEquals(0, exit, "exit code; output:\n" + out);
    return Files.readString(report, StandardCharsets.UTF_8);
  }

  private static void assertEveryRowComplete(String md, String shape) {
    for (String pipeline : new String[] {"fleetwatch", "floor"}) {
      Matcher row = Pattern.compile(String.format(ROW, pipeline, shape)).matcher(md);
      assertTrue(row.find(), pipeline + " row in:\n" + md);
      assertEquals(row.group(1), row.group(2).strip(), pipeline + ": every fault's record arrived, in:\n" + md);
      assertTrue(Integer.parseInt(row.group(1)) >= 3, md);
    }
    assertFalse(md.contains("missing"), md);
    assertTrue(Pattern.compile("\\| 300 \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+ \\|").matcher(md).find(),
        "floor ratio row in:\n" + md);
    assertTrue(md.contains("| fleetwatch | 300 |") && md.contains("| floor | 300 |"), "CPU rows in:\n" + md);
  }

  private static CommandLine commandLine(StringWriter out) {
    CommandLine cl = FleetwatchCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(out, true));
    return cl;
  }
}
