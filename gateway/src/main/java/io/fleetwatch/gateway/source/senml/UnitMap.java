package io.fleetwatch.gateway.source.senml;

import io.fleetwatch.gateway.mapping.PayloadParser;
import io.fleetwatch.gateway.source.SourceFile;
import io.fleetwatch.schemas.yaml.YamlMap;
import io.fleetwatch.schemas.yaml.YamlValue;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The unit each metric is expected in, for checking SenML units at the gateway (which reads no registry): a YAML
 * file ({@code senml.units.file})
 *
 * <pre>
 * apiVersion: fleetwatch.io/v1
 * kind: MetricUnits
 * units:
 *   supply_temp_c: Cel      # SenML unit symbols (RFC 8428 section 12.1)
 *   pressure_kpa: kPa
 * </pre>
 *
 * A SenML record for a listed metric whose resolved unit differs is {@code SENML_UNIT_MISMATCH}; a record without
 * a unit, or for a metric the map does not list, is not checked. Immutable.
 */
public final class UnitMap {
  public static final String KIND = "MetricUnits";
  private static final UnitMap EMPTY = new UnitMap(Map.of());

  private final Map<String, String> units;

  private UnitMap(Map<String, String> units) {
    this.units = Map.copyOf(units);
  }

  /** A map that checks nothing. */
  public static UnitMap empty() {
    return EMPTY;
  }

  /** A map from metric name to expected SenML unit. */
  public static UnitMap of(Map<String, String> units) {
    return new UnitMap(units);
  }

  /**
   * Reads and validates a unit file.
   *
   * @throws io.fleetwatch.gateway.source.SourceFileException with every error as {@code file:line: field: why}
   */
  public static UnitMap read(Path path) {
    SourceFile file = new SourceFile();
    YamlValue root = file.read(path);
    Map<String, String> units = new LinkedHashMap<>();
    YamlMap top = root == null ? null : file.document(root, KIND, Set.of("apiVersion", "kind", "units"));
    if (top != null) {
      YamlValue list = top.entry("units");
      YamlMap entries = list == null ? null : file.mapping(list, Set.of());
      if (list == null) {
        file.missing(top, "units");
      }
      if (entries != null) {
        for (String metric : entries.keys()) {
          YamlValue unit = entries.entry(metric);
          if (metric.isEmpty() || metric.length() > PayloadParser.MAX_NAME_LENGTH) {
            file.error(unit, "metric names are 1-" + PayloadParser.MAX_NAME_LENGTH + " characters");
          }
          String text = file.text(unit);
          if (text != null) {
            units.put(metric, text);
          }
        }
      }
    }
    file.throwIfErrors();
    return new UnitMap(units);
  }

  /** The expected unit of a metric, or {@code null} when the map states none. */
  public String expected(String metric) {
    return units.get(metric);
  }

  /** Number of metrics listed. */
  public int size() {
    return units.size();
  }
}
