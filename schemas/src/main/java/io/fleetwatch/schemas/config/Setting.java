package io.fleetwatch.schemas.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * The one definition of a configuration key: property name, type (its parser), default, documentation and whether
 * it is a secret. Property {@code a.b.c} is always environment variable {@code FLEETWATCH_A_B_C}; the environment wins
 * over a properties file. The README tables are generated from these definitions ({@link SettingTable#markdown()}).
 *
 * @param key property name, lower case with dots ({@code mqtt.uri})
 * @param defaultValue typed default, or {@code null} for none
 * @param defaultText the default as the README shows it
 * @param doc what the key means, one line of markdown
 * @param secret whether the value is never shown (logs, {@code toString})
 * @param parser turns the stripped text into the typed value; throws the component's error naming {@code key}
 * @param aliases further property names read when {@code key} is not set (older, shorter spellings)
 * @param <T> the value type
 */
public record Setting<T>(String key, T defaultValue, String defaultText, String doc, boolean secret,
    BiFunction<String, String, T> parser, List<String> aliases) {
  /** Prefix of every environment variable. */
  public static final String ENV_PREFIX = "FLEETWATCH_";
  /** What a secret value is shown as. */
  public static final String REDACTED = "[redacted]";
  private static final Pattern KEY = Pattern.compile("[a-z0-9]+(\\.[a-z0-9]+)*");
  private static final Pattern SECRET_KEY = Pattern.compile(
      "(?i).*(password|secret|jaas|token|credential|key\\.pem|keystore\\.key).*|(?i).*\\.key");

  public Setting {
    if (key == null || !KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("a setting key is lower case words joined by dots, got '" + key + "'");
    }
    aliases = List.copyOf(aliases);
  }

  /** A setting with a default; its README default is {@code defaultText}. */
  public static <T> Setting<T> of(String key, T defaultValue, String defaultText, String doc,
      BiFunction<String, String, T> parser) {
    return new Setting<>(key, defaultValue, defaultText, doc, false, parser, List.of());
  }

  /** A secret text setting without default; its value is never shown. */
  public static Setting<String> secret(String key, String defaultText, String doc) {
    return new Setting<>(key, null, defaultText, doc, true, (k, v) -> v, List.of());
  }

  /** This setting, also read under {@code alias} when not set itself. */
  public Setting<T> withAlias(String alias) {
    List<String> all = new java.util.ArrayList<>(aliases);
    all.add(alias);
    return new Setting<>(key, defaultValue, defaultText, doc, secret, parser, all);
  }

  /** The environment variable of this key. */
  public String envName() {
    return envName(key);
  }

  /** The environment variable of a property key: {@code mqtt.uri} → {@code FLEETWATCH_MQTT_URI}. */
  public static String envName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
  }

  /** The property key of an environment variable: {@code FLEETWATCH_MQTT_URI} → {@code mqtt.uri}. */
  public static String propertyName(String envName) {
    return envName.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
  }

  /**
   * The raw text of this setting, stripped: the environment variable, else the property, then the same for each
   * alias; empty when unset or blank.
   */
  public Optional<String> text(Map<String, String> env, Properties props) {
    for (String name : names()) {
      String value = env == null ? null : env.get(envName(name));
      if (value == null && props != null) {
        value = props.getProperty(name);
      }
      if (value != null && !value.isBlank()) {
        return Optional.of(value.strip());
      }
    }
    return Optional.empty();
  }

  /** The typed value when set (parsed, errors name the key), else empty. */
  public Optional<T> read(Map<String, String> env, Properties props) {
    return text(env, props).map(this::parse);
  }

  /** The typed value when set, else the default. */
  public T value(Map<String, String> env, Properties props) {
    return read(env, props).orElse(defaultValue);
  }

  /** Parses a text value of this key. */
  public T parse(String text) {
    return parser.apply(key, text);
  }

  /** {@code key} and its aliases, in the order they are read. */
  public List<String> names() {
    List<String> all = new java.util.ArrayList<>();
    all.add(key);
    all.addAll(aliases);
    return all;
  }

  /** {@code value} as it may be shown: {@link #REDACTED} for a secret that is set. */
  public String shown(Object value) {
    return value == null ? "none" : secret ? REDACTED : String.valueOf(value);
  }

  /** Whether a free-form key (a Kafka client setting) holds a secret, so its value is never shown. */
  public static boolean isSecretKey(String key) {
    return SECRET_KEY.matcher(key).matches();
  }

  /** A client setting's value as it may be shown. */
  public static String shownClientValue(String key, String value) {
    return isSecretKey(key) ? REDACTED : value;
  }
}
