package io.fleetwatch.app.demo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.app.cli.SimulateCommand;
import io.fleetwatch.avro.Asset;
import io.fleetwatch.avro.DeviceModel;
import io.fleetwatch.simulator.SimulatedDevice;
import io.fleetwatch.simulator.Signal;
import io.fleetwatch.simulator.fleet.DeviceProfile;
import io.fleetwatch.streams.policy.ApplicableCheck;
import io.fleetwatch.streams.policy.Envelope;
import io.fleetwatch.streams.policy.PolicyCatalogue;
import io.fleetwatch.streams.policy.PolicyLoader;
import io.fleetwatch.streams.policy.Version;
import io.fleetwatch.streams.registry.AssetRegistryFile;
import io.fleetwatch.streams.registry.Registry;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The demo must show the scenario's incidents and nothing else: the normal signals of every simulated device
 * (cycle amplitude plus six standard deviations of noise) stay inside every envelope that applies to it, and the
 * healthy firmware of every simulated device meets its model's minimum in the registry (SEC-05, SEC-06 at rest).
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
  void everyDemoModelHasAMinimumAndASupportEndThatItsHealthySimulatedDevicesMeet() throws Exception {
    Registry registry = AssetRegistryFile.readRegistry(Path.of("..", "examples", "demo-fleet", "assets.yaml"));
    Map<String, DeviceModel> models = new HashMap<>();
    registry.models().forEach(m -> models.put(m.getModel(), m));
    List<String> problems = new ArrayList<>();

    for (Asset asset : registry.assets()) {
      DeviceModel model = models.get(asset.getModel());
      if (model == null || model.getMinimumFirmware() == null || model.getSupportEndsOn() == null) {
        problems.add(asset.getDeviceId() + ": model " + asset.getModel() + " lacks minimumFirmware/supportEndsOn");
        continue;
      }
      String firmware = DeviceProfile.baselineFor(asset.getAssetClass(), asset.getModel(), asset.getVendor())
          .firmware();
      if (Version.parse(firmware).compareTo(Version.parse(model.getMinimumFirmware())) < 0) {
        problems.add(asset.getDeviceId() + ": healthy firmware " + firmware + " below the registry minimum "
            + model.getMinimumFirmware() + " (SEC-05 at rest)");
      }
      if (!model.getSupportEndsOn().isAfter(LocalDate.now(ZoneOffset.UTC))) {
        problems.add(asset.getDeviceId() + ": model support ends " + model.getSupportEndsOn() + " (SEC-06 at rest)");
      }
    }
    assertTrue(problems.isEmpty(), "the demo registry and the simulated fleet disagree: " + problems);
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
