package io.fleetwatch.simulator.fleet;

import io.fleetwatch.simulator.SimulatedDevice;
import java.util.ArrayList;
import java.util.List;

/**
 * A synthetic fleet of {@code sites × devicesPerSite} devices named {@code site-0001/<class>-000001}, asset
 * classes assigned round robin, for load tests beyond the registry's demo fleet.
 */
public final class FleetGenerator {
  /** Asset classes the simulator has signals for. */
  public static final List<String> KNOWN_CLASSES = List.of("chiller", "boiler", "elevator-controller", "meter", "plc");

  private FleetGenerator() {
  }

  /**
   * Generates the fleet.
   *
   * @param sites number of sites (>= 1)
   * @param devicesPerSite devices per site (>= 1)
   * @param assetClasses classes to cycle through (not empty)
   */
  public static List<SimulatedDevice> generate(int sites, int devicesPerSite, List<String> assetClasses) {
    if (sites < 1 || devicesPerSite < 1) {
      throw new IllegalArgumentException("a generated fleet needs >= 1 site and >= 1 device per site, got "
          + sites + " x " + devicesPerSite);
    }
    if (assetClasses.isEmpty()) {
      throw new IllegalArgumentException("a generated fleet needs at least one asset class");
    }
    List<SimulatedDevice> devices = new ArrayList<>(sites * devicesPerSite);
    int n = 0;
    for (int s = 1; s <= sites; s++) {
      String site = String.format("site-%04d", s);
      for (int d = 0; d < devicesPerSite; d++) {
        String assetClass = assetClasses.get(n % assetClasses.size());
        n++;
        devices.add(SimulatedDevice.of(site, String.format("%s-%06d", assetClass, n), assetClass));
      }
    }
    return devices;
  }

  /**
   * Parses {@code SITESxDEVICES} (e.g. {@code 10x100}) with an optional {@code :class,class} suffix.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static List<SimulatedDevice> fromSpec(String spec) {
    String[] parts = spec.split(":", 2);
    String[] size = parts[0].split("x", -1);
    if (size.length != 2) {
      throw new IllegalArgumentException("--generate expects SITESxDEVICES[:class,...], e.g. 10x100, got '" + spec + "'");
    }
    int sites;
    int perSite;
    try {
      sites = Integer.parseInt(size[0]);
      perSite = Integer.parseInt(size[1]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--generate expects SITESxDEVICES with whole numbers, got '" + spec + "'");
    }
    List<String> classes = parts.length > 1 ? List.of(parts[1].split(",")) : KNOWN_CLASSES;
    return generate(sites, perSite, classes);
  }
}
