package io.fleetwatch.gateway.sparkplug;

import io.fleetwatch.gateway.sparkplug.proto.SparkplugB;
import java.util.HashMap;
import java.util.Map;

/**
 * The metrics one birth (NBIRTH or DBIRTH) declared for an edge node or device: name, alias and datatype of each.
 * Later DATA messages name their metrics by alias (or by name) and are resolved against it. Immutable.
 */
final class MetricTable {

  /** One declared metric. */
  record Metric(String name, int datatype) {}

  private final long birthTimestamp;
  private final Map<Long, Metric> byAlias;
  private final Map<String, Metric> byName;

  private MetricTable(long birthTimestamp, Map<Long, Metric> byAlias, Map<String, Metric> byName) {
    this.birthTimestamp = birthTimestamp;
    this.byAlias = Map.copyOf(byAlias);
    this.byName = Map.copyOf(byName);
  }

  /**
   * The table a birth payload declares.
   *
   * @throws IllegalArgumentException when a metric has no name or an alias is declared twice
   */
  static MetricTable of(SparkplugB.Payload birth) {
    Map<Long, Metric> byAlias = new HashMap<>();
    Map<String, Metric> byName = new HashMap<>();
    for (SparkplugB.Payload.Metric m : birth.getMetricsList()) {
      if (!m.hasName() || m.getName().isEmpty()) {
        throw new IllegalArgumentException("a birth metric has no name" + (m.hasAlias() ? " (alias " + m.getAlias()
            + ")" : ""));
      }
      Metric metric = new Metric(m.getName(), m.getDatatype());
      byName.put(m.getName(), metric);
      if (m.hasAlias() && byAlias.put(m.getAlias(), metric) != null) {
        throw new IllegalArgumentException("alias " + m.getAlias() + " is declared twice in the birth");
      }
    }
    return new MetricTable(birth.getTimestamp(), byAlias, byName);
  }

  /** The birth's payload timestamp (0 when it had none): which of two births of a scope is the newer. */
  long birthTimestamp() {
    return birthTimestamp;
  }

  Metric byAlias(long alias) {
    return byAlias.get(alias);
  }

  Metric byName(String name) {
    return byName.get(name);
  }
}
