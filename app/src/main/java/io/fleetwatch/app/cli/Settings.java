package io.fleetwatch.app.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Reads a component's settings: a properties file overridden by the environment. Both components use the same
 * convention: property {@code a.b.c} is environment variable {@code FLEETWATCH_A_B_C}; Kafka client settings are
 * {@code kafka.<client key>} / {@code FLEETWATCH_KAFKA_<CLIENT_KEY>}; the bootstrap servers are
 * {@code kafka.bootstrap.servers} / {@code FLEETWATCH_KAFKA_BOOTSTRAP_SERVERS} (old names: {@link RenamedVariables}).
 */
final class Settings {
  static final String ENV_PREFIX = "FLEETWATCH_";
  private static final String KAFKA_ENV_PREFIX = "FLEETWATCH_KAFKA_";
  private static final String BOOTSTRAP_ENV = "FLEETWATCH_KAFKA_BOOTSTRAP";
  private static final String BOOTSTRAP_SERVERS_ENV = "FLEETWATCH_KAFKA_BOOTSTRAP_SERVERS";

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
   * Settings of the streams app in its own key style ({@code FLEETWATCH_*} names and {@code kafka.*} client
   * keys), from a properties file in property style and the environment (which wins).
   */
  static Map<String, String> forStreams(Path file, Map<String, String> env) {
    Map<String, String> merged = new HashMap<>();
    Properties props = file(file);
    for (String key : props.stringPropertyNames()) {
      put(merged, key, props.getProperty(key));
    }
    for (Map.Entry<String, String> e : env.entrySet()) {
      String key = e.getKey();
      if (key.equals(BOOTSTRAP_ENV) || key.equals(BOOTSTRAP_SERVERS_ENV)) {
        merged.put(BOOTSTRAP_ENV, e.getValue());
      } else if (key.startsWith(KAFKA_ENV_PREFIX)) {
        merged.put("kafka." + key.substring(KAFKA_ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'),
            e.getValue());
      } else if (key.startsWith(ENV_PREFIX)) {
        merged.put(key, e.getValue());
      }
    }
    return merged;
  }

  private static void put(Map<String, String> merged, String key, String value) {
    if (key.equals("kafka.bootstrap.servers") || key.equals("kafka.bootstrap")) {
      merged.put(BOOTSTRAP_ENV, value);
    } else if (key.startsWith("kafka.")) {
      merged.put(key, value);
    } else {
      merged.put(ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_'), value);
    }
  }
}
