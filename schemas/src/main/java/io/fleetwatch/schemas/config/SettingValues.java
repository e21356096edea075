package io.fleetwatch.schemas.config;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Values of settings, each falling back to its definition's default: what a component's builder collects before it
 * validates. Not thread-safe.
 */
public final class SettingValues {
  private final Map<Setting<?>, Object> values = new HashMap<>();

  /** Sets a value ({@code null} clears a setting that has no default). */
  public <T> SettingValues set(Setting<T> setting, T value) {
    values.put(setting, value);
    return this;
  }

  /** The value set, else the default. */
  @SuppressWarnings("unchecked")
  public <T> T get(Setting<T> setting) {
    return values.containsKey(setting) ? (T) values.get(setting) : setting.defaultValue();
  }

  /** Reads every setting of {@code table} that is set in the environment or the properties (parsed, errors name the key). */
  public SettingValues readAll(SettingTable table, Map<String, String> env, Properties props) {
    for (Setting<?> s : table.settings()) {
      readInto(s, env, props);
    }
    return this;
  }

  private <T> void readInto(Setting<T> setting, Map<String, String> env, Properties props) {
    setting.read(env, props).ifPresent(v -> set(setting, v));
  }

  /** Every setting of {@code table} by key, as it may be shown (secrets {@link Setting#REDACTED}). */
  public Map<String, String> shown(SettingTable table) {
    Map<String, String> shown = new LinkedHashMap<>();
    table.settings().forEach(s -> shown.put(s.key(), s.shown(get(s))));
    return shown;
  }
}
