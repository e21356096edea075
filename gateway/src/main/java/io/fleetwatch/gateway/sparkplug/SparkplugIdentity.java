package io.fleetwatch.gateway.sparkplug;

import io.fleetwatch.schemas.Identifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which fleetwatch site and device id a Sparkplug B edge node or device stands for.
 *
 * <p>Default rule: site = group id; device id = edge node id for the edge node's own messages (N*), and
 * {@code {edge node id}.{device id}} for a device behind it (D*). Both must be fleetwatch identifiers
 * ({@value Identifier#SYNTAX}); a Sparkplug id outside that set needs an override. Overrides come from a file
 * ({@code sparkplug.identity.file}), one per line, {@code #} starts a comment:
 * <pre>
 * Plant 1 = plant-1                          # group → site (the default rule for its nodes and devices)
 * Plant 1/Edge 7 = plant-1/edge-7            # edge node → site/device id
 * Plant 1/Edge 7/Chiller 2 = plant-1/ch-2    # device → site/device id
 * </pre>
 * Thread-safe (immutable).
 */
public final class SparkplugIdentity {

  /** A fleetwatch identity. */
  public record Target(String site, String deviceId) {
    public Target {
      Objects.requireNonNull(site, "site");
      Objects.requireNonNull(deviceId, "deviceId");
    }
  }

  private final Map<String, String> siteByGroup;
  private final Map<String, Target> byScope;

  private SparkplugIdentity(Map<String, String> siteByGroup, Map<String, Target> byScope) {
    this.siteByGroup = Map.copyOf(siteByGroup);
    this.byScope = Map.copyOf(byScope);
  }

  /** The default rule without overrides. */
  public static SparkplugIdentity defaults() {
    return new SparkplugIdentity(Map.of(), Map.of());
  }

  /**
   * Reads overrides from a file.
   *
   * @throws IllegalArgumentException {@code file:line: why} for the first bad line, or when it cannot be read
   */
  public static SparkplugIdentity load(Path file) {
    try {
      return parse(file.toString(), Files.readAllLines(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + SparkplugSettings.IDENTITY_FILE + " " + file + ": " + e, e);
    }
  }

  /**
   * Parses override lines.
   *
   * @param name file name for messages
   * @throws IllegalArgumentException {@code name:line: why} for the first bad line
   */
  public static SparkplugIdentity parse(String name, List<String> lines) {
    Map<String, String> siteByGroup = new HashMap<>();
    Map<String, Target> byScope = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int hash = line.indexOf('#');
      String content = (hash >= 0 ? line.substring(0, hash) : line).strip();
      if (content.isEmpty()) {
        continue;
      }
      String where = name + ":" + (i + 1) + ": ";
      int eq = content.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException(where + "expected 'group[/edge node[/device]] = site[/device id]'");
      }
      String key = content.substring(0, eq).strip();
      String value = content.substring(eq + 1).strip();
      String[] scope = key.split("/", -1);
      for (String part : scope) {
        if (!SparkplugTopic.isValidId(part.strip()) || !part.equals(part.strip())) {
          throw new IllegalArgumentException(where + "'" + key + "' is not group[/edge node[/device]]");
        }
      }
      if (scope.length > 3) {
        throw new IllegalArgumentException(where + "'" + key + "' has more than group/edge node/device");
      }
      String[] target = value.split("/", -1);
      for (String part : target) {
        if (!Identifier.isValid(part)) {
          throw new IllegalArgumentException(where + "'" + value + "': " + "'" + part
              + "' is not a fleetwatch identifier " + Identifier.SYNTAX);
        }
      }
      boolean duplicate;
      if (scope.length == 1) {
        if (target.length != 1) {
          throw new IllegalArgumentException(where + "a group maps to a site only, got '" + value + "'");
        }
        duplicate = siteByGroup.put(key, value) != null;
      } else {
        if (target.length != 2) {
          throw new IllegalArgumentException(where + "an edge node or device maps to site/device id, got '"
              + value + "'");
        }
        duplicate = byScope.put(key, new Target(target[0], target[1])) != null;
      }
      if (duplicate) {
        throw new IllegalArgumentException(where + "'" + key + "' is mapped twice");
      }
    }
    return new SparkplugIdentity(siteByGroup, byScope);
  }

  /**
   * The identity of the edge node or device a topic addresses.
   *
   * @throws IllegalArgumentException when the default rule gives no valid fleetwatch identifier
   */
  public Target resolve(SparkplugTopic topic) {
    return topic.device() == null ? resolveNode(topic.group(), topic.edgeNode())
        : resolveDevice(topic.group(), topic.edgeNode(), topic.device());
  }

  /** The identity of the edge node itself (for an edge node's death, which takes its devices with it). */
  public Target resolveNode(String group, String edgeNode) {
    Target override = byScope.get(group + "/" + edgeNode);
    return override != null ? override : defaultTarget(group, edgeNode, null);
  }

  /** The identity of a device behind an edge node. */
  public Target resolveDevice(String group, String edgeNode, String device) {
    Target override = byScope.get(group + "/" + edgeNode + "/" + device);
    return override != null ? override : defaultTarget(group, edgeNode, device);
  }

  private Target defaultTarget(String group, String edgeNode, String device) {
    String site = siteByGroup.getOrDefault(group, group);
    String deviceId = device == null ? edgeNode : edgeNode + "." + device;
    if (!Identifier.isValid(site)) {
      throw new IllegalArgumentException("group '" + group + "' is no fleetwatch site id " + Identifier.SYNTAX + ";"
          + " map it in " + SparkplugSettings.IDENTITY_FILE);
    }
    if (!Identifier.isValid(deviceId)) {
      throw new IllegalArgumentException("'" + deviceId + "' is no fleetwatch device id " + Identifier.SYNTAX + ";"
          + " map it in " + SparkplugSettings.IDENTITY_FILE);
    }
    return new Target(site, deviceId);
  }
}
