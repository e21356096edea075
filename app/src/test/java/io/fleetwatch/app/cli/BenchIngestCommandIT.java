package io.fleetwatch.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.app.cli.FleetwatchCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code fleetwatch bench ingest} at a tiny size: the command runs mosquitto, Kafka and the gateway, and appends a
 * report with the machine and one row per payload and QoS. Without the shell bridge, so CI needs no kcat. Timings are not checked.
 */
class BenchIngestCommandIT {
  @TempDir Path dir;

  @Test
  void benchIngestAppendsAReportWithAGatewayRowPerQosAndNoLoss() throws Exception {
    Path report = dir.resolve("benchmarks.md");
    StringWriter out = new StringWriter();

    int exit = ingest(out, "--messages", "2000", "--warmup", "200", "--connections", "2", "--no-baseline",
        "--report", report.toString());

    assertEquals(0, exit, "exit code; output:\n" + out);
    String md = Files.readString(report, StandardCharsets.UTF_8);
    assertTrue(md.startsWith("# fleetwatch benchmarks"), md);
    assertTrue(md.contains("- Kafka: "), md);
    assertNoLoss(md, "json", 2000);
    assertTrue(out.toString().contains("appended to"), out.toString());
  }

  @Test
  void benchIngestWithSparkplugPayloadsReportsTheirRowsNextToTheJsonRowsWithoutLoss() throws Exception {
    Path report = dir.resolve("benchmarks.md");
    StringWriter out = new StringWriter();

    // When the gateway takes the same load as native JSON and as Sparkplug B DDATA in one run
    int exit = ingest(out, "--payload", "json,sparkplug", "--messages", "1000", "--warmup", "100",
        "--connections", "2", "--devices", "5", "--no-baseline", "--report", report.toString());

    // Then every published DDATA is counted once in Kafka by (device, bench_seq), as every JSON message by seq
    assertEquals(0, exit, "exit code; output:\n" + out);
    String md = Files.readString(report, StandardCharsets.UTF_8);
    assertNoLoss(md, "json", 1000);
    assertNoLoss(md, "sparkplug", 1000);
    assertTrue(md.contains("Sparkplug B DDATA of 10 numeric metrics by alias"), md);
    assertTrue(md.contains("- command: `fleetwatch bench ingest --payload json,sparkplug --messages 1000"), md);
    assertTrue(md.indexOf("| fleetwatch gateway | json |") < md.indexOf("| fleetwatch gateway | sparkplug |"), md);
  }

  private static int ingest(StringWriter out, String... args) {
    StringWriter err = new StringWriter();
    CommandLine cl = FleetwatchCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    String[] command = new String[args.length + 2];
    command[0] = "bench";
    command[1] = "ingest";
    System.arraycopy(args, 0, command, 2, args.length);
    int exit = cl.execute(command);
    out.write(err.toString());
    return exit;
  }

  /** A QoS 1 and a QoS 0 row of the gateway with {@code payload}: all published messages in Kafka, none lost. */
  private static void assertNoLoss(String md, String payload, int messages) {
    String n = String.format(java.util.Locale.ROOT, "%,d", messages);
    for (int qos : new int[] {1, 0}) {
      // | bridge | payload | qos | msgs/s | seconds | published | acknowledged | in Kafka | after stop | dups | lost |
      Pattern row = Pattern.compile("\\| fleetwatch gateway \\| " + payload + " \\| " + qos
          + " \\| [\\d,]+ \\| [\\d.]+ \\| " + n + " \\| " + n + " \\| " + n + " \\| 0 \\| 0 \\| 0 \\|");
      assertTrue(row.matcher(md).find(), payload + " QoS " + qos + " row without loss in:\n" + md);
    }
  }

  @Test
  void benchIngestRejectsAnUnknownQosWithExitCode2() {
    StringWriter err = new StringWriter();
    CommandLine cl = FleetwatchCommand.commandLine();
    cl.setErr(new PrintWriter(err, true));

    int exit = cl.execute("bench", "ingest", "--qos", "2", "--no-report");

    assertEquals(2, exit);
    assertTrue(err.toString().contains("--qos"), err.toString());
  }
}
