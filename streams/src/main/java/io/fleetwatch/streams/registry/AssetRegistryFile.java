package io.fleetwatch.streams.registry;

import io.fleetwatch.avro.Asset;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads an asset registry file ({@code apiVersion: fleetwatch.io/v1}, {@code kind: AssetRegistry}) into
 * {@link Asset} records for the compacted {@code fleet.assets} topic. Every error names file, line and field.
 *
 * <pre>
 * apiVersion: fleetwatch.io/v1
 * kind: AssetRegistry
 * assets:
 *   - deviceId: chiller-01
 *     site: hq
 *     zone: roof-plant
 *     assetClass: chiller
 *     model: CH-200
 *     vendor: acme
 *     safetyFunction: false
 *     services: [hvac-hq]
 * </pre>
 */
public final class AssetRegistryFile {
  public static final String API_VERSION = "fleetwatch.io/v1";
  public static final String KIND = "AssetRegistry";
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Set<String> TOP_LEVEL = Set.of("apiVersion", "kind", "assets");
  private static final Set<String> ASSET_FIELDS =
      Set.of("deviceId", "site", "zone", "assetClass", "model", "vendor", "safetyFunction", "services");

  private final String file;

  private AssetRegistryFile(String file) {
    this.file = file;
  }

  /** Reads and validates the registry at {@code path}. */
  public static List<Asset> read(Path path) throws RegistryException {
    try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      return new AssetRegistryFile(path.toString()).parse(reader);
    } catch (IOException e) {
      throw new RegistryException(path + ": cannot read: " + e.getMessage());
    }
  }

  /** Reads and validates registry text; {@code name} is used in error messages. */
  public static List<Asset> read(String name, Reader reader) throws RegistryException {
    return new AssetRegistryFile(name).parse(reader);
  }

  private List<Asset> parse(Reader reader) throws RegistryException {
    Node root;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      options.setMaxAliasesForCollections(10);
      options.setCodePointLimit(16 * 1024 * 1024);
      root = new Yaml(options).compose(reader);
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      throw new RegistryException(file + ":" + line + ": not valid YAML: " + e.getProblem());
    } catch (RuntimeException e) {
      throw new RegistryException(file + ": not valid YAML: " + e.getMessage());
    }
    if (root == null) {
      throw new RegistryException(file + ":1: empty registry file");
    }
    Map<String, Node> top = mapping(root, "(document)", TOP_LEVEL);
    String apiVersion = requiredText(top, root, "apiVersion", "apiVersion");
    if (!API_VERSION.equals(apiVersion)) {
      throw error(top.get("apiVersion"), "apiVersion", "unsupported version '" + apiVersion + "', expected "
          + API_VERSION);
    }
    String kind = requiredText(top, root, "kind", "kind");
    if (!KIND.equals(kind)) {
      throw error(top.get("kind"), "kind", "expected " + KIND + ", got '" + kind + "'");
    }
    Node assetsNode = top.get("assets");
    if (assetsNode == null) {
      throw error(root, "assets", "required field is missing");
    }
    if (!(assetsNode instanceof SequenceNode seq)) {
      throw error(assetsNode, "assets", "must be a list");
    }
    List<Asset> assets = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < seq.getValue().size(); i++) {
      Node item = seq.getValue().get(i);
      String at = "assets[" + i + "]";
      Asset asset = asset(item, at);
      Integer previous = seen.putIfAbsent(asset.getDeviceId(), line(item));
      if (previous != null) {
        throw error(item, at + ".deviceId", "duplicate device '" + asset.getDeviceId() + "' (first at line "
            + previous + ")");
      }
      assets.add(asset);
    }
    return assets;
  }

  private Asset asset(Node node, String at) throws RegistryException {
    Map<String, Node> fields = mapping(node, at, ASSET_FIELDS);
    Asset.Builder b = Asset.newBuilder()
        .setDeviceId(identifier(fields, node, "deviceId", at))
        .setSite(identifier(fields, node, "site", at))
        .setAssetClass(identifier(fields, node, "assetClass", at))
        .setZone(optionalText(fields, "zone", at))
        .setModel(optionalText(fields, "model", at))
        .setVendor(optionalText(fields, "vendor", at))
        .setSafetyFunction(optionalBoolean(fields, "safetyFunction", at));
    List<String> services = new ArrayList<>();
    Node servicesNode = fields.get("services");
    if (servicesNode != null) {
      if (!(servicesNode instanceof SequenceNode list)) {
        throw error(servicesNode, at + ".services", "must be a list of service ids");
      }
      for (int i = 0; i < list.getValue().size(); i++) {
        Node s = list.getValue().get(i);
        String value = scalar(s, at + ".services[" + i + "]");
        if (!IDENTIFIER.matcher(value).matches()) {
          throw error(s, at + ".services[" + i + "]", "must match [A-Za-z0-9._-]{1,64}, got '" + value + "'");
        }
        services.add(value);
      }
    }
    return b.setServices(services).build();
  }

  private Map<String, Node> mapping(Node node, String at, Set<String> allowed) throws RegistryException {
    if (!(node instanceof MappingNode m)) {
      throw error(node, at, "must be a mapping");
    }
    Map<String, Node> fields = new LinkedHashMap<>();
    for (NodeTuple t : m.getValue()) {
      String key = scalar(t.getKeyNode(), at);
      if (!allowed.contains(key)) {
        throw error(t.getKeyNode(), at.equals("(document)") ? key : at + "." + key,
            "unknown field (allowed: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
      }
      fields.put(key, t.getValueNode());
    }
    return fields;
  }

  private String identifier(Map<String, Node> fields, Node parent, String name, String at) throws RegistryException {
    String value = requiredText(fields, parent, name, at + "." + name);
    if (!IDENTIFIER.matcher(value).matches()) {
      throw error(fields.get(name), at + "." + name, "must match [A-Za-z0-9._-]{1,64}, got '" + value + "'");
    }
    return value;
  }

  private String requiredText(Map<String, Node> fields, Node parent, String name, String path)
      throws RegistryException {
    Node n = fields.get(name);
    if (n == null) {
      throw error(parent, path, "required field is missing");
    }
    String value = scalar(n, path);
    if (value.isBlank()) {
      throw error(n, path, "must not be empty");
    }
    return value;
  }

  private String optionalText(Map<String, Node> fields, String name, String at) throws RegistryException {
    Node n = fields.get(name);
    return n == null ? null : scalar(n, at + "." + name);
  }

  private boolean optionalBoolean(Map<String, Node> fields, String name, String at) throws RegistryException {
    Node n = fields.get(name);
    if (n == null) {
      return false;
    }
    String value = scalar(n, at + "." + name);
    return switch (value) {
      case "true" -> true;
      case "false" -> false;
      default -> throw error(n, at + "." + name, "must be true or false, got '" + value + "'");
    };
  }

  private String scalar(Node node, String path) throws RegistryException {
    if (!(node instanceof ScalarNode s)) {
      throw error(node, path, "must be a single value");
    }
    return s.getValue();
  }

  private static int line(Node node) {
    return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
  }

  private RegistryException error(Node node, String field, String why) {
    return new RegistryException(file + ":" + line(node) + ": " + field + ": " + why);
  }
}
