package io.fleetwatch.simulator.scenario;

import io.fleetwatch.simulator.SimulatedDevice;
import java.util.List;
import java.util.Objects;

/** What a scenario step acts on: one device, every device of a site, or the first device of an asset class. */
public sealed interface Target permits Target.Device, Target.Site, Target.FirstOfClass {

  /** The devices of {@code fleet} this target denotes; empty when none matches. */
  List<SimulatedDevice> resolve(List<SimulatedDevice> fleet);

  /** Whether incidents expected for this target are per site (rather than per device). */
  default boolean siteWide() {
    return false;
  }

  /** One device by id. */
  record Device(String deviceId) implements Target {
    public Device {
      Objects.requireNonNull(deviceId, "deviceId");
    }

    @Override
    public List<SimulatedDevice> resolve(List<SimulatedDevice> fleet) {
      return fleet.stream().filter(d -> d.deviceId().equals(deviceId)).limit(1).toList();
    }

    @Override
    public String toString() {
      return "device " + deviceId;
    }
  }

  /** Every device of a site. */
  record Site(String site) implements Target {
    public Site {
      Objects.requireNonNull(site, "site");
    }

    @Override
    public List<SimulatedDevice> resolve(List<SimulatedDevice> fleet) {
      return fleet.stream().filter(d -> d.site().equals(site)).toList();
    }

    @Override
    public boolean siteWide() {
      return true;
    }

    @Override
    public String toString() {
      return "site " + site;
    }
  }

  /** The first device of an asset class (in fleet order), optionally within one site: for generated fleets. */
  record FirstOfClass(String assetClass, String site) implements Target {
    public FirstOfClass {
      Objects.requireNonNull(assetClass, "assetClass");
    }

    @Override
    public List<SimulatedDevice> resolve(List<SimulatedDevice> fleet) {
      return fleet.stream().filter(d -> d.assetClass().equals(assetClass))
          .filter(d -> site == null || d.site().equals(site)).limit(1).toList();
    }

    @Override
    public String toString() {
      return "first " + assetClass + (site == null ? "" : " of site " + site);
    }
  }
}
