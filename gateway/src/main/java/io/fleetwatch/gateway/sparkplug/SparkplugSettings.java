package io.fleetwatch.gateway.sparkplug;

import io.fleetwatch.schemas.config.Setting;
import io.fleetwatch.schemas.config.SettingTable;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Settings of the Sparkplug B source ({@code sparkplug.*} keys of the gateway configuration, defined once in
 * {@link #TABLE}).
 *
 * @param enabled whether the gateway subscribes to Sparkplug B topics ({@code sparkplug.enabled}, default false)
 * @param groupFilter which Sparkplug groups: {@code +} for all, or one group id ({@code sparkplug.group.filter});
 *     the subscription is {@code spBv1.0/{groupFilter}/#}
 * @param identityFile file overriding the default site / device id of groups, edge nodes and devices, or
 *     {@code null} ({@code sparkplug.identity.file}, see {@link SparkplugIdentity})
 */
public record SparkplugSettings(boolean enabled, String groupFilter, Path identityFile) {
  public static final Setting<Boolean> ENABLED_SETTING = Setting.of("sparkplug.enabled", false, "`false`",
      "take Sparkplug B edge nodes on `spBv1.0/...` (`true` / `false`; see Sparkplug B)", Setting::bool);
  public static final Setting<String> GROUP_FILTER_SETTING = Setting.of("sparkplug.group.filter", "+", "`+`",
      "which Sparkplug groups: `+` for all, or one group id", Setting::string);
  public static final Setting<Path> IDENTITY_FILE_SETTING = Setting.of("sparkplug.identity.file", null,
      "none: the default identity rule",
      "file overriding the site / device id of Sparkplug groups, edge nodes and devices", (k, v) -> Path.of(v));
  /** The Sparkplug B keys of the gateway. */
  public static final SettingTable TABLE = new SettingTable("sparkplug", List.of(ENABLED_SETTING,
      GROUP_FILTER_SETTING, IDENTITY_FILE_SETTING));
  public static final String ENABLED = ENABLED_SETTING.key();
  public static final String GROUP_FILTER = GROUP_FILTER_SETTING.key();
  public static final String IDENTITY_FILE = IDENTITY_FILE_SETTING.key();
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

  /** Reads the settings from the environment and a properties file (may be {@code null}); the environment wins. */
  public static SparkplugSettings fromEnvironment(Map<String, String> env, Properties props) {
    return new SparkplugSettings(ENABLED_SETTING.value(env, props), GROUP_FILTER_SETTING.value(env, props),
        IDENTITY_FILE_SETTING.value(env, props));
  }

  /** The MQTT subscription filter. */
  public String subscription() {
    return SparkplugTopic.NAMESPACE + "/" + groupFilter + "/#";
  }
}
