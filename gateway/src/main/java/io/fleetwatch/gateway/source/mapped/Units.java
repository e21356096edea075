package io.fleetwatch.gateway.source.mapped;

import java.util.Map;
import java.util.TreeMap;

/**
 * Linear unit conversions for declarative mappings, by SenML unit symbol (RFC 8428 section 12.1, plus the common
 * decimal multiples and a few non-SI units vendor gateways report): temperature {@code Cel}, {@code K}, {@code degF};
 * pressure {@code Pa}, {@code hPa}, {@code kPa}, {@code MPa}, {@code mbar}, {@code bar}, {@code psi}; and length,
 * energy, power, voltage, current, time, volume flow and ratio. A conversion is between two units of one dimension.
 */
public final class Units {
  private static final Map<String, Unit> UNITS = new TreeMap<>();

  static {
    unit("temperature", 1, 0, "K");
    unit("temperature", 1, 273.15, "Cel");
    unit("temperature", 5.0 / 9.0, 459.67 * 5.0 / 9.0, "degF");
    unit("pressure", 1, 0, "Pa");
    unit("pressure", 100, 0, "hPa");
    unit("pressure", 1_000, 0, "kPa");
    unit("pressure", 1_000_000, 0, "MPa");
    unit("pressure", 100, 0, "mbar");
    unit("pressure", 100_000, 0, "bar");
    unit("pressure", 6_894.757293168, 0, "psi");
    unit("length", 1, 0, "m");
    unit("length", 0.001, 0, "mm");
    unit("length", 0.01, 0, "cm");
    unit("length", 1_000, 0, "km");
    unit("length", 0.0254, 0, "in");
    unit("length", 0.3048, 0, "ft");
    unit("energy", 1, 0, "J");
    unit("energy", 1_000, 0, "kJ");
    unit("energy", 3_600, 0, "Wh");
    unit("energy", 3_600_000, 0, "kWh");
    unit("power", 1, 0, "W");
    unit("power", 1_000, 0, "kW");
    unit("power", 1_000_000, 0, "MW");
    unit("voltage", 1, 0, "V");
    unit("voltage", 0.001, 0, "mV");
    unit("voltage", 1_000, 0, "kV");
    unit("current", 1, 0, "A");
    unit("current", 0.001, 0, "mA");
    unit("time", 1, 0, "s");
    unit("time", 0.001, 0, "ms");
    unit("time", 60, 0, "min");
    unit("time", 3_600, 0, "h");
    unit("volume flow", 1, 0, "m3/s");
    unit("volume flow", 1.0 / 3_600, 0, "m3/h");
    unit("volume flow", 0.001, 0, "l/s");
    unit("volume flow", 0.001 / 60, 0, "l/min");
    unit("ratio", 1, 0, "/");
    unit("ratio", 0.01, 0, "%");
  }

  private Units() {}

  private static void unit(String dimension, double factor, double offset, String symbol) {
    UNITS.put(symbol, new Unit(dimension, factor, offset));
  }

  /** The known unit symbols, sorted. */
  public static String known() {
    return String.join(", ", UNITS.keySet());
  }

  /** Whether {@code symbol} is a known unit. */
  public static boolean isKnown(String symbol) {
    return UNITS.containsKey(symbol);
  }

  /**
   * The conversion from one unit to another.
   *
   * @throws IllegalArgumentException when either is unknown or they measure different things
   */
  public static Conversion conversion(String from, String to) {
    Unit a = UNITS.get(from);
    Unit b = UNITS.get(to);
    if (a == null || b == null) {
      throw new IllegalArgumentException("unknown unit '" + (a == null ? from : to) + "'; known: " + known());
    }
    if (!a.dimension().equals(b.dimension())) {
      throw new IllegalArgumentException("cannot convert " + from + " (" + a.dimension() + ") to " + to + " ("
          + b.dimension() + ")");
    }
    return new Conversion(from, to, a.factor() / b.factor(), (a.offset() - b.offset()) / b.factor());
  }

  private record Unit(String dimension, double factor, double offset) {}

  /**
   * {@code to = from * factor + offset}.
   *
   * @param from source unit
   * @param to target unit
   * @param factor multiplier
   * @param offset addend
   */
  public record Conversion(String from, String to, double factor, double offset) {
    /** The value in the target unit. */
    public double apply(double value) {
      return value * factor + offset;
    }
  }
}
