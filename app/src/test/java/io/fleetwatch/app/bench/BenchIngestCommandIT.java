package io.fleetwatch.app.bench;

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
 * report with the machine and one row per QoS. Without the shell bridge, so CI needs no kcat. Timings are not checked.
 */
class BenchIngestCommandIT {
  @TempDir Path dir;

  @Test
  void benchIngestAppendsAReportWithAGatewayRowPerQosAndNoLoss() throws Exception {
    Path report = dir.resolve("benchmarks.md");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = FleetwatchCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));

    int exit = cl.execute("bench", "ingest", "--messages", "2000", "--warmup", "200", "--connections", "2",
        "--no-baseline", "--report", report.toString());

    assertEquals(0, exit, "exit code; output:\n" + out + "\n" + err);
    String md = Files.readString(report, StandardCharsets.UTF_8);
    assertTrue(md.startsWith("# fleetwatch benchmarks"), md);
    assertTrue(md.contains("- Kafka: "), md);
    for (int qos : new int[] {1, 0}) {
      // | fleetwatch gateway | qos | msgs/s | seconds | published | acknowledged | in Kafka | after stop | dups | lost |
      Pattern row = Pattern.compile("\\| fleetwatch gateway \\| " + qos
          + " \\| [\\d,]+ \\| [\\d.]+ \\| 2,000 \\| 2,000 \\| 2,000 \\| 0 \\| \\d+ \\| 0 \\|");
      assertTrue(row.matcher(md).find(), "QoS " + qos + " row without loss in:\n" + md);
    }
    assertTrue(out.toString().contains("appended to"), out.toString());
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
