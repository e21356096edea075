package io.fleetwatch.streams.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetwatch.avro.Advisory;
import io.fleetwatch.avro.DeviceFinding;
import io.fleetwatch.avro.DeviceInventory;
import io.fleetwatch.avro.FindingStatus;
import io.fleetwatch.avro.InventoryItem;
import io.fleetwatch.avro.RoutedContact;
import io.fleetwatch.avro.VulnerabilityFinding;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/** Writes vulnerability findings by advisory, and a device's inventory and findings, as JSON. */
final class VulnerabilityJson {
  private static final List<String> GROUPS = List.of("affectedDevices", "suppressedDevices", "underInvestigation");
  private static final Comparator<JsonNode> BY_DEVICE = Comparator.<JsonNode, String>comparing(
      d -> d.path("deviceId").asText()).thenComparing(d -> d.path("component").asText());
  private final ObjectMapper mapper;

  VulnerabilityJson(ObjectMapper mapper) {
    this.mapper = mapper;
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
      ((ArrayNode) entry.get(group)).add(device(f));
      if (v.getKnownExploited()) {
        entry.put("knownExploited", true);
      }
    }
    ArrayNode result = mapper.createArrayNode();
    entries.values().forEach(e -> {
      e.put("affected", e.get("affectedDevices").size());
      result.add(e);
    });
    return result;
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
    ArrayNode result = mapper.createArrayNode();
    entries.values().forEach(e -> {
      for (String group : GROUPS) {
        List<JsonNode> devices = new ArrayList<>();
        e.get(group).forEach(devices::add);
        devices.sort(BY_DEVICE);
        e.putArray(group).addAll(devices);
      }
      e.put("affected", e.get("affectedDevices").size());
      result.add(e);
    });
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
    json.putArray("affectedDevices");
    json.putArray("suppressedDevices");
    json.putArray("underInvestigation");
    return json;
  }

  private ObjectNode device(DeviceFinding f) {
    ObjectNode json = finding(f);
    json.put("deviceId", f.getDeviceId());
    json.put("site", f.getSite());
    return json;
  }

  /** A finding with its status, CVEs, component, versions, remediation, VEX and routed contacts. */
  ObjectNode finding(DeviceFinding f) {
    VulnerabilityFinding v = f.getFinding();
    ObjectNode json = mapper.createObjectNode();
    json.put("status", f.getStatus().name().toLowerCase(Locale.ROOT));
    json.put("since", f.getSince().toString());
    json.put("advisoryId", v.getAdvisoryId());
    ArrayNode cves = json.putArray("cves");
    v.getCveIds().forEach(cves::add);
    json.put("target", v.getTarget().name().toLowerCase(Locale.ROOT));
    json.put("component", v.getComponent());
    json.put("installedVersion", v.getInstalledVersion());
    json.put("affectedRange", v.getAffectedRange());
    json.put("fixedVersion", v.getFixedVersion());
    json.put("remediation", v.getRemediation());
    json.put("vexStatus", v.getVexStatus().name().toLowerCase(Locale.ROOT));
    json.put("justification", v.getJustification());
    json.put("cvssScore", v.getCvssScore());
    json.put("knownExploited", v.getKnownExploited());
    ArrayNode routed = json.putArray("routedTo");
    for (RoutedContact c : v.getRoutedTo()) {
      ObjectNode r = routed.addObject();
      r.put("role", c.getRole());
      r.put("stakeholderId", c.getStakeholderId());
      r.put("name", c.getName());
      r.put("reason", c.getReason());
      r.put("email", c.getEmail());
      r.put("phone", c.getPhone());
      r.put("url", c.getUrl());
      r.put("securityTxt", c.getSecurityTxt());
      r.put("psirtUrl", c.getPsirtUrl());
      r.put("csafProviderMetadata", c.getCsafProviderMetadata());
    }
    return json;
  }

  /** Adds {@code inventory} and {@code vulnerabilities} to a device document. */
  void addTo(ObjectNode device, Optional<DeviceInventory> inventory, List<DeviceFinding> findings) {
    if (inventory.isEmpty()) {
      device.putNull("inventory");
    } else {
      ObjectNode inv = device.putObject("inventory");
      inv.put("reportedAt", inventory.get().getReportedAt().toString());
      inv.put("sbom", inventory.get().getSbom());
      ArrayNode items = inv.putArray("items");
      for (InventoryItem i : inventory.get().getItems()) {
        ObjectNode item = items.addObject().put("component", i.getKey()).put("version", i.getVersion())
            .put("purl", i.getPurl()).put("cpe", i.getCpe())
            .put("source", i.getSource().name().toLowerCase(Locale.ROOT));
        i.getAliases().forEach(item.putArray("aliases")::add);
      }
    }
    ArrayNode list = device.putArray("vulnerabilities");
    findings.stream().filter(f -> f.getStatus() != FindingStatus.UNKNOWN).forEach(f -> list.add(finding(f)));
  }
}
