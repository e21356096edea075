package io.fleetwatch.gateway.sparkplug;

import java.nio.file.Path;

/**
 * Settings of the Sparkplug B source ({@code sparkplug.*} keys of the gateway configuration).
 *
 * @param enabled whether the gateway subscribes to Sparkplug B topics ({@code sparkplug.enabled}, default false)
 * @param groupFilter which Sparkplug groups: {@code +} for all, or one group id ({@code sparkplug.group.filter});
 *     the subscription is {@code spBv1.0/{groupFilter}/#}
 * @param identityFile file overriding the default site / device id of groups, edge nodes and devices, or
 *     {@code null} ({@code sparkplug.identity.file}, see {@link SparkplugIdentity})
 */
public record SparkplugSettings(boolean enabled, String groupFilter, Path identityFile) {
  public static final String ENABLED = "sparkplug.enabled";
  public static final String GROUP_FILTER = "sparkplug.group.filter";
  public static final String IDENTITY_FILE = "sparkplug.identity.file";
  /** Sparkplug disabled, all groups, no overrides. */
  public static final SparkplugSettings DISABLED = new SparkplugSettings(false, "+", null);

  /** Validates; the message of an {@link IllegalArgumentException} names the key. */
  public SparkplugSettings {
    if (groupFilter == null || groupFilter.isBlank()) {
      groupFilter = "+";
    }
    groupFilter = groupFilter.strip();
    if (!groupFilter.equals("+") && !SparkplugTopic.isValidId(groupFilter)) {
      throw new IllegalArgumentException("invalid " + GROUP_FILTER + " '" + groupFilter
          + "': must be + (all groups) or one group id (no /, +, #)");
    }
  }

  /** The MQTT subscription filter. */
  public String subscription() {
    return SparkplugTopic.NAMESPACE + "/" + groupFilter + "/#";
  }
}
