package io.fleetwatch.gateway.sparkplug;

import io.fleetwatch.gateway.sparkplug.proto.SparkplugB.DataType;
import io.fleetwatch.gateway.sparkplug.proto.SparkplugB.Payload;
import io.fleetwatch.gateway.sparkplug.proto.SparkplugB.Payload.Metric;

/** Sparkplug B payloads for tests, built with the generated protobuf classes. */
final class Payloads {
  static final long T0 = 1_764_100_000_000L;

  private Payloads() {}

  static Payload.Builder payload(long seq) {
    return Payload.newBuilder().setTimestamp(T0).setSeq(seq);
  }

  static Metric.Builder named(String name, long alias, DataType type) {
    return Metric.newBuilder().setName(name).setAlias(alias).setDatatype(type.getNumber());
  }

  static Metric.Builder aliased(long alias) {
    return Metric.newBuilder().setAlias(alias);
  }

  static Metric bdSeq(long value) {
    return Metric.newBuilder().setName("bdSeq").setDatatype(DataType.Int64.getNumber()).setLongValue(value).build();
  }

  /** NBIRTH with bdSeq and a rebirth control. */
  static byte[] nbirth(long bdSeq) {
    return payload(0).addMetrics(bdSeq(bdSeq))
        .addMetrics(named("Node Control/Rebirth", 0, DataType.Boolean).setBooleanValue(false))
        .addMetrics(named("Properties/Hardware Make", 1, DataType.String).setStringValue("acme"))
        .build().toByteArray();
  }

  /** DBIRTH declaring supply_temp_c (alias 10, Double), running (11, Boolean), mode (12, String), count (13, UInt32). */
  static byte[] dbirth(long seq) {
    return payload(seq)
        .addMetrics(named("supply_temp_c", 10, DataType.Double).setDoubleValue(6.5))
        .addMetrics(named("running", 11, DataType.Boolean).setBooleanValue(true))
        .addMetrics(named("mode", 12, DataType.String).setStringValue("auto"))
        .addMetrics(named("count", 13, DataType.UInt32).setIntValue(7))
        .build().toByteArray();
  }

  /** DDATA by alias: supply_temp_c and running. */
  static byte[] ddata(long seq, double temperature, boolean running) {
    return payload(seq)
        .addMetrics(aliased(10).setDoubleValue(temperature))
        .addMetrics(aliased(11).setBooleanValue(running))
        .build().toByteArray();
  }
}
