package io.fleetwatch.app.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/** Reads a component's settings: a properties file, overridden by the environment. */
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

  static Map<String, String> merged(Path file, Map<String, String> env) {
    Properties props = file(file);
    Map<String, String> merged = new HashMap<>();
    props.stringPropertyNames().forEach(k -> merged.put(k, props.getProperty(k)));
    merged.putAll(env);
    return merged;
  }
}
