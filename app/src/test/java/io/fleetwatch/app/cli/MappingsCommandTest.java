package io.fleetwatch.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MappingsCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = FleetwatchCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void shippedMappingsAreValid() {
    assertEquals(0, run("mappings", "validate", "../examples/mappings/bacnet-building.yaml"), err::toString);
    assertEquals("../examples/mappings/bacnet-building.yaml: 5 mappings on 1 topic patterns, valid",
        out.toString().strip());
    assertEquals(0, run("mappings", "validate", "../examples/mappings/modbus-edge.yaml"), err::toString);
  }

  @Test
  void printsEveryErrorAsFileLineFieldWhyAndExitsOne(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("vendor.yaml"), """
        apiVersion: fleetwatch.io/v1
        kind: PayloadMappings
        mappings:
          - id: ahu
            topic: bacnet/{site}/{device}
            ts: {pointer: /timestamp, format: rfc-822}
            telemetry:
              supply_temp_c: {pointer: /presentValue, from: degF, to: bar}
          - id: ahu
            topic: bacnet/{site}/{device}
            telemetry: {t: {value: warm}}
        """);

    assertEquals(1, run("mappings", "validate", file.toString()));

    assertEquals(String.join(System.lineSeparator(),
        file + ":6: mappings[0].ts.format: unknown format 'rfc-822'; expected epoch-s, epoch-ms, iso-8601 or pattern",
        file + ":8: mappings[0].telemetry.supply_temp_c.from: cannot convert degF (temperature) to bar (pressure)",
        file + ":11: mappings[1].telemetry.t.value: a constant metric value must be a number",
        file + ":9: mappings[1].id: duplicate id 'ahu' (first at line 4)"), err.toString().strip());
    assertEquals("", out.toString());
  }

  @Test
  void aMissingFileIsAnError() {
    assertEquals(1, run("mappings", "validate", "no-such-file.yaml"));
    assertEquals("no-such-file.yaml:0: (file): no such file", err.toString().strip());
  }

  @Test
  void helpDescribesTheCommand() {
    assertEquals(0, run("mappings", "validate", "--help"));
    assertTrue(out.toString().contains("file:line: field: why"), out::toString);
    assertEquals(0, run("mappings", "--help"));
  }
}
