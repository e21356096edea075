package io.fleetwatch.streams.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetwatch.avro.DeviceTwin;
import io.fleetwatch.avro.ReportedState;
import io.fleetwatch.streams.policy.Policy;
import io.fleetwatch.streams.policy.PolicyCatalogue;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Writes a device twin with its active violations as JSON (instants ISO-8601, absent values null). */
final class DeviceJson {
  private final ObjectMapper mapper;

  DeviceJson(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  ObjectNode write(DeviceTwin twin, List<DeviceQueries.ActiveCheck> active, PolicyCatalogue catalogue,
      List<String> openIncidents) {
    ObjectNode json = mapper.createObjectNode();
    json.put("deviceId", twin.getDeviceId());
    json.put("site", twin.getSite());
    json.put("lastSeenAt", iso(twin.getLastSeenAt()));
    json.put("lastReceivedAt", iso(twin.getLastReceivedAt()));
    json.put("lastSeq", twin.getLastSeq());
    json.put("messages", twin.getMessages());
    ObjectNode metrics = json.putObject("metrics");
    for (Map.Entry<String, Double> m : new TreeMap<>(twin.getMetrics()).entrySet()) {
      metrics.put(m.getKey(), m.getValue());
    }
    ReportedState r = twin.getReported();
    if (r == null) {
      json.putNull("reported");
    } else {
      ObjectNode reported = json.putObject("reported");
      reported.put("reportedAt", iso(r.getReportedAt()));
      reported.put("model", r.getModel());
      reported.put("vendor", r.getVendor());
      reported.put("firmware", r.getFirmware());
      reported.put("configHash", r.getConfigHash());
      ArrayNode ports = reported.putArray("openPorts");
      r.getOpenPorts().forEach(ports::add);
      reported.put("tls", r.getTls());
      reported.put("securityState", r.getSecurityState());
      reported.put("mode", r.getMode());
    }
    if (twin.getLastEventType() == null) {
      json.putNull("lastEvent");
    } else {
      json.putObject("lastEvent").put("type", twin.getLastEventType()).put("at", iso(twin.getLastEventAt()));
    }
    ArrayNode violations = json.putArray("activeViolations");
    for (DeviceQueries.ActiveCheck check : active) {
      ObjectNode v = violations.addObject();
      v.put("policyId", check.policyId());
      v.put("checkId", check.checkId());
      Policy policy = catalogue == null ? null : catalogue.policy(check.policyId()).orElse(null);
      v.put("title", policy == null ? null : policy.title());
      v.put("severity", policy == null ? null : policy.severity().name().toLowerCase(Locale.ROOT));
      v.put("policyVersion", policy == null ? null : policy.version());
      v.put("lastEvaluatedAt", iso(check.state().getLastEventTime()));
    }
    ArrayNode incidents = json.putArray("openIncidents");
    openIncidents.forEach(incidents::add);
    return json;
  }

  private static String iso(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
