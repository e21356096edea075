package io.fleetwatch.simulator;

import java.util.List;
import java.util.Objects;

/**
 * One simulated device: where it is, what it is, and the signals it reports on the telemetry channel.
 *
 * @param site site id
 * @param deviceId device id
 * @param assetClass asset class (selects the default signals)
 * @param signals measurements reported in each telemetry message
 */
public record SimulatedDevice(String site, String deviceId, String assetClass, List<Signal> signals) {
  public SimulatedDevice {
    Objects.requireNonNull(site, "site");
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(assetClass, "assetClass");
    signals = List.copyOf(signals);
  }

  /** A device of a known asset class with that class's normal signals. */
  public static SimulatedDevice of(String site, String deviceId, String assetClass) {
    return new SimulatedDevice(site, deviceId, assetClass, Signal.normalFor(assetClass));
  }
}
