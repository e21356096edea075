package io.fleetwatch.schemas;

import io.fleetwatch.avro.DeviceEvent;
import io.fleetwatch.avro.DeviceState;
import io.fleetwatch.avro.Telemetry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * The device-facing MQTT channels, each in one place: the last segment of {@code {root}/{site}/{deviceId}/{channel}}
 * (also the {@code channel} metric tag and the policy YAML {@code channel:} value), the Avro record a message becomes,
 * and the Kafka topic that record goes to ({@link Topics#channel(DeviceChannel)}).
 *
 * <p>Every channel's record starts with the device envelope {@code deviceId}, {@code site}, {@code ts},
 * {@code receivedAt}, {@code seq}; the accessors below read it from any channel's record by field position
 * (resolved once, when the enum is loaded), so consumers need no per-channel code for it. Adding a channel: see
 * gateway/README.md and streams/README.md, "Adding an MQTT channel".
 */
public enum DeviceChannel {
  /** Measurements, {@code <prefix>telemetry}. */
  TELEMETRY("telemetry", "telemetry", Telemetry.class, Telemetry.getClassSchema()),
  /** Discrete device events, {@code <prefix>events}. */
  EVENT("event", "events", DeviceEvent.class, DeviceEvent.getClassSchema()),
  /** Reported state and software inventory, {@code <prefix>state}. */
  STATE("state", "state", DeviceState.class, DeviceState.getClassSchema());

  private static final DeviceChannel[] ALL = values();
  /** The segments in declaration order, comma separated: for messages listing the accepted channels. */
  public static final String SEGMENTS = String.join(", ", segments());

  private final String segment;
  private final String topicSuffix;
  private final Class<? extends SpecificRecord> valueType;
  private final Schema schema;
  private final int deviceIdPos;
  private final int sitePos;
  private final int tsPos;
  private final int receivedAtPos;
  private final int seqPos;

  DeviceChannel(String segment, String topicSuffix, Class<? extends SpecificRecord> valueType, Schema schema) {
    this.segment = segment;
    this.topicSuffix = topicSuffix;
    this.valueType = valueType;
    this.schema = schema;
    this.deviceIdPos = envelopeField(schema, "deviceId");
    this.sitePos = envelopeField(schema, "site");
    this.tsPos = envelopeField(schema, "ts");
    this.receivedAtPos = envelopeField(schema, "receivedAt");
    this.seqPos = envelopeField(schema, "seq");
  }

  /** The last MQTT topic segment; also the {@code channel} metric tag and the policy YAML value. */
  public String segment() {
    return segment;
  }

  /** The Kafka topic name without the prefix: {@code telemetry}, {@code events}, {@code state}. */
  public String topicSuffix() {
    return topicSuffix;
  }

  /** The generated Avro class of this channel's records. */
  public Class<? extends SpecificRecord> valueType() {
    return valueType;
  }

  /** The Avro schema of this channel's records. */
  public Schema schema() {
    return schema;
  }

  /** The MQTT topic of a device's message on this channel: {@code root/site/deviceId/segment}. */
  public String mqttTopic(String root, String site, String deviceId) {
    return root + "/" + site + "/" + deviceId + "/" + segment;
  }

  /** The channel whose segment is {@code segment}, or {@code null} when none is. No allocation (per message). */
  public static DeviceChannel fromSegment(String segment) {
    for (DeviceChannel channel : ALL) {
      if (channel.segment.equals(segment)) {
        return channel;
      }
    }
    return null;
  }

  /** Device id of a record of this channel. */
  public String deviceId(SpecificRecord value) {
    return (String) value.get(deviceIdPos);
  }

  /** Site of a record of this channel. */
  public String site(SpecificRecord value) {
    return (String) value.get(sitePos);
  }

  /** Device time of a record of this channel. */
  public Instant ts(SpecificRecord value) {
    return (Instant) value.get(tsPos);
  }

  /** Gateway receive time of a record of this channel. */
  public Instant receivedAt(SpecificRecord value) {
    return (Instant) value.get(receivedAtPos);
  }

  /** Sequence number of a record of this channel, or {@code null}. */
  public Long seq(SpecificRecord value) {
    return (Long) value.get(seqPos);
  }

  private static int envelopeField(Schema schema, String name) {
    Schema.Field field = schema.getField(name);
    if (field == null) {
      throw new IllegalStateException("device channel record " + schema.getFullName() + " lacks the envelope field "
          + name + " (deviceId, site, ts, receivedAt, seq)");
    }
    return field.pos();
  }

  private static List<String> segments() {
    List<String> segments = new ArrayList<>();
    for (DeviceChannel channel : values()) {
      segments.add(channel.segment);
    }
    return segments;
  }
}
