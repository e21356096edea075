package io.fleetwatch.gateway.sparkplug;

import com.google.protobuf.InvalidProtocolBufferException;
import io.fleetwatch.avro.DeadLetterReason;
import io.fleetwatch.avro.DeviceEvent;
import io.fleetwatch.avro.DeviceState;
import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.schemas.DeviceChannel;
import io.fleetwatch.gateway.mapping.ParseResult;
import io.fleetwatch.gateway.sparkplug.SparkplugTopic.MessageType;
import io.fleetwatch.gateway.sparkplug.proto.SparkplugB;
import io.fleetwatch.gateway.sparkplug.proto.SparkplugB.Payload;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Sparkplug B messages to fleetwatch contract records, with the birth state that resolving them needs.
 *
 * <p>Input: MQTT topic {@code spBv1.0/{group}/{type}/{edge node}[/{device}]}, the protobuf payload and the receive
 * time. Output: {@link Decoded} records, in order, and the births to persist (see {@link #restore}):
 * <ul>
 *   <li>NBIRTH / DBIRTH: declare the metrics (name, alias, datatype) of the edge node / device; yield a
 *   {@code DeviceState} (vendor, model, firmware from the {@code Properties/Hardware Make}, {@code Properties/Hardware
 *   Model}, {@code Properties/FW} metrics when present) and a {@code Telemetry} of the numeric values the birth
 *   carries. An NBIRTH ends the node's earlier session: its devices must be born again.</li>
 *   <li>NDATA / DDATA: a {@code Telemetry} of the numeric and boolean (0/1) metrics, aliases resolved against the
 *   birth; metrics of other types (string, text, UUID, date-time, bytes, file, data set, template, arrays) and
 *   non-finite numbers are dead-lettered together as {@code SPARKPLUG_UNSUPPORTED_TYPE} (the rest is forwarded).</li>
 *   <li>NDEATH / DDEATH: a {@code DeviceEvent} of type {@code offline} ({@code sparkplug=NDEATH|DDEATH}); an NDEATH
 *   also for every device born behind the node. An NDEATH whose {@code bdSeq} is not the current NBIRTH's is the
 *   will of an earlier session: dead-lettered as {@code SPARKPLUG_SEQUENCE_GAP}, the node stays online.</li>
 *   <li>NCMD / DCMD (seen on the broker, sent by a host application): a {@code DeviceEvent} of type {@code command}
 *   whose attributes are the command's metric names with their values as text.</li>
 * </ul>
 * Reported problems, each a dead letter with its own reason: undecodable protobuf {@code SPARKPLUG_MALFORMED}; data,
 * a DBIRTH or a DDEATH of an edge node or device with no birth {@code SPARKPLUG_NO_BIRTH}; an alias (or name) the birth
 * did not declare {@code SPARKPLUG_UNKNOWN_ALIAS} (the whole message: a rebirth is needed); a {@code seq} that does not
 * follow the previous message of the edge node (0-255, wrapping) {@code SPARKPLUG_SEQUENCE_GAP}, <em>in addition</em>
 * to the message's own records (the data is still forwarded; the dead letter keeps the payload and names the expected
 * and the received seq). Metric names are kept as declared in the birth; {@code bdSeq} and the {@code Node Control/},
 * {@code Device Control/} and {@code Properties/} metrics are protocol metrics and never telemetry. Sparkplug's
 * 0-255 {@code seq} is not the contract's per-device {@code seq} (left empty). Never throws; thread-safe.
 */
public final class SparkplugDecoder {
  /** Event type of NDEATH / DDEATH. */
  public static final String OFFLINE_EVENT = "offline";
  /** Event type of NCMD / DCMD. */
  public static final String COMMAND_EVENT = "command";
  /** Event attribute naming the Sparkplug message type of an offline event. */
  public static final String TYPE_ATTRIBUTE = "sparkplug";

  /** One birth to keep: the scope key ({@code group/edge node[/device]}) and the birth payload as received. */
  public record Birth(String scopeKey, byte[] payload) {}

  /** What one message stands for: contract records and rejections in order, and the births it declared. */
  public record Decoded(List<ParseResult> records, List<Birth> births) {}

  private final SparkplugIdentity identity;
  private final int maxPayloadBytes;
  private final long maxFutureSkewMillis;
  /** Metric tables by scope key; guarded by this. */
  private final Map<String, MetricTable> tables = new HashMap<>();
  /** Last seq of each edge node by node key, while known; guarded by this. */
  private final Map<String, Long> lastSeq = new HashMap<>();
  /** bdSeq of each edge node's current NBIRTH by node key; guarded by this. */
  private final Map<String, Long> bdSeq = new HashMap<>();

  /**
   * @param identity site and device id of groups, edge nodes and devices
   * @param maxPayloadBytes larger payloads are dead-lettered ({@code OVERSIZE})
   * @param maxFutureSkew how far a payload timestamp may be ahead of the receive time
   */
  public SparkplugDecoder(SparkplugIdentity identity, int maxPayloadBytes, Duration maxFutureSkew) {
    this.identity = Objects.requireNonNull(identity, "identity");
    this.maxPayloadBytes = maxPayloadBytes;
    this.maxFutureSkewMillis = maxFutureSkew.toMillis();
  }

  /** Decodes one message; never throws, never returns no record. */
  public Decoded decode(String topic, byte[] payload, long receivedAt) {
    try {
      return decodeOrThrow(topic, payload == null ? new byte[0] : payload, receivedAt);
    } catch (RuntimeException e) {
      return rejected(DeadLetterReason.SPARKPLUG_MALFORMED, "cannot decode the Sparkplug B message: " + e);
    }
  }

  private synchronized Decoded decodeOrThrow(String topic, byte[] bytes, long receivedAt) {
    if (bytes.length > maxPayloadBytes) {
      return rejected(DeadLetterReason.OVERSIZE, "payload of " + bytes.length + " bytes exceeds the limit of "
          + maxPayloadBytes);
    }
    SparkplugTopic t;
    SparkplugIdentity.Target target;
    try {
      t = SparkplugTopic.parse(topic);
    } catch (IllegalArgumentException e) {
      return rejected(DeadLetterReason.BAD_TOPIC, e.getMessage());
    }
    String badIdentity = null;
    try {
      target = identity.resolve(t);
    } catch (IllegalArgumentException e) {
      if (t.type() != MessageType.NBIRTH) {
        return rejected(DeadLetterReason.BAD_IDENTIFIER, e.getMessage());
      }
      // the node's own id is unusable, but its birth still declares the session its devices are born into
      target = null;
      badIdentity = e.getMessage();
    }
    Payload payload;
    try {
      payload = Payload.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      return rejected(DeadLetterReason.SPARKPLUG_MALFORMED, "not a Sparkplug B protobuf payload: " + e.getMessage());
    }
    long ts = payload.hasTimestamp() ? payload.getTimestamp() : receivedAt;
    if (ts < 0) {
      return rejected(DeadLetterReason.INVALID_TIMESTAMP, "payload timestamp " + Long.toUnsignedString(ts)
          + " is not an epoch-millisecond instant");
    }
    if (ts > receivedAt + maxFutureSkewMillis) {
      return rejected(DeadLetterReason.FUTURE_TIMESTAMP, "payload timestamp " + ts + " is more than "
          + maxFutureSkewMillis + " ms ahead of the receive time " + receivedAt);
    }
    Message m = new Message(t, target, payload, bytes, ts, receivedAt);
    switch (t.type()) {
      case NBIRTH:
        Decoded birth = nodeBirth(m);
        return badIdentity == null ? birth : new Decoded(
            List.of(new ParseResult.Rejected(DeadLetterReason.BAD_IDENTIFIER, badIdentity)), birth.births());
      case DBIRTH:
        return deviceBirth(m);
      case NDATA:
      case DDATA:
        return data(m);
      case NDEATH:
        return nodeDeath(m);
      case DDEATH:
        return deviceDeath(m);
      case NCMD:
      case DCMD:
        return command(m);
      default:
        return rejected(DeadLetterReason.BAD_TOPIC, "unhandled message type " + t.type());
    }
  }

  /** What a message carries once its topic, identity ({@code null}: unusable) and payload are known. */
  private record Message(SparkplugTopic topic, SparkplugIdentity.Target target, Payload payload, byte[] bytes,
      long ts, long receivedAt) {}

  private Decoded nodeBirth(Message m) {
    MetricTable table;
    try {
      table = MetricTable.of(m.payload());
    } catch (IllegalArgumentException e) {
      return rejected(DeadLetterReason.SPARKPLUG_MALFORMED, "NBIRTH: " + e.getMessage());
    }
    String node = m.topic().nodeKey();
    removeScopes(node, true); // a new session: the devices of the previous one must be born again
    tables.put(node, table);
    Long birthBdSeq = bdSeqOf(m.payload());
    if (birthBdSeq != null) {
      bdSeq.put(node, birthBdSeq);
    } else {
      bdSeq.remove(node);
    }
    if (m.payload().hasSeq()) {
      lastSeq.put(node, m.payload().getSeq());
    } else {
      lastSeq.remove(node);
    }
    return birthRecords(m, table, new ArrayList<>());
  }

  private Decoded deviceBirth(Message m) {
    String node = m.topic().nodeKey();
    if (!tables.containsKey(node)) {
      return rejected(DeadLetterReason.SPARKPLUG_NO_BIRTH, "DBIRTH of " + m.topic().scopeKey()
          + " before an NBIRTH of its edge node " + node);
    }
    MetricTable table;
    try {
      table = MetricTable.of(m.payload());
    } catch (IllegalArgumentException e) {
      return rejected(DeadLetterReason.SPARKPLUG_MALFORMED, "DBIRTH: " + e.getMessage());
    }
    List<ParseResult> records = new ArrayList<>();
    checkSeq(m, records);
    tables.put(m.topic().scopeKey(), table);
    return birthRecords(m, table, records);
  }

  private Decoded birthRecords(Message m, MetricTable table, List<ParseResult> records) {
    if (m.target() == null) {
      return new Decoded(records, List.of(new Birth(m.topic().scopeKey(), m.bytes())));
    }
    Map<String, String> properties = new HashMap<>();
    for (Payload.Metric metric : m.payload().getMetricsList()) {
      if (metric.getName().startsWith("Properties/") && metric.hasStringValue()) {
        properties.put(metric.getName(), metric.getStringValue());
      }
    }
    records.add(new ParseResult.Accepted(DeviceChannel.STATE, m.target().deviceId(), m.target().site(),
        DeviceState.newBuilder().setDeviceId(m.target().deviceId()).setSite(m.target().site())
            .setTs(Instant.ofEpochMilli(m.ts())).setReceivedAt(Instant.ofEpochMilli(m.receivedAt())).setSeq(null)
            .setVendor(properties.get("Properties/Hardware Make"))
            .setModel(properties.get("Properties/Hardware Model"))
            .setFirmware(properties.get("Properties/FW"))
            .setComponents(new ArrayList<>()).build()));
    addValues(m, values(m, table), records); // a birth declares its own metrics: none is unknown
    return new Decoded(records, List.of(new Birth(m.topic().scopeKey(), m.bytes())));
  }

  private Decoded data(Message m) {
    MetricTable table = tables.get(m.topic().scopeKey());
    if (table == null || (m.topic().device() != null && !tables.containsKey(m.topic().nodeKey()))) {
      return rejected(DeadLetterReason.SPARKPLUG_NO_BIRTH, m.topic().type() + " of " + m.topic().scopeKey()
          + " before its " + (m.topic().device() == null ? "NBIRTH" : "DBIRTH") + ": metrics cannot be resolved");
    }
    if (m.payload().getMetricsCount() == 0) {
      return rejected(DeadLetterReason.SPARKPLUG_MALFORMED, m.topic().type() + " carries no metrics");
    }
    List<ParseResult> records = new ArrayList<>();
    checkSeq(m, records);
    Values values = values(m, table);
    if (values.unknown != null) {
      records.add(new ParseResult.Rejected(DeadLetterReason.SPARKPLUG_UNKNOWN_ALIAS, values.unknown
          + " (not declared by the birth of " + m.topic().scopeKey() + "; a rebirth is needed)"));
      return new Decoded(records, List.of());
    }
    addValues(m, values, records);
    if (records.isEmpty()) {
      records.add(new ParseResult.Rejected(DeadLetterReason.SPARKPLUG_MALFORMED, m.topic().type()
          + " carries only null or protocol metrics"));
    }
    return new Decoded(records, List.of());
  }

  /** The telemetry of the numeric values and the dead letter of the unsupported ones, each when there are some. */
  private static void addValues(Message m, Values values, List<ParseResult> records) {
    if (!values.numbers.isEmpty()) {
      records.add(telemetry(m, values.numbers));
    }
    if (!values.unsupported.isEmpty()) {
      records.add(unsupported(m, values.unsupported));
    }
  }

  private Decoded nodeDeath(Message m) {
    String node = m.topic().nodeKey();
    Long deathBdSeq = bdSeqOf(m.payload());
    Long birthBdSeq = bdSeq.get(node);
    if (deathBdSeq != null && birthBdSeq != null && !deathBdSeq.equals(birthBdSeq)) {
      return rejected(DeadLetterReason.SPARKPLUG_SEQUENCE_GAP, "NDEATH of " + node + " with bdSeq " + deathBdSeq
          + " is not the death of the current session (NBIRTH bdSeq " + birthBdSeq + "); the node stays online");
    }
    List<ParseResult> records = new ArrayList<>();
    records.add(offline(m, m.target(), MessageType.NDEATH));
    String prefix = node + "/";
    for (String scope : List.copyOf(tables.keySet())) {
      if (scope.startsWith(prefix)) {
        String device = scope.substring(prefix.length());
        try {
          records.add(offline(m, identity.resolveDevice(m.topic().group(), m.topic().edgeNode(), device),
              MessageType.NDEATH));
        } catch (IllegalArgumentException e) {
          // its birth could not have been accepted under an invalid id; nothing to report for it
        }
      }
    }
    removeScopes(node, false);
    lastSeq.remove(node);
    bdSeq.remove(node);
    return new Decoded(records, List.of());
  }

  private Decoded deviceDeath(Message m) {
    List<ParseResult> records = new ArrayList<>();
    if (tables.containsKey(m.topic().nodeKey())) {
      checkSeq(m, records);
    }
    tables.remove(m.topic().scopeKey());
    records.add(offline(m, m.target(), MessageType.DDEATH));
    return new Decoded(records, List.of());
  }

  private Decoded command(Message m) {
    MetricTable table = tables.get(m.topic().scopeKey());
    Map<String, String> attributes = new LinkedHashMap<>();
    for (Payload.Metric metric : m.payload().getMetricsList()) {
      MetricTable.Metric declared = declared(metric, table);
      String name = metric.hasName() && !metric.getName().isEmpty() ? metric.getName()
          : declared != null ? declared.name() : null;
      if (name == null) {
        return rejected(DeadLetterReason.SPARKPLUG_UNKNOWN_ALIAS, m.topic().type() + " to " + m.topic().scopeKey()
            + " names alias " + metric.getAlias() + ", which no birth declared");
      }
      attributes.put(name, text(metric));
    }
    if (attributes.isEmpty()) {
      return rejected(DeadLetterReason.SPARKPLUG_MALFORMED, m.topic().type() + " carries no metrics");
    }
    return new Decoded(List.of(event(m, m.target(), COMMAND_EVENT, attributes)), List.of());
  }

  /**
   * Applies a birth read back from the metric-table topic (written by this or another gateway of the share group), so
   * data can be resolved without a rebirth. A birth older than the table in use is ignored. The edge node's seq is
   * unknown afterwards, so the first message after it is not checked for a gap.
   */
  public synchronized void restore(String scopeKey, byte[] birthPayload) {
    MetricTable table;
    try {
      table = MetricTable.of(Payload.parseFrom(birthPayload));
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      return; // only births this gateway accepted are written; anything else is not a table
    }
    MetricTable current = tables.get(scopeKey);
    if (current != null && current.birthTimestamp() >= table.birthTimestamp()) {
      return;
    }
    tables.put(scopeKey, table);
    String node = scopeKey.indexOf('/') == scopeKey.lastIndexOf('/') ? scopeKey
        : scopeKey.substring(0, scopeKey.lastIndexOf('/'));
    lastSeq.remove(node);
    if (node.equals(scopeKey)) {
      try {
        Long restoredBdSeq = bdSeqOf(Payload.parseFrom(birthPayload));
        if (restoredBdSeq != null) {
          bdSeq.put(node, restoredBdSeq);
        }
      } catch (InvalidProtocolBufferException e) {
        // parsed above
      }
    }
  }

  /** Scope keys with a metric table now (for tests and logs). */
  public synchronized int tables() {
    return tables.size();
  }

  private void removeScopes(String node, boolean devicesOnly) {
    String prefix = node + "/";
    Iterator<String> it = tables.keySet().iterator();
    while (it.hasNext()) {
      String scope = it.next();
      if (scope.startsWith(prefix) || (!devicesOnly && scope.equals(node))) {
        it.remove();
      }
    }
  }

  /** Adds a SEQUENCE_GAP dead letter when the message's seq does not follow the edge node's previous one. */
  private void checkSeq(Message m, List<ParseResult> records) {
    if (!m.payload().hasSeq()) {
      return;
    }
    String node = m.topic().nodeKey();
    long seq = m.payload().getSeq();
    Long last = lastSeq.put(node, seq);
    if (last != null) {
      long expected = (last + 1) % 256;
      if (seq != expected) {
        records.add(new ParseResult.Rejected(DeadLetterReason.SPARKPLUG_SEQUENCE_GAP, m.topic().type() + " of "
            + m.topic().scopeKey() + " has seq " + Long.toUnsignedString(seq) + ", expected " + expected
            + ": messages of edge node " + node + " were lost or reordered (this message itself was forwarded)"));
      }
    }
  }

  private static Long bdSeqOf(Payload payload) {
    for (Payload.Metric metric : payload.getMetricsList()) {
      if ("bdSeq".equals(metric.getName())) {
        return metric.hasLongValue() ? metric.getLongValue() : metric.hasIntValue()
            ? Integer.toUnsignedLong(metric.getIntValue()) : null;
      }
    }
    return null;
  }

  /** Numeric values of a message's metrics, the unsupported ones, or the first undeclared alias. */
  private static final class Values {
    final Map<String, Double> numbers = new LinkedHashMap<>();
    final List<String> unsupported = new ArrayList<>();
    String unknown;
  }

  private static Values values(Message m, MetricTable table) {
    Values values = new Values();
    for (Payload.Metric metric : m.payload().getMetricsList()) {
      MetricTable.Metric declared = declared(metric, table);
      if (declared == null) {
        values.unknown = metric.hasName() && !metric.getName().isEmpty() ? "metric '" + metric.getName() + "'"
            : "alias " + Long.toUnsignedString(metric.getAlias());
        return values;
      }
      String name = declared.name();
      if (isProtocolMetric(name) || metric.getIsNull()
          || metric.getValueCase() == Payload.Metric.ValueCase.VALUE_NOT_SET) {
        continue;
      }
      int datatype = metric.hasDatatype() && metric.getDatatype() != 0 ? metric.getDatatype() : declared.datatype();
      Double number = number(metric, datatype);
      if (number == null || number.isNaN() || number.isInfinite()) {
        values.unsupported.add(name + " (" + typeName(datatype) + (number == null ? "" : ", not finite") + ")");
      } else {
        values.numbers.put(name, number);
      }
    }
    return values;
  }

  private static MetricTable.Metric declared(Payload.Metric metric, MetricTable table) {
    if (table == null) {
      return null;
    }
    if (metric.hasName() && !metric.getName().isEmpty()) {
      return table.byName(metric.getName());
    }
    return metric.hasAlias() ? table.byAlias(metric.getAlias()) : null;
  }

  private static boolean isProtocolMetric(String name) {
    return name.equals("bdSeq") || name.startsWith("Node Control/") || name.startsWith("Device Control/")
        || name.startsWith("Properties/");
  }

  /** The value as a number for the numeric and boolean datatypes, {@code null} for the others. */
  static Double number(Payload.Metric metric, int datatype) {
    SparkplugB.DataType type = SparkplugB.DataType.forNumber(datatype);
    if (type == null) {
      return null;
    }
    switch (type) {
      case Int8:
        return metric.hasIntValue() ? (double) (byte) metric.getIntValue() : null;
      case Int16:
        return metric.hasIntValue() ? (double) (short) metric.getIntValue() : null;
      case Int32:
        return metric.hasIntValue() ? (double) metric.getIntValue() : metric.hasLongValue()
            ? (double) (int) metric.getLongValue() : null;
      case UInt8:
      case UInt16:
      case UInt32:
        return metric.hasIntValue() ? (double) Integer.toUnsignedLong(metric.getIntValue()) : metric.hasLongValue()
            ? (double) metric.getLongValue() : null;
      case Int64:
        return metric.hasLongValue() ? (double) metric.getLongValue() : null;
      case UInt64:
        return metric.hasLongValue() ? unsigned(metric.getLongValue()) : null;
      case Float:
        return metric.hasFloatValue() ? (double) metric.getFloatValue() : null;
      case Double:
        return metric.hasDoubleValue() ? metric.getDoubleValue() : null;
      case Boolean:
        return metric.hasBooleanValue() ? (metric.getBooleanValue() ? 1.0 : 0.0) : null;
      default:
        return null;
    }
  }

  private static double unsigned(long value) {
    return value >= 0 ? value : (value >>> 1) * 2.0 + (value & 1);
  }

  private static String typeName(int datatype) {
    SparkplugB.DataType type = SparkplugB.DataType.forNumber(datatype);
    return type == null ? "datatype " + datatype : type.name();
  }

  /** A command value as text, for event attributes. */
  private static String text(Payload.Metric metric) {
    switch (metric.getValueCase()) {
      case INT_VALUE:
        Double n = number(metric, metric.getDatatype());
        return n != null ? format(n) : Integer.toUnsignedString(metric.getIntValue());
      case LONG_VALUE:
        Double l = number(metric, metric.getDatatype());
        return l != null ? format(l) : Long.toString(metric.getLongValue());
      case FLOAT_VALUE:
        return format(metric.getFloatValue());
      case DOUBLE_VALUE:
        return format(metric.getDoubleValue());
      case BOOLEAN_VALUE:
        return Boolean.toString(metric.getBooleanValue());
      case STRING_VALUE:
        return metric.getStringValue();
      default:
        return "";
    }
  }

  private static String format(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
  }

  private static ParseResult telemetry(Message m, Map<String, Double> numbers) {
    return new ParseResult.Accepted(DeviceChannel.TELEMETRY, m.target().deviceId(), m.target().site(),
        Telemetry.newBuilder().setDeviceId(m.target().deviceId()).setSite(m.target().site())
            .setTs(Instant.ofEpochMilli(m.ts())).setReceivedAt(Instant.ofEpochMilli(m.receivedAt())).setSeq(null)
            .setMetrics(numbers).build());
  }

  private static ParseResult unsupported(Message m, List<String> metrics) {
    return new ParseResult.Rejected(DeadLetterReason.SPARKPLUG_UNSUPPORTED_TYPE, m.topic().type() + " of "
        + m.topic().scopeKey() + ": metrics of a type telemetry cannot carry (not forwarded): "
        + String.join(", ", metrics));
  }

  private static ParseResult offline(Message m, SparkplugIdentity.Target target, MessageType cause) {
    return event(m, target, OFFLINE_EVENT, Map.of(TYPE_ATTRIBUTE, cause.name()));
  }

  private static ParseResult event(Message m, SparkplugIdentity.Target target, String type,
      Map<String, String> attributes) {
    return new ParseResult.Accepted(DeviceChannel.EVENT, target.deviceId(), target.site(),
        DeviceEvent.newBuilder().setDeviceId(target.deviceId()).setSite(target.site())
            .setTs(Instant.ofEpochMilli(m.ts())).setReceivedAt(Instant.ofEpochMilli(m.receivedAt())).setSeq(null)
            .setType(type).setAttributes(new HashMap<>(attributes)).build());
  }

  private static Decoded rejected(DeadLetterReason reason, String detail) {
    return new Decoded(List.of(new ParseResult.Rejected(reason, detail)), List.of());
  }
}
