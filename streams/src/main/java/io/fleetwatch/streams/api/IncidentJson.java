package io.fleetwatch.streams.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetwatch.avro.Evidence;
import io.fleetwatch.avro.FrameworkRef;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.Transition;
import java.time.Instant;
import java.util.Locale;

/**
 * Writes incidents as JSON field by field (no reflection over Avro internals): enums in lower case
 * ({@code safety-security} for the kind), instants as ISO-8601, absent values as JSON null.
 */
final class IncidentJson {
  private final ObjectMapper mapper;

  IncidentJson(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  ObjectNode write(Incident incident) {
    ObjectNode json = mapper.createObjectNode();
    json.put("id", incident.getId());
    json.put("dedupKey", incident.getDedupKey());
    json.put("status", lower(incident.getStatus().name()));
    json.put("policyId", incident.getPolicyId());
    json.put("title", incident.getTitle());
    json.put("kind", lower(incident.getKind().name()).replace('_', '-'));
    json.put("severity", lower(incident.getSeverity().name()));
    json.put("deviceId", incident.getDeviceId());
    json.put("site", incident.getSite());
    json.put("assetClass", incident.getAssetClass());
    json.put("openedAt", iso(incident.getOpenedAt()));
    json.put("lastSeenAt", iso(incident.getLastSeenAt()));
    json.put("resolvedAt", iso(incident.getResolvedAt()));
    json.put("detectedAt", iso(incident.getDetectedAt()));
    ArrayNode checks = json.putArray("activeChecks");
    incident.getActiveChecks().forEach(checks::add);
    json.put("summary", incident.getSummary());
    ArrayNode references = json.putArray("references");
    for (FrameworkRef ref : incident.getReferences()) {
      references.addObject().put("framework", ref.getFramework()).put("provision", ref.getProvision());
    }
    ArrayNode evidence = json.putArray("evidence");
    for (Evidence e : incident.getEvidence()) {
      evidence.addObject().put("topic", e.getTopic()).put("partition", e.getPartition()).put("offset", e.getOffset());
    }
    ArrayNode history = json.putArray("history");
    for (Transition t : incident.getHistory()) {
      history.addObject().put("status", lower(t.getStatus().name())).put("at", iso(t.getAt()))
          .put("reason", t.getReason());
    }
    return json;
  }

  private static String lower(String symbol) {
    return symbol.toLowerCase(Locale.ROOT);
  }

  private static String iso(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
