package io.fleetwatch.streams.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetwatch.avro.BusinessImpact;
import io.fleetwatch.avro.Evidence;
import io.fleetwatch.avro.FrameworkRef;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentAction;
import io.fleetwatch.avro.IncidentLink;
import io.fleetwatch.avro.RoutedStakeholder;
import io.fleetwatch.avro.ServiceImpact;
import io.fleetwatch.avro.SeverityFactor;
import io.fleetwatch.avro.SsfAssessment;
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
    json.put("openedReceivedAt", iso(incident.getOpenedReceivedAt()));
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
          .put("reason", t.getReason()).put("actor", t.getActor());
    }
    json.put("zone", incident.getZone());
    json.put("model", incident.getModel());
    json.put("safetyFunction", incident.getSafetyFunction());
    json.put("baseSeverity", incident.getBaseSeverity() == null ? null : lower(incident.getBaseSeverity().name()));
    SsfAssessment ssf = incident.getSsf();
    if (ssf == null) {
      json.putNull("ssf");
    } else {
      json.putObject("ssf").put("recoveryDifficulty", ssf.getRecoveryDifficulty())
          .put("recoveryDifficultyName", ssf.getRecoveryDifficultyName())
          .put("economicImpact", ssf.getEconomicImpact()).put("economicImpactName", ssf.getEconomicImpactName())
          .put("category", ssf.getCategory()).put("rank", ssf.getRank());
    }
    ArrayNode factors = json.putArray("severityFactors");
    for (SeverityFactor f : incident.getSeverityFactors()) {
      factors.addObject().put("factor", f.getFactor()).put("steps", f.getSteps()).put("reason", f.getReason());
    }
    BusinessImpact impact = incident.getImpact();
    if (impact == null) {
      json.putNull("impact");
    } else {
      ObjectNode i = json.putObject("impact");
      ArrayNode services = i.putArray("services");
      for (ServiceImpact s : impact.getServices()) {
        services.addObject().put("serviceId", s.getServiceId()).put("name", s.getName())
            .put("rtoSeconds", s.getRtoSeconds()).put("rpoSeconds", s.getRpoSeconds())
            .put("costPerHour", s.getCostPerHour()).put("currency", s.getCurrency())
            .put("manualFallback", s.getManualFallback()).put("fallback", s.getFallback())
            .put("bcpReference", s.getBcpReference());
      }
      i.put("costPerHour", impact.getCostPerHour());
      i.put("currency", impact.getCurrency());
      i.put("downtimeSeconds", impact.getDowntimeSeconds());
      i.put("costSoFar", impact.getCostSoFar());
      i.put("rtoSeconds", impact.getRtoSeconds());
      i.put("secondsUntilRtoBreach", impact.getSecondsUntilRtoBreach());
      i.put("rtoBreached", impact.getRtoBreached());
      i.put("manualFallback", impact.getManualFallback());
      i.put("assessedAt", iso(impact.getAssessedAt()));
    }
    ArrayNode stakeholders = json.putArray("stakeholders");
    for (RoutedStakeholder r : incident.getStakeholders()) {
      stakeholders.addObject().put("role", r.getRole()).put("stakeholderId", r.getStakeholderId())
          .put("name", r.getName()).put("email", r.getEmail()).put("phone", r.getPhone()).put("url", r.getUrl())
          .put("securityTxt", r.getSecurityTxt()).put("routed", r.getRouted());
    }
    ArrayNode actions = json.putArray("actions");
    for (IncidentAction a : incident.getActions()) {
      actions.addObject().put("perspective", a.getPerspective().name()).put("text", a.getText())
          .put("tlp", a.getTlp());
    }
    json.put("escalationLevel", incident.getEscalationLevel());
    json.put("escalatedAt", iso(incident.getEscalatedAt()));
    json.put("acknowledgedAt", iso(incident.getAcknowledgedAt()));
    json.put("acknowledgedBy", incident.getAcknowledgedBy());
    json.put("assignee", incident.getAssignee());
    json.put("resolvedBy", incident.getResolvedBy());
    json.put("verification", incident.getVerification() == null ? null : lower(incident.getVerification().name()));
    json.put("clearedAt", iso(incident.getClearedAt()));
    json.put("reopenCount", incident.getReopenCount());
    ArrayNode links = json.putArray("links");
    for (IncidentLink l : incident.getLinks()) {
      links.addObject().put("incidentId", l.getIncidentId()).put("relation", l.getRelation());
    }
    ArrayNode devices = json.putArray("devices");
    incident.getDevices().forEach(devices::add);
    json.put("assessment", incident.getAssessment());
    json.put("knownExploited", incident.getKnownExploited());
    return json;
  }

  private static String lower(String symbol) {
    return symbol.toLowerCase(Locale.ROOT);
  }

  private static String iso(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
