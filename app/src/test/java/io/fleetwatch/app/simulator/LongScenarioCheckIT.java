package io.fleetwatch.app.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.app.demo.DemoPipeline;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped scenarios whose policies wait for minutes, checked with {@code fleetwatch simulate --check} through
 * the whole demo pipeline (simulator → embedded MQTT → gateway → embedded Kafka → streams → incidents on the HTTP
 * API) in about three minutes: stuck-sensor, device-silent, site-outage and site-attack, together in one run.
 *
 * <p>Policies are data, so the pipeline runs a <b>test-only copy of the shipped catalogue with two windows
 * shortened</b>: SAF-05 {@code chiller-supply-temp-stuck} needs a flat run over 30 s instead of 10 minutes, and SEC-14
 * heartbeat loss expects a message every 15 s instead of every minute (still 3 missed intervals, so 45 s of silence
 * instead of 3 minutes). Everything else is shipped as is: the other policies, the incident rules of
 * {@code iot-ssf.yaml} (FLT-01 site correlation, FLT-03 mass offline with its 5-minute window), the scenario files
 * with their deadlines and forbidden incidents, the demo fleet. What this does not show is that the shipped 10-minute
 * and 1-minute windows fire; the rules' unit and topology tests cover them at any window.
 *
 * <p>The scenarios share the fleet, so they are staggered: stuck-sensor (chiller-02, hq) and device-silent
 * (chiller-11, plant-a) start at once; site-outage (all of plant-a) and site-attack (all of hq) start 60 s later,
 * after SAF-05 has had its 30 s of frozen readings and when chiller-11 is already silent (so plant-a reaches FLT-03's
 * two devices as soon as a second one is lost).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LongScenarioCheckIT {
  private DemoPipeline pipeline;

  @BeforeAll
  void startPipeline(@TempDir Path policies) throws Exception {
    copyCatalogueWithShortWindows(policies);
    pipeline = CheckRun.startPipeline(policies);
  }

  @AfterAll
  void stopPipeline() {
    if (pipeline != null) {
      pipeline.close();
    }
  }

  @Test
  void stuckSensorSilentDeviceSiteOutageAndSiteAttackRaiseTheirIncidentsAndNoForbiddenOne() {
    CheckRun r = CheckRun.simulate(pipeline, CheckRun.SCENARIOS, "long-check-it", "--scenario", "stuck-sensor",
        "--scenario", "device-silent", "--scenario", "site-outage@PT60S", "--scenario", "site-attack@PT60S",
        "--check", "--api", CheckRun.api(pipeline));

    // Then each expected incident was opened by its own scenario (detected after its injection, not merely still
    // open from an earlier one), and no forbidden one appeared
    assertEquals(0, r.exit(), r.output());
    for (String expected : List.of("stuck-sensor: SAF-05 on chiller-02", "device-silent: SEC-14 on chiller-11",
        "site-outage: SEC-14 at site plant-a", "site-outage: FLT-03 at site plant-a", "site-attack: SEC-01 at site hq",
        "site-attack: FLT-01 at site hq", "site-attack: SEC-16 on chiller-01", "site-attack: SEC-14 at site hq",
        "site-attack: FLT-03 at site hq")) {
      String line = r.output().lines().filter(l -> l.startsWith("OK       " + expected + " -> ")).findFirst()
          .orElseThrow(() -> new AssertionError(expected + " missing in:\n" + r.output()));
      assertTrue(line.endsWith(" s after injection"), line);
    }
    // stuck-sensor forbids SAF-01 on chiller-02, site-outage FLT-01 at plant-a
    assertTrue(r.output().contains("PASSED: 9 of 9 expected incidents appeared, no forbidden incident (2 watched)"),
        r.output());
  }

  /** Copies the shipped catalogue into {@code dir}, with the SAF-05 chiller window and SEC-14 interval shortened. */
  private static void copyCatalogueWithShortWindows(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(CheckRun.POLICIES)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
    }
    replaceOnce(dir.resolve("saf-05-stuck-or-implausible-sensor.yaml"),
        "metric: supply_temp_c\n      window: PT10M\n", "metric: supply_temp_c\n      window: PT30S\n");
    replaceOnce(dir.resolve("sec-14-heartbeat-loss.yaml"), "expectedInterval: PT1M\n", "expectedInterval: PT15S\n");
  }

  /** Replaces text that must occur exactly once, so a changed catalogue fails here instead of testing nothing. */
  private static void replaceOnce(Path file, String from, String to) throws IOException {
    String text = Files.readString(file);
    int at = text.indexOf(from);
    if (at < 0 || text.indexOf(from, at + 1) >= 0) {
      throw new IllegalStateException(file + " no longer contains '" + from.strip() + "' exactly once");
    }
    Files.writeString(file, text.replace(from, to));
  }
}
