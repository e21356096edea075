package io.fleetwatch.simulator;

import io.fleetwatch.simulator.fleet.DeviceProfile;
import java.util.List;
import java.util.Objects;

/**
 * One simulated device: where it is, what it is, the signals it reports on the telemetry channel and the
 * baseline it reports on the state channel.
 *
 * @param site site id
 * @param deviceId device id
 * @param assetClass asset class (selects the default signals and profile)
 * @param signals measurements reported in each telemetry message
 * @param profile healthy reported state
 */
public record SimulatedDevice(String site, String deviceId, String assetClass, List<Signal> signals,
    DeviceProfile profile) {
  public SimulatedDevice {
    Objects.requireNonNull(site, "site");
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(assetClass, "assetClass");
    signals = List.copyOf(signals);
    Objects.requireNonNull(profile, "profile");
  }

  /** A device of a known asset class with that class's normal signals and baseline profile. */
  public static SimulatedDevice of(String site, String deviceId, String assetClass) {
    return of(site, deviceId, assetClass, null, null);
  }

  /** As {@link #of(String, String, String)}, with the registry's model and vendor (null: the class default). */
  public static SimulatedDevice of(String site, String deviceId, String assetClass, String model, String vendor) {
    return new SimulatedDevice(site, deviceId, assetClass, Signal.normalFor(assetClass),
        DeviceProfile.baselineFor(assetClass, model, vendor));
  }
}
