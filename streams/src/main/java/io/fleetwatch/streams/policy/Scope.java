package io.fleetwatch.streams.policy;

import java.util.Objects;
import java.util.Set;

/**
 * Which assets a check applies to. Each dimension is a set of accepted values; an empty set accepts
 * everything. A scope with all three empty is <em>unscoped</em>: it applies to every asset and is the only
 * kind of check evaluated for devices that are not in the asset registry.
 *
 * @param assetClasses accepted asset classes
 * @param sites accepted site ids
 * @param devices accepted device ids
 */
public record Scope(Set<String> assetClasses, Set<String> sites, Set<String> devices) {
  public static final Scope ALL = new Scope(Set.of(), Set.of(), Set.of());

  public Scope {
    assetClasses = Set.copyOf(Objects.requireNonNull(assetClasses, "assetClasses"));
    sites = Set.copyOf(Objects.requireNonNull(sites, "sites"));
    devices = Set.copyOf(Objects.requireNonNull(devices, "devices"));
  }

  /** Whether the scope accepts every asset (and therefore unregistered devices too). */
  public boolean isUnscoped() {
    return assetClasses.isEmpty() && sites.isEmpty() && devices.isEmpty();
  }

  /** Whether a registered asset is in scope. */
  public boolean matches(String assetClass, String site, String deviceId) {
    return accepts(assetClasses, assetClass) && accepts(sites, site) && accepts(devices, deviceId);
  }

  /** Whether a registered asset is in scope on the site and device dimensions only. */
  boolean matchesSiteAndDevice(String site, String deviceId) {
    return accepts(sites, site) && accepts(devices, deviceId);
  }

  private static boolean accepts(Set<String> accepted, String value) {
    return accepted.isEmpty() || accepted.contains(value);
  }
}
