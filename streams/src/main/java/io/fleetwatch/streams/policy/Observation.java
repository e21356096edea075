package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.Asset;
import io.fleetwatch.avro.DeviceModel;
import io.fleetwatch.avro.ReportedState;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One device observation as the rules see it: its channel, event time (device time from the record, never the
 * wall clock), the gateway receive time, the optional sequence number and the channel's content. Built once per
 * record by the topology and shared by every check evaluated for it (the maps are wrapped, not copied). The
 * topology attaches what the registry knows ({@link #registered(Asset, DeviceModel)}): the device's asset and, for
 * state reports, the catalogue entry of the reported model; rules that take their parameters from the registry
 * (SEC-05 minimum firmware, SEC-06 end of support, SEC-08 approved changes, SEC-16 maintenance windows) read them
 * here, so a registry change applies from the next record on.
 *
 * @param channel where it comes from
 * @param eventTime device time of the observation
 * @param receivedAt gateway receive time (wall clock), or {@code null} when unknown
 * @param seq per-device message counter, or {@code null}
 * @param metrics measurements by metric name (telemetry; empty otherwise)
 * @param eventType event type (events; {@code null} otherwise)
 * @param attributes event attributes (events; empty otherwise)
 * @param reported reported state (state; {@code null} otherwise)
 * @param violation the transition (violation signals; {@code null} otherwise)
 * @param asset the registered asset of the device, or {@code null} (unregistered, or not attached)
 * @param model the registry's catalogue entry of the reported model, or {@code null} (not in the catalogue)
 */
public record Observation(Channel channel, Instant eventTime, Instant receivedAt, Long seq,
    Map<String, Double> metrics, String eventType, Map<String, String> attributes, ReportedState reported,
    ViolationSignal violation, Asset asset, DeviceModel model) {

  public Observation {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(eventTime, "eventTime");
    metrics = metrics == null ? Map.of() : Collections.unmodifiableMap(metrics);
    attributes = attributes == null ? Map.of() : Collections.unmodifiableMap(attributes);
  }

  /** A telemetry observation without receive time or sequence number (tests, replays). */
  public Observation(Instant eventTime, Map<String, Double> metrics) {
    this(Channel.TELEMETRY, eventTime, null, null, metrics, null, null, null, null, null, null);
  }

  /** This observation with what the registry knows about the device and its reported model. */
  public Observation registered(Asset registeredAsset, DeviceModel registeredModel) {
    return new Observation(channel, eventTime, receivedAt, seq, metrics, eventType, attributes, reported, violation,
        registeredAsset, registeredModel);
  }

  public static Observation telemetry(Instant eventTime, Instant receivedAt, Long seq, Map<String, Double> metrics) {
    return new Observation(Channel.TELEMETRY, eventTime, receivedAt, seq, metrics, null, null, null, null, null, null);
  }

  public static Observation event(Instant eventTime, Instant receivedAt, Long seq, String type,
      Map<String, String> attributes) {
    Objects.requireNonNull(type, "type");
    return new Observation(Channel.EVENT, eventTime, receivedAt, seq, null, type, attributes, null, null, null, null);
  }

  public static Observation state(Instant eventTime, Instant receivedAt, Long seq, ReportedState reported) {
    Objects.requireNonNull(reported, "reported");
    return new Observation(Channel.STATE, eventTime, receivedAt, seq, null, null, null, reported, null, null, null);
  }

  public static Observation violation(Instant eventTime, ViolationSignal violation) {
    Objects.requireNonNull(violation, "violation");
    return new Observation(Channel.VIOLATION, eventTime, null, null, null, null, null, null, violation, null, null);
  }

  /** The value of one metric, when this observation carries it. */
  public Optional<Double> metric(String name) {
    return Optional.ofNullable(metrics.get(name));
  }

  /** The value of one metric, or {@code null} (no Optional on the hot path). */
  public Double metricOrNull(String name) {
    return metrics.get(name);
  }

  /** Whether this is an event of the given type. */
  public boolean isEvent(String type) {
    return channel == Channel.EVENT && type.equals(eventType);
  }
}
