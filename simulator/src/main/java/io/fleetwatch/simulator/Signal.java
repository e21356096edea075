package io.fleetwatch.simulator;

import java.util.List;

/**
 * A measured quantity around a baseline: {@code baseline + amplitude * sin(2π t / period) + noise}. The defaults
 * per asset class stay well inside the shipped safety envelopes, so only scenarios cause incidents.
 *
 * @param metric measurement name as reported in the payload
 * @param baseline mean value
 * @param amplitude amplitude of the slow cycle
 * @param periodSeconds period of the slow cycle
 * @param noise standard deviation of the Gaussian noise
 */
public record Signal(String metric, double baseline, double amplitude, double periodSeconds, double noise) {

  /** Value at {@code elapsedSeconds} with a standard-normal draw {@code gaussian}. */
  public double valueAt(double elapsedSeconds, double gaussian) {
    double cycle = periodSeconds > 0 ? amplitude * Math.sin(2 * Math.PI * elapsedSeconds / periodSeconds) : 0.0;
    return baseline + cycle + noise * gaussian;
  }

  /** Normal operating signals of an asset class; an unknown class reports a generic temperature. */
  public static List<Signal> normalFor(String assetClass) {
    return switch (assetClass) {
      case "chiller" -> List.of(
          new Signal("supply_temp_c", 7.0, 0.8, 600, 0.15),
          new Signal("return_temp_c", 12.0, 0.8, 600, 0.2),
          new Signal("power_kw", 85.0, 10.0, 900, 1.5));
      case "boiler" -> List.of(
          new Signal("pressure_kpa", 180.0, 20.0, 900, 3.0),
          new Signal("water_temp_c", 70.0, 3.0, 900, 0.3));
      case "elevator-controller" -> List.of(
          new Signal("motor_temp_c", 45.0, 5.0, 1200, 0.5),
          new Signal("door_cycles_per_min", 3.0, 1.5, 300, 0.3));
      case "meter" -> List.of(
          new Signal("power_kw", 120.0, 30.0, 1800, 3.0),
          new Signal("voltage_v", 230.0, 2.0, 600, 0.5));
      case "plc" -> List.of(
          new Signal("cpu_load_pct", 35.0, 10.0, 600, 2.0),
          new Signal("cabinet_temp_c", 32.0, 2.0, 1800, 0.2));
      default -> List.of(new Signal("temperature_c", 25.0, 1.0, 600, 0.2));
    };
  }
}
