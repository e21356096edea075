package io.fleetwatch.bench;

import io.fleetwatch.gateway.sparkplug.proto.SparkplugB.DataType;
import io.fleetwatch.gateway.sparkplug.proto.SparkplugB.Payload;
import io.fleetwatch.gateway.sparkplug.proto.SparkplugB.Payload.Metric;
import java.util.List;

/**
 * The Sparkplug B messages of the ingest benchmark's edge nodes: each publisher connection is one edge node
 * ({@code edge<connection>}) with its devices behind it, born by an NBIRTH and a DBIRTH per device, then reporting
 * DDATA of {@value #METRICS} numeric metrics by alias.
 *
 * <p>The per-device sequence number the {@link SequenceLedger} counts travels as the metric {@value #SEQ_METRIC}
 * (Sparkplug's own 0-255 {@code seq} is per edge node and does not reach the contract). A DBIRTH declares it with a
 * null value, so a birth's telemetry carries no sequence number and is not counted.
 */
public final class SparkplugPayloads {
  /** Metric carrying the per-device sequence number. */
  public static final String SEQ_METRIC = "bench_seq";
  /** Metrics in every DDATA. */
  public static final int METRICS = 10;

  /** The device metrics, in alias order (alias = index + 1); the first is {@value #SEQ_METRIC}. */
  private static final List<Declared> DEVICE_METRICS = List.of(
      new Declared(SEQ_METRIC, DataType.UInt64),
      new Declared("supply_temp_c", DataType.Double),
      new Declared("return_temp_c", DataType.Double),
      new Declared("pressure_kpa", DataType.Float),
      new Declared("flow_l_min", DataType.Float),
      new Declared("power_kw", DataType.Double),
      new Declared("speed_rpm", DataType.Int32),
      new Declared("vibration_mm_s", DataType.Float),
      new Declared("running", DataType.Boolean),
      new Declared("run_hours", DataType.UInt32));

  private record Declared(String name, DataType type) {}

  private SparkplugPayloads() {}

  /** Edge node id of a publisher connection. */
  public static String edgeNode(int connection) {
    return "edge" + connection;
  }

  /** Contract device id the gateway gives device {@code device} of connection {@code connection}. */
  public static String deviceId(int connection, int device) {
    return edgeNode(connection) + "." + SequencePublisher.Load.deviceId(connection, device);
  }

  /** MQTT topic of a message of the edge node ({@code device} &lt; 0) or of one of its devices. */
  public static String topic(String group, String type, int connection, int device) {
    return "spBv1.0/" + group + "/" + type + "/" + edgeNode(connection)
        + (device < 0 ? "" : "/" + SequencePublisher.Load.deviceId(connection, device));
  }

  /**
   * Sparkplug seq of an edge node's {@code index}-th DDATA (from 0): it counts every message of the node, NBIRTH (0)
   * and the DBIRTHs of its {@code devices} devices (1 .. devices) first, modulo 256.
   */
  public static int dataSeq(int devices, long index) {
    return (int) ((devices + 1 + index) % 256);
  }

  /** NBIRTH (Sparkplug seq 0): {@code bdSeq} and {@code Node Control/Rebirth}. */
  public static byte[] nodeBirth(long ts, long bdSeq) {
    return Payload.newBuilder().setTimestamp(ts).setSeq(0)
        .addMetrics(Metric.newBuilder().setName("bdSeq").setDatatype(DataType.UInt64_VALUE).setLongValue(bdSeq))
        .addMetrics(Metric.newBuilder().setName("Node Control/Rebirth").setDatatype(DataType.Boolean_VALUE)
            .setBooleanValue(false))
        .build().toByteArray();
  }

  /** NDEATH, the edge node's will. */
  public static byte[] nodeDeath(long bdSeq) {
    return Payload.newBuilder()
        .addMetrics(Metric.newBuilder().setName("bdSeq").setDatatype(DataType.UInt64_VALUE).setLongValue(bdSeq))
        .build().toByteArray();
  }

  /** DBIRTH: every metric by name, alias and datatype, with the values of sequence number 0 but a null sequence. */
  public static byte[] deviceBirth(long ts, int sparkplugSeq) {
    Payload.Builder payload = Payload.newBuilder().setTimestamp(ts).setSeq(sparkplugSeq);
    for (int i = 0; i < DEVICE_METRICS.size(); i++) {
      Declared d = DEVICE_METRICS.get(i);
      Metric.Builder metric = Metric.newBuilder().setName(d.name()).setAlias(i + 1).setDatatype(d.type().getNumber());
      payload.addMetrics(i == 0 ? metric.setIsNull(true) : value(metric, d.type(), i, 0));
    }
    return payload.build().toByteArray();
  }

  /** DDATA: the {@value #METRICS} metrics by alias only, {@value #SEQ_METRIC} = {@code seq}. */
  public static byte[] deviceData(long ts, int sparkplugSeq, long seq) {
    Payload.Builder payload = Payload.newBuilder().setTimestamp(ts).setSeq(sparkplugSeq);
    for (int i = 0; i < DEVICE_METRICS.size(); i++) {
      payload.addMetrics(value(Metric.newBuilder().setAlias(i + 1), DEVICE_METRICS.get(i).type(), i, seq));
    }
    return payload.build().toByteArray();
  }

  /** Metric {@code index}'s value for sequence number {@code seq}: the number itself for the first, then varied. */
  private static Metric.Builder value(Metric.Builder metric, DataType type, int index, long seq) {
    switch (type) {
      case UInt64:
        return metric.setLongValue(seq);
      case UInt32:
      case Int32:
        return metric.setIntValue((int) (1000 * index + seq % 1000));
      case Float:
        return metric.setFloatValue(index + (seq % 100) / 10f);
      case Double:
        return metric.setDoubleValue(index * 10 + (seq % 1000) / 100.0);
      case Boolean:
        return metric.setBooleanValue(seq % 2 == 0);
      default:
        throw new IllegalArgumentException("no bench value of type " + type);
    }
  }
}
