package io.fleetwatch.app.demo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.app.cli.SimulateCommand;
import io.fleetwatch.avro.Asset;
import io.fleetwatch.simulator.SimulatedDevice;
import io.fleetwatch.simulator.Signal;
import io.fleetwatch.streams.policy.ApplicableCheck;
import io.fleetwatch.streams.policy.Envelope;
import io.fleetwatch.streams.policy.PolicyCatalogue;
import io.fleetwatch.streams.policy.PolicyLoader;
import io.fleetwatch.streams.registry.AssetRegistryFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The demo must show the scenario's incidents and nothing else: the normal signals of every simulated device
 * (cycle amplitude plus six standard deviations of noise) stay inside every envelope that applies to it.
 */
class DemoFleetConsistencyTest {

  @Test
  void normalSignalsOfTheDemoFleetStayInsideEveryApplicableEnvelope() throws Exception {
    List<Asset> assets = AssetRegistryFile.read(Path.of("..", "examples", "demo-fleet", "assets.yaml"));
    PolicyCatalogue catalogue = new PolicyLoader().loadCatalogue(Path.of("..", "policies"));
    List<String> problems = new ArrayList<>();
    int compared = 0;

    for (Asset asset : assets) {
      SimulatedDevice device = SimulateCommand.devicesOf(List.of(asset)).get(0);
      for (ApplicableCheck applicable : catalogue.checksFor(asset.getAssetClass(), asset.getSite(),
          asset.getDeviceId())) {
        if (!(applicable.check().rule() instanceof Envelope envelope)) {
          continue;
        }
        for (Signal signal : device.signals()) {
          if (!signal.metric().equals(envelope.metric())) {
            continue;
          }
          compared++;
          double spread = Math.abs(signal.amplitude()) + 6 * signal.noise();
          double low = signal.baseline() - spread;
          double high = signal.baseline() + spread;
          if (envelope.breaches(low) || envelope.breaches(high)) {
            problems.add(asset.getDeviceId() + " " + signal.metric() + " [" + low + ", " + high + "] breaches "
                + applicable.check().id());
          }
        }
      }
    }

    assertTrue(compared > 0, "no simulated signal is covered by an envelope: the check compares nothing");
    assertTrue(problems.isEmpty(), "normal demo signals breach envelopes: " + problems);
  }

  @Test
  void theDemoFaultTargetsAnEnvelopeThatApplies() throws Exception {
    List<Asset> assets = AssetRegistryFile.read(Path.of("..", "examples", "demo-fleet", "assets.yaml"));
    PolicyCatalogue catalogue = new PolicyLoader().loadCatalogue(Path.of("..", "policies"));
    Asset chiller = assets.stream().filter(a -> a.getDeviceId().equals("chiller-01")).findFirst().orElseThrow();

    boolean breached = catalogue.checksFor(chiller.getAssetClass(), chiller.getSite(), chiller.getDeviceId())
        .stream().map(c -> c.check().rule())
        .anyMatch(r -> r instanceof Envelope e && e.metric().equals("supply_temp_c") && e.breaches(15.0));
    assertTrue(breached, "the chiller-overheat scenario (15.0 °C) would not breach any envelope of chiller-01");
  }
}
