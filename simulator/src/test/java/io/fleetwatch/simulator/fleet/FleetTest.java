package io.fleetwatch.simulator.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.simulator.Signal;
import io.fleetwatch.simulator.SimulatedDevice;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FleetTest {

  @Test
  void normalSignalsOfAChillerStayInsideTheSafeEnvelope() {
    Signal supply = Signal.normalFor("chiller").get(0);
    assertEquals("supply_temp_c", supply.metric());
    // 6 standard deviations of noise on top of the cycle amplitude still inside [4, 12]
    double worst = supply.amplitude() + 6 * supply.noise();
    assertTrue(supply.baseline() - worst > 4.0 && supply.baseline() + worst < 12.0);
  }

  @Test
  void generatesSitesTimesDevicesWithUniqueIdsAndClassesRoundRobin() {
    List<SimulatedDevice> fleet = FleetGenerator.fromSpec("3x4:chiller,plc");

    assertEquals(12, fleet.size());
    assertEquals(12, fleet.stream().map(SimulatedDevice::deviceId).collect(Collectors.toSet()).size());
    assertEquals(Set.of("site-0001", "site-0002", "site-0003"),
        fleet.stream().map(SimulatedDevice::site).collect(Collectors.toSet()));
    assertEquals(6, fleet.stream().filter(d -> d.assetClass().equals("plc")).count());
    assertTrue(fleet.get(0).deviceId().matches("[A-Za-z0-9._-]{1,64}"));
  }

  @Test
  void rejectsAMalformedGenerateSpec() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FleetGenerator.fromSpec("10by3"));
    assertTrue(e.getMessage().contains("SITESxDEVICES"), e.getMessage());
  }

  @Test
  void baselineProfileUsesTheRegistryModelAndItsCurrentFirmware() {
    DeviceProfile ch400 = SimulatedDevice.of("plant-a", "chiller-11", "chiller", "CH-400", "acme").profile();
    DeviceProfile ch200 = SimulatedDevice.of("hq", "chiller-01", "chiller").profile();

    assertEquals("CH-400", ch400.model());
    assertEquals("3.2.0", ch400.firmware());
    assertEquals("CH-200", ch200.model());
    assertEquals("2.4.1", ch200.firmware());
    // one approved configuration per model: the same hash on every device of a model
    assertEquals(ch200.configHash(), SimulatedDevice.of("hq", "chiller-02", "chiller").profile().configHash());
    assertTrue(ch200.configHash().matches("sha256:[0-9a-f]{64}"), ch200.configHash());
  }
}
