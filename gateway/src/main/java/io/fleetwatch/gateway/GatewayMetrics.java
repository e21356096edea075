package io.fleetwatch.gateway;

import io.fleetwatch.avro.DeadLetterReason;
import io.fleetwatch.gateway.kafka.ProducerSettings;
import io.fleetwatch.schemas.DeviceChannel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.function.IntToLongFunction;

/**
 * The gateway's Micrometer meters. Tags come from closed sets only: {@code channel} (telemetry, event, state,
 * unknown), {@code reason} (the {@link DeadLetterReason} in lower case, or {@code qos0_overflow}), {@code outcome}
 * (success, failure), {@code source} ({@link #SOURCES}: native, sparkplug, senml, mapped; {@code unknown} for a source
 * of another name). Never a device id or topic.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>meaning</th></tr>
 *   <tr><td>fleetwatch.gateway.messages.received</td><td>counter</td><td>channel</td><td>MQTT messages taken on the
 *   native contract</td></tr>
 *   <tr><td>fleetwatch.gateway.messages.forwarded</td><td>counter</td><td>channel</td><td>valid messages acknowledged by Kafka</td></tr>
 *   <tr><td>fleetwatch.gateway.messages.rejected</td><td>counter</td><td>reason</td><td>messages routed to the dead-letter topic</td></tr>
 *   <tr><td>fleetwatch.gateway.messages.dropped</td><td>counter</td><td>reason</td><td>QoS 0 messages dropped while too many were in flight</td></tr>
 *   <tr><td>fleetwatch.gateway.payload.size</td><td>summary (bytes)</td><td></td><td>payload sizes</td></tr>
 *   <tr><td>fleetwatch.gateway.kafka.send</td><td>timer (percentile histogram, {@link #KAFKA_SEND_MIN} to
 *   {@link #KAFKA_SEND_MAX})</td><td>outcome</td><td>send to Kafka acknowledgement</td></tr>
 *   <tr><td>fleetwatch.gateway.inflight</td><td>gauge</td><td></td><td>records handed to Kafka and not yet acknowledged</td></tr>
 *   <tr><td>fleetwatch.gateway.mqtt.connected</td><td>gauge</td><td></td><td>1 while connected to the broker</td></tr>
 *   <tr><td>fleetwatch.gateway.mqtt.connection.lost</td><td>counter</td><td></td><td>connections lost</td></tr>
 *   <tr><td>fleetwatch.gateway.source.received</td><td>counter</td><td>source</td><td>MQTT messages taken, by payload
 *   source</td></tr>
 *   <tr><td>fleetwatch.gateway.source.mapped</td><td>counter</td><td>source</td><td>contract records (telemetry, event,
 *   state) the source made of its messages</td></tr>
 *   <tr><td>fleetwatch.gateway.source.rejected</td><td>counter</td><td>source, reason</td><td>dead letters of the
 *   source, by reason</td></tr>
 *   <tr><td>fleetwatch.gateway.backpressure</td><td>counter (seconds)</td><td>qos</td><td>time the in-flight bound
 *   (Receive Maximum) was reached, so the broker held further messages</td></tr>
 * </table>
 */
public final class GatewayMetrics {
  public static final String RECEIVED = "fleetwatch.gateway.messages.received";
  public static final String FORWARDED = "fleetwatch.gateway.messages.forwarded";
  public static final String REJECTED = "fleetwatch.gateway.messages.rejected";
  public static final String DROPPED = "fleetwatch.gateway.messages.dropped";
  public static final String PAYLOAD_SIZE = "fleetwatch.gateway.payload.size";
  public static final String KAFKA_SEND = "fleetwatch.gateway.kafka.send";
  public static final String INFLIGHT = "fleetwatch.gateway.inflight";
  public static final String MQTT_CONNECTED = "fleetwatch.gateway.mqtt.connected";
  public static final String MQTT_CONNECTION_LOST = "fleetwatch.gateway.mqtt.connection.lost";
  public static final String BACKPRESSURE = "fleetwatch.gateway.backpressure";
  public static final String SOURCE_RECEIVED = "fleetwatch.gateway.source.received";
  public static final String SOURCE_MAPPED = "fleetwatch.gateway.source.mapped";
  public static final String SOURCE_REJECTED = "fleetwatch.gateway.source.rejected";
  /** Source tag of messages of the native contract ({@code fleet/{site}/{device}/{channel}}). */
  public static final String NATIVE_SOURCE = "native";
  /**
   * Tag value for messages whose channel or source could not be determined; the {@code channel} tag is otherwise a
   * {@link DeviceChannel#segment()}.
   */
  public static final String UNKNOWN_TAG = "unknown";
  /** The closed set of {@code source} tag values (besides {@link #UNKNOWN_TAG}), registered at start. */
  public static final List<String> SOURCES = List.of(NATIVE_SOURCE, "sparkplug", "senml", "mapped");
  /**
   * Lower bound of the Kafka send histogram: an acknowledgement from a broker on the same host takes about a
   * millisecond, with {@code linger.ms} of batching on top.
   */
  public static final Duration KAFKA_SEND_MIN = Duration.ofMillis(1);
  /** Upper bound of the Kafka send histogram: the producer's delivery timeout, after which a send fails. */
  public static final Duration KAFKA_SEND_MAX = Duration.ofMillis(ProducerSettings.DELIVERY_TIMEOUT_MS);
  /** Reason tag of {@link #DROPPED}. */
  public static final String QOS0_OVERFLOW = "qos0_overflow";

  private final Map<DeviceChannel, Counter> received = new EnumMap<>(DeviceChannel.class);
  private final Counter receivedUnknown;
  private final Map<DeviceChannel, Counter> forwarded = new EnumMap<>(DeviceChannel.class);
  private final Map<DeadLetterReason, Counter> rejected = new EnumMap<>(DeadLetterReason.class);
  private final Counter dropped;
  private final Map<String, SourceMeters> sources = new HashMap<>();
  private final DistributionSummary payloadSize;
  private final Timer sendSuccess;
  private final Timer sendFailure;
  private final Counter connectionLost;
  private final AtomicInteger connected = new AtomicInteger();
  private volatile IntSupplier inflight = () -> 0;
  private volatile IntToLongFunction backPressureNanos = qos -> 0L;

  public GatewayMetrics(MeterRegistry registry) {
    for (DeviceChannel c : DeviceChannel.values()) {
      received.put(c, Counter.builder(RECEIVED).tag("channel", c.segment())
          .description("MQTT messages taken by the gateway").register(registry));
      forwarded.put(c, Counter.builder(FORWARDED).tag("channel", c.segment())
          .description("Valid messages acknowledged by Kafka").register(registry));
    }
    receivedUnknown = Counter.builder(RECEIVED).tag("channel", UNKNOWN_TAG)
        .description("MQTT messages taken by the gateway").register(registry);
    for (DeadLetterReason r : DeadLetterReason.values()) {
      rejected.put(r, Counter.builder(REJECTED).tag("reason", r.name().toLowerCase(Locale.ROOT))
          .description("Messages routed to the dead-letter topic").register(registry));
    }
    for (String source : SOURCES) {
      sources.put(source, new SourceMeters(registry, source));
    }
    sources.put(UNKNOWN_TAG, new SourceMeters(registry, UNKNOWN_TAG));
    dropped = Counter.builder(DROPPED).tag("reason", QOS0_OVERFLOW)
        .description("QoS 0 messages dropped because too many were in flight").register(registry);
    payloadSize = DistributionSummary.builder(PAYLOAD_SIZE).baseUnit("bytes")
        .description("MQTT payload sizes").register(registry);
    sendSuccess = kafkaSendTimer("success").register(registry);
    sendFailure = kafkaSendTimer("failure").register(registry);
    connectionLost = Counter.builder(MQTT_CONNECTION_LOST)
        .description("MQTT connections lost").register(registry);
    for (int qos : new int[] {0, 1}) {
      FunctionCounter.builder(BACKPRESSURE, this, m -> m.backPressureNanos.applyAsLong(qos) / 1e9)
          .tag("qos", Integer.toString(qos)).baseUnit("seconds")
          .description("Time the gateway's in-flight bound (Receive Maximum) was reached, so the broker held further"
              + " messages")
          .register(registry);
    }
    Gauge.builder(INFLIGHT, this, m -> m.inflight.getAsInt())
        .description("Records handed to Kafka and not yet acknowledged").register(registry);
    Gauge.builder(MQTT_CONNECTED, connected, AtomicInteger::get)
        .description("1 while connected to the MQTT broker").register(registry);
  }

  private static Timer.Builder kafkaSendTimer(String outcome) {
    return Timer.builder(KAFKA_SEND).tag("outcome", outcome)
        .description("Time from send to Kafka acknowledgement")
        .publishPercentileHistogram().minimumExpectedValue(KAFKA_SEND_MIN).maximumExpectedValue(KAFKA_SEND_MAX);
  }

  /** Where the in-flight gauge reads from. */
  public void inflightFrom(IntSupplier source) {
    this.inflight = source;
  }

  /** Where the back-pressure time per QoS (nanoseconds at the in-flight bound) reads from. */
  public void backPressureFrom(IntToLongFunction nanosByQos) {
    this.backPressureNanos = nanosByQos;
  }

  /** A message arrived on a channel, or {@code null} when its topic names none. */
  public void received(DeviceChannel channel, int payloadBytes) {
    (channel == null ? receivedUnknown : received.get(channel)).increment();
    payloadSize.record(payloadBytes);
  }

  /** The payload size of a message taken by a payload source (its channel is counted by the source's records). */
  public void payloadSize(int payloadBytes) {
    payloadSize.record(payloadBytes);
  }

  public void forwarded(DeviceChannel channel) {
    forwarded.get(channel).increment();
  }

  public void rejected(DeadLetterReason reason) {
    rejected.get(reason).increment();
  }

  /** The meters of one payload source ({@code unknown} for a name outside {@link #SOURCES}). */
  public SourceMeters source(String name) {
    SourceMeters meters = sources.get(name);
    return meters != null ? meters : sources.get(UNKNOWN_TAG);
  }

  /** Received, mapped and rejected counters of one payload source, all registered at start with 0. */
  public static final class SourceMeters {
    private final Counter received;
    private final Counter mapped;
    private final Map<DeadLetterReason, Counter> rejected = new EnumMap<>(DeadLetterReason.class);

    private SourceMeters(MeterRegistry registry, String source) {
      received = Counter.builder(SOURCE_RECEIVED).tag("source", source)
          .description("MQTT messages taken, by payload source").register(registry);
      mapped = Counter.builder(SOURCE_MAPPED).tag("source", source)
          .description("Contract records a payload source made of its messages").register(registry);
      for (DeadLetterReason r : DeadLetterReason.values()) {
        rejected.put(r, Counter.builder(SOURCE_REJECTED).tag("source", source)
            .tag("reason", r.name().toLowerCase(Locale.ROOT))
            .description("Dead letters of a payload source, by reason").register(registry));
      }
    }

    public void received() {
      received.increment();
    }

    public void mapped() {
      mapped.increment();
    }

    public void rejected(DeadLetterReason reason) {
      rejected.get(reason).increment();
    }
  }

  public void droppedQos0() {
    dropped.increment();
  }

  public void kafkaSend(long nanos, boolean success) {
    (success ? sendSuccess : sendFailure).record(nanos, TimeUnit.NANOSECONDS);
  }

  public void mqttConnected(boolean up) {
    connected.set(up ? 1 : 0);
  }

  public void mqttConnectionLost() {
    connectionLost.increment();
  }
}
