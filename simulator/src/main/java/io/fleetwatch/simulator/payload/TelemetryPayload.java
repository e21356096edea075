package io.fleetwatch.simulator.payload;

import java.nio.charset.StandardCharsets;

/**
 * Writes telemetry JSON in the device-facing contract: {@code {"ts":..,"seq":..,"metrics":{..}}}. Reused per
 * message on the publishing thread (not thread-safe), so the hot path allocates only the result bytes.
 */
public final class TelemetryPayload {
  private final StringBuilder json = new StringBuilder(256);

  public TelemetryPayload begin(long ts, long seq) {
    json.setLength(0);
    json.append("{\"ts\":").append(ts).append(",\"seq\":").append(seq).append(",\"metrics\":{");
    return this;
  }

  /** Adds one measurement; names come from signal definitions ({@code [a-z0-9_]}), values are finite. */
  public TelemetryPayload metric(String name, double value) {
    if (json.charAt(json.length() - 1) != '{') {
      json.append(',');
    }
    // rounded to keep payloads short
    json.append('"').append(name).append("\":").append(Math.round(value * 1000.0) / 1000.0);
    return this;
  }

  public byte[] end() {
    json.append("}}");
    return json.toString().getBytes(StandardCharsets.UTF_8);
  }
}
