package io.fleetwatch.simulator.scenario;

import io.fleetwatch.simulator.fleet.DeviceProfile;
import java.util.ArrayList;
import java.util.List;

/**
 * Reported-state fields a scenario changes; null fields keep the device's value. {@code addPorts} and
 * {@code addComponents} extend the device's lists instead of replacing them.
 */
public record StateChange(String model, String vendor, String firmware, String configHash, List<Integer> openPorts,
    List<Integer> addPorts, String tls, String securityState, String mode, List<String> components,
    List<String> addComponents) {

  public StateChange {
    openPorts = openPorts == null ? null : List.copyOf(openPorts);
    addPorts = addPorts == null ? List.of() : List.copyOf(addPorts);
    components = components == null ? null : List.copyOf(components);
    addComponents = addComponents == null ? List.of() : List.copyOf(addComponents);
  }

  /** The profile with this change applied. */
  public DeviceProfile applyTo(DeviceProfile p) {
    List<Integer> ports = new ArrayList<>(openPorts == null ? p.openPorts() : openPorts);
    addPorts.stream().filter(port -> !ports.contains(port)).forEach(ports::add);
    List<String> purls = new ArrayList<>(components == null ? p.components() : components);
    addComponents.stream().filter(c -> !purls.contains(c)).forEach(purls::add);
    return new DeviceProfile(or(model, p.model()), or(vendor, p.vendor()), or(firmware, p.firmware()),
        or(configHash, p.configHash()), ports, or(tls, p.tls()), or(securityState, p.securityState()),
        or(mode, p.mode()), purls);
  }

  private static String or(String changed, String current) {
    return changed == null ? current : changed;
  }
}
