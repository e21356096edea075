package io.fleetwatch.streams.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetwatch.avro.InventoryItem;
import io.fleetwatch.avro.InventorySource;
import io.fleetwatch.avro.Sbom;
import io.fleetwatch.streams.vulnerability.matching.Inventories;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a CycloneDX SBOM (JSON, spec 1.2 to 1.6) into an {@link Sbom} for one model and firmware: every component
 * (nested ones included) with a purl or cpe becomes an inventory entry; components without either cannot be matched
 * against advisories and are left out. Errors name the file and the JSON path.
 */
public final class CycloneDxSbom {
  private static final int MAX_COMPONENTS = 5000;
  private final ObjectMapper mapper = new ObjectMapper();

  public Sbom parse(String file, String json, String model, String firmware) throws RegistryException {
    JsonNode root;
    try {
      root = mapper.readTree(json);
    } catch (JsonProcessingException e) {
      throw new RegistryException(file + ": $: not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject() || !"CycloneDX".equals(root.path("bomFormat").asText(null))) {
      throw new RegistryException(file + ": $.bomFormat: must be CycloneDX");
    }
    String spec = root.path("specVersion").asText(null);
    if (spec == null) {
      throw new RegistryException(file + ": $.specVersion: required field is missing");
    }
    List<InventoryItem> items = new ArrayList<>();
    JsonNode components = root.get("components");
    if (components != null) {
      collect(file, components, "$.components", items);
    }
    return Sbom.newBuilder().setModel(model).setFirmware(firmware).setFormat("CycloneDX " + spec)
        .setSerialNumber(root.path("serialNumber").asText(null)).setSource(file).setComponents(items).build();
  }

  private void collect(String file, JsonNode components, String at, List<InventoryItem> items)
      throws RegistryException {
    if (!components.isArray()) {
      throw new RegistryException(file + ": " + at + ": must be an array");
    }
    for (int i = 0; i < components.size(); i++) {
      String path = at + "[" + i + "]";
      JsonNode c = components.get(i);
      if (!c.isObject()) {
        throw new RegistryException(file + ": " + path + ": must be an object");
      }
      InventoryItem item = Inventories.item(c.path("purl").asText(null), c.path("cpe").asText(null),
          c.path("version").asText(null), InventorySource.SBOM);
      if (item != null) {
        if (items.size() >= MAX_COMPONENTS) {
          throw new RegistryException(file + ": " + path + ": more than " + MAX_COMPONENTS + " components");
        }
        items.add(item);
      }
      if (c.has("components")) {
        collect(file, c.get("components"), path + ".components", items);
      }
    }
  }
}
