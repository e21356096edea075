package io.fleetwatch.simulator;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalDouble;

/** A fault injected into the simulated fleet. */
public sealed interface Scenario permits Scenario.ValueFault {

  /** Value that replaces the normal reading of {@code metric} on {@code deviceId} at {@code elapsed}, if any. */
  OptionalDouble override(String deviceId, String metric, Duration elapsed);

  /** Human-readable description, including the incident it should cause. */
  String describe();

  /**
   * A measurement forced to {@code faultValue} during {@code [startAfter, startAfter + faultFor)} of every
   * {@code period} (or once when period is zero): e.g. a chiller overheating then recovering.
   */
  record ValueFault(String name, String deviceId, String metric, double faultValue, Duration startAfter,
      Duration faultFor, Duration period, String expectedIncident) implements Scenario {

    public ValueFault {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(deviceId, "deviceId");
      Objects.requireNonNull(metric, "metric");
      if (faultFor.isNegative() || faultFor.isZero()) {
        throw new IllegalArgumentException("faultFor must be positive");
      }
      if (!period.isZero() && period.compareTo(startAfter.plus(faultFor)) < 0) {
        throw new IllegalArgumentException("period must be zero or at least startAfter + faultFor");
      }
    }

    /**
     * The demo's fault: the chiller's supply temperature rises to 15 °C (envelope 4..12 °C) for 20 s, then
     * recovers, every two minutes. Expected: SAF-01 opens on the device, then resolves.
     */
    public static ValueFault chillerOverheat(String deviceId) {
      return new ValueFault("chiller-overheat", deviceId, "supply_temp_c", 15.0, Duration.ofSeconds(10),
          Duration.ofSeconds(20), Duration.ofMinutes(2), "SAF-01 on " + deviceId + " opens, then resolves");
    }

    @Override
    public OptionalDouble override(String device, String m, Duration elapsed) {
      if (!deviceId.equals(device) || !metric.equals(m)) {
        return OptionalDouble.empty();
      }
      long t = elapsed.toMillis();
      if (!period.isZero()) {
        t %= period.toMillis();
      }
      long start = startAfter.toMillis();
      return t >= start && t < start + faultFor.toMillis() ? OptionalDouble.of(faultValue) : OptionalDouble.empty();
    }

    @Override
    public String describe() {
      return name + ": " + deviceId + " " + metric + "=" + faultValue + " for " + faultFor.toSeconds() + "s after "
          + startAfter.toSeconds() + "s" + (period.isZero() ? "" : ", every " + period.toSeconds() + "s")
          + "; expected: " + expectedIncident;
    }
  }
}
