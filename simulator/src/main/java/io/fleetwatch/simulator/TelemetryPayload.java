package io.fleetwatch.simulator;

import java.nio.charset.StandardCharsets;

/** Writes telemetry JSON in the device-facing contract: {@code {"ts":..,"seq":..,"metrics":{..}}}. */
final class TelemetryPayload {
  private final StringBuilder json = new StringBuilder(256);

  TelemetryPayload begin(long ts, long seq) {
    json.setLength(0);
    json.append("{\"ts\":").append(ts).append(",\"seq\":").append(seq).append(",\"metrics\":{");
    return this;
  }

  TelemetryPayload metric(String name, double value) {
    if (json.charAt(json.length() - 1) != '{') {
      json.append(',');
    }
    // metric names come from Signal definitions ([a-z0-9_]); rounded to keep payloads short
    json.append('"').append(name).append("\":").append(Math.round(value * 1000.0) / 1000.0);
    return this;
  }

  byte[] end() {
    json.append("}}");
    return json.toString().getBytes(StandardCharsets.UTF_8);
  }
}
