package io.fleetwatch.app.cli;

import io.fleetwatch.schemas.config.Setting;
import io.fleetwatch.schemas.config.SettingTable;
import io.fleetwatch.streams.StreamsAppConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Reads a component's settings: a properties file overridden by the environment. Both components use the same
 * convention (defined once, in {@link Setting}): property {@code a.b.c} is environment variable
 * {@code FLEETWATCH_A_B_C}; Kafka client settings are {@code kafka.<client key>} / {@code FLEETWATCH_KAFKA_<CLIENT_KEY>}
 * (old names: {@link RenamedVariables}).
 */
final class Settings {
  private Settings() {}

  static Properties file(Path file) {
    Properties props = new Properties();
    if (file != null) {
      try (Reader r = Files.newBufferedReader(file)) {
        props.load(r);
      } catch (IOException e) {
        throw new IllegalArgumentException("--config: cannot read " + file + ": " + e.getMessage(), e);
      }
    }
    return props;
  }

  /**
   * Settings of the streams app in the key style of {@link StreamsAppConfig#from(Map)} (environment names of its
   * settings, {@code kafka.*} client keys), from a properties file and the environment (which wins).
   */
  static Map<String, String> forStreams(Path file, Map<String, String> env) {
    Properties props = file(file);
    SettingTable table = StreamsAppConfig.Definitions.TABLE;
    Map<String, String> merged = new HashMap<>();
    for (Setting<?> setting : table.settings()) {
      setting.text(env, props).ifPresent(v -> merged.put(setting.envName(), v));
    }
    table.clientSettings(env, props).forEach((k, v) -> merged.put(SettingTable.CLIENT_PREFIX + k, v));
    return merged;
  }
}
