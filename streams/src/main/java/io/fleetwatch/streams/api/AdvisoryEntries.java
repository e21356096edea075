package io.fleetwatch.streams.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetwatch.avro.Advisory;
import io.fleetwatch.avro.DeviceFinding;
import io.fleetwatch.avro.VulnerabilityFinding;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The {@code GET /api/vulnerabilities} view: one entry per advisory (its id, title, publisher, revision and CVEs)
 * with the findings on the fleet's devices grouped by status, each finding written from its Avro record
 * ({@link AvroJson}). The entry is a computed view, merged across instances, not a record of the pipeline: it is
 * written here.
 */
final class AdvisoryEntries {
  private static final List<String> GROUPS = List.of("affectedDevices", "suppressedDevices", "underInvestigation");
  private static final Comparator<JsonNode> BY_DEVICE = Comparator.<JsonNode, String>comparing(
      d -> d.path("deviceId").asText()).thenComparing(d -> d.path("component").asText());
  private final ObjectMapper mapper;
  private final AvroJson json;

  AdvisoryEntries(ObjectMapper mapper) {
    this.mapper = mapper;
    this.json = new AvroJson(mapper);
  }

  /** One entry per advisory with its affected, suppressed and under-investigation devices. */
  ArrayNode byAdvisory(List<DeviceFinding> findings, Function<String, Optional<Advisory>> advisories) {
    Map<String, ObjectNode> entries = new LinkedHashMap<>();
    for (DeviceFinding f : findings) {
      VulnerabilityFinding v = f.getFinding();
      ObjectNode entry = entries.computeIfAbsent(v.getAdvisoryId(), id -> advisory(id, advisories.apply(id)));
      String group = switch (f.getStatus()) {
        case AFFECTED -> "affectedDevices";
        case SUPPRESSED -> "suppressedDevices";
        default -> "underInvestigation";
      };
      ((ArrayNode) entry.get(group)).add(json.write(f));
      if (v.getKnownExploited()) {
        entry.put("knownExploited", true);
      }
    }
    return counted(entries.values());
  }

  /**
   * Merges {@link #byAdvisory} answers of several instances (disjoint devices): one entry per advisory, in advisory
   * id order, with the device lists joined (ordered by device id, then component), {@code knownExploited} if any
   * instance says so, and {@code affected} recounted.
   */
  ArrayNode merge(List<ArrayNode> parts) {
    Map<String, ObjectNode> entries = new TreeMap<>();
    for (ArrayNode part : parts) {
      for (JsonNode entry : part) {
        String id = entry.path("advisoryId").asText();
        ObjectNode merged = entries.get(id);
        if (merged == null) {
          entries.put(id, entry.deepCopy());
          continue;
        }
        for (String group : GROUPS) {
          ((ArrayNode) merged.get(group)).addAll((ArrayNode) entry.get(group));
        }
        if (entry.path("knownExploited").asBoolean()) {
          merged.put("knownExploited", true);
        }
      }
    }
    for (ObjectNode e : entries.values()) {
      for (String group : GROUPS) {
        List<JsonNode> devices = new ArrayList<>();
        e.get(group).forEach(devices::add);
        devices.sort(BY_DEVICE);
        e.putArray(group).addAll(devices);
      }
    }
    return counted(entries.values());
  }

  /** The entries, each with {@code affected}: the number of its affected devices. */
  private ArrayNode counted(Collection<ObjectNode> entries) {
    ArrayNode result = mapper.createArrayNode();
    for (ObjectNode e : entries) {
      e.put("affected", e.get("affectedDevices").size());
      result.add(e);
    }
    return result;
  }

  private ObjectNode advisory(String id, Optional<Advisory> advisory) {
    ObjectNode json = mapper.createObjectNode();
    json.put("advisoryId", id);
    json.put("title", advisory.map(Advisory::getTitle).orElse(null));
    json.put("publisher", advisory.map(Advisory::getPublisher).orElse(null));
    json.put("revision", advisory.map(Advisory::getRevision).orElse(null));
    ArrayNode cves = json.putArray("cves");
    advisory.ifPresent(a -> a.getVulnerabilities().forEach(v -> {
      if (v.getCve() != null) {
        cves.add(v.getCve());
      }
    }));
    json.put("knownExploited", false);
    GROUPS.forEach(json::putArray);
    return json;
  }
}
