package io.fleetwatch.schemas.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * The settings of one component, in README order, with their markdown table. Each README holds the generated table
 * between {@code <!-- settings:NAME -->} and {@code <!-- /settings:NAME -->}.
 *
 * @param name the table's name in the README markers ({@code gateway}, {@code streams})
 * @param settings the definitions
 */
public record SettingTable(String name, List<Setting<?>> settings) {
  /** Prefix of Kafka client settings passed through. */
  public static final String CLIENT_PREFIX = "kafka.";
  private static final String CLIENT_ENV_PREFIX = Setting.envName(CLIENT_PREFIX);
  public SettingTable {
    settings = List.copyOf(settings);
    Set<String> seen = new LinkedHashSet<>();
    for (Setting<?> s : settings) {
      for (String n : s.names()) {
        if (!seen.add(n)) {
          throw new IllegalArgumentException(name + ": key " + n + " is defined twice");
        }
      }
    }
  }

  /** A table of {@code settings} and of each further table's settings after them. */
  public static SettingTable of(String name, List<Setting<?>> settings, SettingTable... more) {
    List<Setting<?>> all = new ArrayList<>(settings);
    for (SettingTable t : more) {
      all.addAll(t.settings());
    }
    return new SettingTable(name, all);
  }

  /** Every property key (not aliases), in order. */
  public Set<String> keys() {
    Set<String> keys = new LinkedHashSet<>();
    settings.forEach(s -> keys.add(s.key()));
    return Collections.unmodifiableSet(keys);
  }

  /** Settings by key. */
  public Map<String, Setting<?>> byKey() {
    Map<String, Setting<?>> map = new LinkedHashMap<>();
    settings.forEach(s -> map.put(s.key(), s));
    return map;
  }

  /**
   * Kafka client settings passed through: {@code kafka.<client key>} properties and
   * {@code FLEETWATCH_KAFKA_<CLIENT_KEY>} variables (which win), by client key, without the names this table
   * defines ({@code kafka.bootstrap.servers}).
   */
  public Map<String, String> clientSettings(Map<String, String> env, Properties props) {
    Set<String> defined = new LinkedHashSet<>();
    settings.forEach(s -> defined.addAll(s.names()));
    Map<String, String> clients = new TreeMap<>();
    if (props != null) {
      for (String key : props.stringPropertyNames()) {
        if (key.startsWith(CLIENT_PREFIX) && !defined.contains(key)) {
          clients.put(key.substring(CLIENT_PREFIX.length()), props.getProperty(key));
        }
      }
    }
    if (env != null) {
      env.forEach((name, value) -> {
        if (name.startsWith(CLIENT_ENV_PREFIX) && !defined.contains(Setting.propertyName(name))) {
          clients.put(Setting.propertyName(name).substring(CLIENT_PREFIX.length()), value);
        }
      });
    }
    return clients;
  }

  /** The opening marker of this table in a README. */
  public String startMarker() {
    return "<!-- settings:" + name + " (generated from the setting definitions; do not edit) -->";
  }

  /** The closing marker of this table in a README. */
  public String endMarker() {
    return "<!-- /settings:" + name + " -->";
  }

  /** The markdown table: property, environment variable, default, meaning. */
  public String markdown() {
    StringBuilder md = new StringBuilder("| property | environment | default | meaning |\n|---|---|---|---|\n");
    for (Setting<?> s : settings) {
      md.append("| `").append(s.key()).append('`');
      s.aliases().forEach(a -> md.append(" (or `").append(a).append("`)"));
      md.append(" | `").append(s.envName()).append("` | ").append(s.defaultText()).append(" | ").append(s.doc())
          .append(s.secret() ? "; never logged" : "").append(" |\n");
    }
    return md.toString();
  }

  /**
   * {@code readme} with the text between this table's markers replaced by {@link #markdown()}.
   *
   * @throws IllegalArgumentException when the markers are missing
   */
  public String renderInto(String readme) {
    int start = readme.indexOf(startMarker());
    int end = readme.indexOf(endMarker());
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("no " + startMarker() + " ... " + endMarker() + " in the README");
    }
    return readme.substring(0, start + startMarker().length()) + "\n" + markdown() + readme.substring(end);
  }
}
