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
   * The raw text of this setting, stripped: the environment variable of the key or of an alias, else the property
   * (the key, then its aliases); empty when unset or blank. The environment wins over the file.
   */
  public Optional<String> text(Map<String, String> env, Properties props) {
    for (String name : names()) {
      Optional<String> value = nonBlank(env == null ? null : env.get(envName(name)));
      if (value.isPresent()) {
        return value;
      }
    }
    for (String name : names()) {
      Optional<String> value = nonBlank(props == null ? null : props.getProperty(name));
      if (value.isPresent()) {
        return value;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> nonBlank(String value) {
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
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

  /** The error for a bad value, naming the key and its environment variable. */
  public static IllegalArgumentException invalid(String key, String value, String why) {
    return new IllegalArgumentException("invalid " + key + " (" + envName(key) + ") '" + value + "': " + why);
  }

  /** The error for a required key that is not set. */
  public static IllegalArgumentException missing(String key) {
    return new IllegalArgumentException(key + " (" + envName(key) + ") is required");
  }

  /** Parses an integer, or throws {@link #invalid} naming the key. */
  public static int integer(String key, String text) {
    try {
      return Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw invalid(key, text, "must be an integer");
    }
  }

  /** Parses a whole number of seconds, or throws {@link #invalid} naming the key. */
  public static java.time.Duration seconds(String key, String text) {
    try {
      return java.time.Duration.ofSeconds(Long.parseLong(text.strip()));
    } catch (NumberFormatException e) {
      throw invalid(key, text, "must be an integer");
    }
  }

  /** Parses {@code true} or {@code false} (any case), or throws {@link #invalid} naming the key. */
  public static boolean bool(String key, String text) {
    switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "true":
        return true;
      case "false":
        return false;
      default:
        throw invalid(key, text, "must be true or false");
    }
  }

  /** The text itself (a string setting). */
  public static String string(String key, String text) {
    return text;
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
