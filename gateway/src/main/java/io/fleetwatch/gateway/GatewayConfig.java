package io.fleetwatch.gateway;

import io.fleetwatch.gateway.mapping.MqttTopicParser;
import io.fleetwatch.gateway.mapping.PayloadParser;
import io.fleetwatch.gateway.source.JsonSourcesConfig;
import io.fleetwatch.gateway.sparkplug.SparkplugSettings;
import io.fleetwatch.schemas.Topics;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Settings of the gateway, read once and validated at start-up.
 *
 * <p>Read with {@link #fromEnvironment(Map, Properties)} from a properties file and environment variables (the
 * environment wins), or built in code with {@link #builder()}. Every property key has an environment twin:
 * {@code FLEETWATCH_} + the key upper-cased with dots as underscores ({@code mqtt.uri} ↔
 * {@code FLEETWATCH_MQTT_URI}). Kafka client settings pass through from {@code kafka.*} properties and
 * {@code FLEETWATCH_KAFKA_*} variables ({@code FLEETWATCH_KAFKA_SECURITY_PROTOCOL} ↔
 * {@code kafka.security.protocol} ↔ client setting {@code security.protocol}). {@link #toString()} redacts secrets.
 *
 * @param mqttServerUri broker URI, {@code tcp://host:port} or {@code ssl://host:port} ({@code mqtt.uri})
 * @param mqttClientId MQTT client id; with {@code cleanStart=false} it names the persistent session, so each
 *     gateway instance needs its own ({@code mqtt.client.id})
 * @param mqttUsername user name or {@code null} ({@code mqtt.username})
 * @param mqttPassword password or {@code null}; never logged ({@code mqtt.password})
 * @param shareGroup MQTT 5 shared-subscription group or {@code null} for a plain subscription
 *     ({@code mqtt.share.group})
 * @param topicRoot first topic segment ({@code mqtt.topic.root})
 * @param receiveMaximum MQTT 5 Receive Maximum: unacknowledged QoS 1 messages the broker may send at once; the
 *     gateway's in-flight bound ({@code mqtt.receive.maximum})
 * @param sessionExpiry how long the broker keeps the session while the gateway is away
 *     ({@code mqtt.session.expiry.seconds})
 * @param keepAlive MQTT keep-alive interval ({@code mqtt.keepalive.seconds})
 * @param tls trust and key stores for {@code ssl://} URIs, or {@code null} for the JVM defaults
 *     ({@code mqtt.tls.*})
 * @param maxPayloadBytes payload size limit ({@code gateway.max.payload.bytes})
 * @param maxFutureSkew how far a device {@code ts} may be ahead of the gateway clock
 *     ({@code gateway.max.future.skew.seconds})
 * @param eventTypes accepted event types ({@code gateway.event.types}, comma-separated)
 * @param kafkaBootstrapServers Kafka bootstrap servers ({@code kafka.bootstrap.servers}, alias {@code kafka.bootstrap})
 * @param topicPrefix Kafka topic name prefix ({@code topic.prefix})
 * @param kafkaOverrides further Kafka producer settings, by client key ({@code kafka.*})
 * @param sparkplug Sparkplug B source settings ({@code sparkplug.*}; see {@link SparkplugSettings})
 * @param jsonSources SenML and declarative-mapping source settings ({@code senml.*}, {@code mappings.file}; see
 *     {@link JsonSourcesConfig})
 */
public record GatewayConfig(
    String mqttServerUri,
    String mqttClientId,
    String mqttUsername,
    String mqttPassword,
    String shareGroup,
    String topicRoot,
    int receiveMaximum,
    Duration sessionExpiry,
    Duration keepAlive,
    TlsStores tls,
    int maxPayloadBytes,
    Duration maxFutureSkew,
    Set<String> eventTypes,
    String kafkaBootstrapServers,
    String topicPrefix,
    Map<String, String> kafkaOverrides,
    SparkplugSettings sparkplug,
    JsonSourcesConfig jsonSources) {

  public static final String DEFAULT_MQTT_URI = "tcp://127.0.0.1:1883";
  public static final String DEFAULT_CLIENT_ID = "fleetwatch-gateway";
  public static final int DEFAULT_RECEIVE_MAXIMUM = 1000;
  public static final Duration DEFAULT_SESSION_EXPIRY = Duration.ofHours(1);
  public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(30);
  public static final String DEFAULT_KAFKA_BOOTSTRAP = "127.0.0.1:9092";
  /** Largest accepted payload limit; Kafka's default request size of 1 MiB must still hold the record. */
  public static final int MAX_PAYLOAD_LIMIT = 900 * 1024;
  private static final long MAX_SESSION_EXPIRY_SECONDS = 0xFFFFFFFFL;
  private static final String REDACTED = "<redacted>";

  /** Property keys. */
  public static final String MQTT_URI = "mqtt.uri";
  public static final String MQTT_CLIENT_ID = "mqtt.client.id";
  public static final String MQTT_USERNAME = "mqtt.username";
  public static final String MQTT_PASSWORD = "mqtt.password";
  public static final String MQTT_SHARE_GROUP = "mqtt.share.group";
  public static final String MQTT_TOPIC_ROOT = "mqtt.topic.root";
  public static final String MQTT_RECEIVE_MAXIMUM = "mqtt.receive.maximum";
  public static final String MQTT_SESSION_EXPIRY_SECONDS = "mqtt.session.expiry.seconds";
  public static final String MQTT_KEEPALIVE_SECONDS = "mqtt.keepalive.seconds";
  public static final String MQTT_TLS_TRUSTSTORE_PATH = "mqtt.tls.truststore.path";
  public static final String MQTT_TLS_TRUSTSTORE_PASSWORD = "mqtt.tls.truststore.password";
  public static final String MQTT_TLS_KEYSTORE_PATH = "mqtt.tls.keystore.path";
  public static final String MQTT_TLS_KEYSTORE_PASSWORD = "mqtt.tls.keystore.password";
  public static final String MAX_PAYLOAD_BYTES = "gateway.max.payload.bytes";
  public static final String MAX_FUTURE_SKEW_SECONDS = "gateway.max.future.skew.seconds";
  public static final String EVENT_TYPES = "gateway.event.types";
  public static final String KAFKA_BOOTSTRAP_SERVERS = "kafka.bootstrap.servers";
  /** Shorter alias of {@link #KAFKA_BOOTSTRAP_SERVERS}, the key the streams app reads ({@code FLEETWATCH_KAFKA_BOOTSTRAP}). */
  public static final String KAFKA_BOOTSTRAP_ALIAS = "kafka.bootstrap";
  public static final String TOPIC_PREFIX = "topic.prefix";
  /** Prefix of Kafka client pass-through properties. */
  public static final String KAFKA_PREFIX = "kafka.";
  /** Prefix of all environment variables. */
  public static final String ENV_PREFIX = "FLEETWATCH_";
  private static final String KAFKA_ENV_PREFIX = "FLEETWATCH_KAFKA_";

  // ---- Payload sources besides the native contract (one block per source) ----
  /** Sparkplug B: {@code sparkplug.enabled}, {@code sparkplug.group.filter}, {@code sparkplug.identity.file}. */
  public static final Set<String> SPARKPLUG_KEYS = Set.of(SparkplugSettings.ENABLED, SparkplugSettings.GROUP_FILTER,
      SparkplugSettings.IDENTITY_FILE);
  /** SenML and declarative mappings: {@code senml.topics}, {@code senml.units.file}, {@code mappings.file}. */
  public static final Set<String> JSON_SOURCE_KEYS = JsonSourcesConfig.KEYS;
  // ---- end of payload source keys ----

  /** Every key this record reads (besides {@code kafka.*}). */
  public static final Set<String> KEYS = union(Set.of(MQTT_URI, MQTT_CLIENT_ID, MQTT_USERNAME, MQTT_PASSWORD,
      MQTT_SHARE_GROUP, MQTT_TOPIC_ROOT, MQTT_RECEIVE_MAXIMUM, MQTT_SESSION_EXPIRY_SECONDS, MQTT_KEEPALIVE_SECONDS,
      MQTT_TLS_TRUSTSTORE_PATH, MQTT_TLS_TRUSTSTORE_PASSWORD, MQTT_TLS_KEYSTORE_PATH, MQTT_TLS_KEYSTORE_PASSWORD,
      MAX_PAYLOAD_BYTES, MAX_FUTURE_SKEW_SECONDS, EVENT_TYPES, KAFKA_BOOTSTRAP_SERVERS, TOPIC_PREFIX), union(SPARKPLUG_KEYS, JSON_SOURCE_KEYS));

  private static Set<String> union(Set<String> first, Set<String> second) {
    Set<String> all = new LinkedHashSet<>(first);
    all.addAll(second);
    return Collections.unmodifiableSet(all);
  }

  /**
   * Trust store (to verify the broker) and optional key store (client certificate) for TLS to the broker.
   * PKCS#12 or JKS files.
   *
   * @param trustStore trust store path or {@code null} for the JVM's default trust
   * @param trustStorePassword its password or {@code null}
   * @param keyStore key store with the client certificate and key, or {@code null}
   * @param keyStorePassword its password (also the key's) or {@code null}
   */
  public record TlsStores(Path trustStore, String trustStorePassword, Path keyStore, String keyStorePassword) {
    public TlsStores {
      if (trustStore == null && keyStore == null) {
        throw new IllegalArgumentException("TLS settings need a trust store or a key store");
      }
    }

    @Override
    public String toString() {
      return "TlsStores[trustStore=" + trustStore + ", trustStorePassword=" + redact(trustStorePassword)
          + ", keyStore=" + keyStore + ", keyStorePassword=" + redact(keyStorePassword) + "]";
    }
  }

  /** Validates every setting; the message of an {@link IllegalArgumentException} names the property key. */
  public GatewayConfig {
    mqttServerUri = required(MQTT_URI, mqttServerUri);
    String scheme = schemeOf(mqttServerUri);
    if (!scheme.equals("tcp") && !scheme.equals("ssl")) {
      throw bad(MQTT_URI, mqttServerUri, "scheme must be tcp:// or ssl://");
    }
    if (tls != null && !scheme.equals("ssl")) {
      throw bad(MQTT_URI, mqttServerUri, "TLS stores are configured, so the URI must be ssl://host:port");
    }
    mqttClientId = required(MQTT_CLIENT_ID, mqttClientId);
    if (mqttClientId.length() > 65535) {
      throw bad(MQTT_CLIENT_ID, "<" + mqttClientId.length() + " chars>", "too long");
    }
    mqttUsername = blankToNull(mqttUsername);
    mqttPassword = blankToNull(mqttPassword);
    if (mqttPassword != null && mqttUsername == null) {
      throw new IllegalArgumentException(MQTT_PASSWORD + " is set but " + MQTT_USERNAME + " is not");
    }
    shareGroup = blankToNull(shareGroup);
    if (shareGroup != null && !MqttTopicParser.isIdentifier(shareGroup)) {
      throw bad(MQTT_SHARE_GROUP, shareGroup, "must match [A-Za-z0-9._-]{1,64}");
    }
    topicRoot = required(MQTT_TOPIC_ROOT, topicRoot);
    if (!MqttTopicParser.isIdentifier(topicRoot)) {
      throw bad(MQTT_TOPIC_ROOT, topicRoot, "must match [A-Za-z0-9._-]{1,64}");
    }
    if (receiveMaximum < 1 || receiveMaximum > 65535) {
      throw bad(MQTT_RECEIVE_MAXIMUM, String.valueOf(receiveMaximum), "must be 1-65535");
    }
    Objects.requireNonNull(sessionExpiry, MQTT_SESSION_EXPIRY_SECONDS);
    if (sessionExpiry.isNegative() || sessionExpiry.getSeconds() > MAX_SESSION_EXPIRY_SECONDS) {
      throw bad(MQTT_SESSION_EXPIRY_SECONDS, String.valueOf(sessionExpiry.getSeconds()), "must be 0-4294967295");
    }
    Objects.requireNonNull(keepAlive, MQTT_KEEPALIVE_SECONDS);
    if (keepAlive.getSeconds() < 1 || keepAlive.getSeconds() > 65535) {
      throw bad(MQTT_KEEPALIVE_SECONDS, String.valueOf(keepAlive.getSeconds()), "must be 1-65535");
    }
    if (maxPayloadBytes < 1 || maxPayloadBytes > MAX_PAYLOAD_LIMIT) {
      throw bad(MAX_PAYLOAD_BYTES, String.valueOf(maxPayloadBytes), "must be 1-" + MAX_PAYLOAD_LIMIT);
    }
    Objects.requireNonNull(maxFutureSkew, MAX_FUTURE_SKEW_SECONDS);
    if (maxFutureSkew.isNegative()) {
      throw bad(MAX_FUTURE_SKEW_SECONDS, String.valueOf(maxFutureSkew.getSeconds()), "must not be negative");
    }
    Objects.requireNonNull(eventTypes, EVENT_TYPES);
    if (eventTypes.isEmpty()) {
      throw bad(EVENT_TYPES, "", "must list at least one event type");
    }
    for (String type : eventTypes) {
      if (type == null || !MqttTopicParser.isIdentifier(type)) {
        throw bad(EVENT_TYPES, String.valueOf(type), "each event type must match [A-Za-z0-9._-]{1,64}");
      }
    }
    eventTypes = Collections.unmodifiableSet(new LinkedHashSet<>(eventTypes));
    kafkaBootstrapServers = required(KAFKA_BOOTSTRAP_SERVERS, kafkaBootstrapServers);
    Objects.requireNonNull(topicPrefix, TOPIC_PREFIX);
    try {
      new Topics(topicPrefix);
    } catch (IllegalArgumentException e) {
      throw bad(TOPIC_PREFIX, topicPrefix, "must match [A-Za-z0-9._-]{0,200}");
    }
    kafkaOverrides = Collections.unmodifiableMap(new TreeMap<>(kafkaOverrides == null ? Map.of() : kafkaOverrides));
    checkKafkaOverrides(kafkaOverrides);
    sparkplug = sparkplug == null ? SparkplugSettings.DISABLED : sparkplug;
    jsonSources = jsonSources == null ? JsonSourcesConfig.NONE : jsonSources;
  }

  /** A builder with every default set; {@link Builder#build()} validates. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder pre-filled with this config's values. */
  public Builder toBuilder() {
    return new Builder()
        .mqttServerUri(mqttServerUri).mqttClientId(mqttClientId).mqttCredentials(mqttUsername, mqttPassword)
        .shareGroup(shareGroup).topicRoot(topicRoot).receiveMaximum(receiveMaximum).sessionExpiry(sessionExpiry)
        .keepAlive(keepAlive).tls(tls).maxPayloadBytes(maxPayloadBytes).maxFutureSkew(maxFutureSkew)
        .eventTypes(eventTypes).kafkaBootstrapServers(kafkaBootstrapServers).topicPrefix(topicPrefix)
        .kafkaOverrides(kafkaOverrides).sparkplug(sparkplug).jsonSources(jsonSources);
  }

  /**
   * Reads the configuration from a properties file (may be {@code null}) and the environment; environment
   * variables win over file properties.
   *
   * @throws IllegalArgumentException naming the key of the first invalid setting
   */
  public static GatewayConfig fromEnvironment(Map<String, String> env, Properties fileProps) {
    Map<String, String> env0 = env == null ? Map.of() : env;
    Properties props = fileProps == null ? new Properties() : fileProps;
    Function<String, String> get = key -> {
      String fromEnv = env0.get(envName(key));
      if (fromEnv != null) {
        return fromEnv;
      }
      return props.getProperty(key);
    };
    Map<String, String> overrides = new TreeMap<>();
    for (String key : props.stringPropertyNames()) {
      if (key.startsWith(KAFKA_PREFIX) && !key.equals(KAFKA_BOOTSTRAP_SERVERS) && !key.equals(KAFKA_BOOTSTRAP_ALIAS)) {
        overrides.put(key.substring(KAFKA_PREFIX.length()), props.getProperty(key));
      }
    }
    for (Map.Entry<String, String> e : env0.entrySet()) {
      if (e.getKey().startsWith(KAFKA_ENV_PREFIX) && !e.getKey().equals(envName(KAFKA_BOOTSTRAP_SERVERS))
          && !e.getKey().equals(envName(KAFKA_BOOTSTRAP_ALIAS))) {
        String clientKey = e.getKey().substring(KAFKA_ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
        overrides.put(clientKey, e.getValue());
      }
    }
    Builder b = builder();
    ifSet(get, MQTT_URI, b::mqttServerUri);
    ifSet(get, MQTT_CLIENT_ID, b::mqttClientId);
    b.mqttCredentials(get.apply(MQTT_USERNAME), get.apply(MQTT_PASSWORD));
    ifSet(get, MQTT_SHARE_GROUP, b::shareGroup);
    ifSet(get, MQTT_TOPIC_ROOT, b::topicRoot);
    ifSet(get, MQTT_RECEIVE_MAXIMUM, v -> b.receiveMaximum(parseInt(MQTT_RECEIVE_MAXIMUM, v)));
    ifSet(get, MQTT_SESSION_EXPIRY_SECONDS,
        v -> b.sessionExpiry(Duration.ofSeconds(parseLong(MQTT_SESSION_EXPIRY_SECONDS, v))));
    ifSet(get, MQTT_KEEPALIVE_SECONDS, v -> b.keepAlive(Duration.ofSeconds(parseLong(MQTT_KEEPALIVE_SECONDS, v))));
    String trustStore = blankToNull(get.apply(MQTT_TLS_TRUSTSTORE_PATH));
    String keyStore = blankToNull(get.apply(MQTT_TLS_KEYSTORE_PATH));
    if (trustStore != null || keyStore != null) {
      b.tls(new TlsStores(trustStore == null ? null : Path.of(trustStore), get.apply(MQTT_TLS_TRUSTSTORE_PASSWORD),
          keyStore == null ? null : Path.of(keyStore), get.apply(MQTT_TLS_KEYSTORE_PASSWORD)));
    } else if (get.apply(MQTT_TLS_TRUSTSTORE_PASSWORD) != null || get.apply(MQTT_TLS_KEYSTORE_PASSWORD) != null) {
      throw new IllegalArgumentException("a TLS store password is set but neither " + MQTT_TLS_TRUSTSTORE_PATH
          + " nor " + MQTT_TLS_KEYSTORE_PATH + " is");
    }
    ifSet(get, MAX_PAYLOAD_BYTES, v -> b.maxPayloadBytes(parseInt(MAX_PAYLOAD_BYTES, v)));
    ifSet(get, MAX_FUTURE_SKEW_SECONDS,
        v -> b.maxFutureSkew(Duration.ofSeconds(parseLong(MAX_FUTURE_SKEW_SECONDS, v))));
    ifSet(get, EVENT_TYPES, v -> {
      Set<String> types = new LinkedHashSet<>();
      for (String part : v.split(",")) {
        if (!part.isBlank()) {
          types.add(part.strip());
        }
      }
      b.eventTypes(types);
    });
    String envBootstrap = firstNonBlank(env0.get(envName(KAFKA_BOOTSTRAP_SERVERS)), env0.get(envName(KAFKA_BOOTSTRAP_ALIAS)));
    String bootstrap = envBootstrap != null ? envBootstrap
        : firstNonBlank(props.getProperty(KAFKA_BOOTSTRAP_SERVERS), props.getProperty(KAFKA_BOOTSTRAP_ALIAS));
    if (bootstrap != null) {
      b.kafkaBootstrapServers(bootstrap.strip());
    }
    String prefix = get.apply(TOPIC_PREFIX);
    if (prefix != null) {
      b.topicPrefix(prefix.strip());
    }
    b.kafkaOverrides(overrides);
    b.sparkplug(sparkplugSettings(get));
    b.jsonSources(JsonSourcesConfig.fromEnvironment(env, props));
    return b.build();
  }

  // ---- Payload sources besides the native contract ----

  private static SparkplugSettings sparkplugSettings(Function<String, String> get) {
    String identity = blankToNull(get.apply(SparkplugSettings.IDENTITY_FILE));
    return new SparkplugSettings(parseBoolean(SparkplugSettings.ENABLED, get.apply(SparkplugSettings.ENABLED)),
        get.apply(SparkplugSettings.GROUP_FILTER), identity == null ? null : Path.of(identity.strip()));
  }

  private static boolean parseBoolean(String key, String value) {
    if (value == null || value.isBlank()) {
      return false;
    }
    switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "true":
        return true;
      case "false":
        return false;
      default:
        throw bad(key, value, "must be true or false");
    }
  }

  // ---- end of payload sources ----

  /** The environment variable that sets a property key: {@code mqtt.uri} → {@code FLEETWATCH_MQTT_URI}. */
  public static String envName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
  }

  /** The MQTT subscription filter: {@code root/+/+/+}, or {@code $share/group/root/+/+/+} with a share group. */
  public String subscriptionFilter() {
    return shared(topicRoot + "/+/+/+");
  }

  /** {@code filter} as this gateway subscribes to it: under {@code $share/{group}/} with a share group. */
  public String shared(String filter) {
    return shareGroup == null ? filter : "$share/" + shareGroup + "/" + filter;
  }

  /** The Kafka topic catalogue for {@link #topicPrefix()}. */
  public Topics topics() {
    return new Topics(topicPrefix);
  }

  /** The payload parser these settings describe. */
  public PayloadParser payloadParser() {
    return new PayloadParser(maxPayloadBytes, maxFutureSkew, eventTypes);
  }

  @Override
  public String toString() {
    Map<String, String> kafka = new TreeMap<>();
    kafkaOverrides.forEach((k, v) -> kafka.put(k, isSecretKey(k) ? REDACTED : v));
    return "GatewayConfig[mqttServerUri=" + mqttServerUri + ", mqttClientId=" + mqttClientId
        + ", mqttUsername=" + mqttUsername + ", mqttPassword=" + redact(mqttPassword)
        + ", shareGroup=" + shareGroup + ", topicRoot=" + topicRoot + ", receiveMaximum=" + receiveMaximum
        + ", sessionExpiry=" + sessionExpiry + ", keepAlive=" + keepAlive + ", tls=" + tls
        + ", maxPayloadBytes=" + maxPayloadBytes + ", maxFutureSkew=" + maxFutureSkew + ", eventTypes=" + eventTypes
        + ", kafkaBootstrapServers=" + kafkaBootstrapServers + ", topicPrefix=" + topicPrefix
        + ", kafkaOverrides=" + kafka + ", sparkplug=" + sparkplug + ", jsonSources=" + jsonSources + "]";
  }

  static boolean isSecretKey(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.contains("password") || k.contains("secret") || k.contains("jaas") || k.contains("token")
        || k.contains("credential") || k.endsWith(".key") || k.contains("key.password");
  }

  private static String redact(String secret) {
    return secret == null ? "<none>" : REDACTED;
  }

  private static void checkKafkaOverrides(Map<String, String> overrides) {
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      String key = e.getKey();
      String value = e.getValue() == null ? "" : e.getValue().strip();
      String property = KAFKA_PREFIX + key;
      switch (key) {
        case "acks":
          if (!value.equals("all") && !value.equals("-1")) {
            throw bad(property, value, "the gateway acknowledges MQTT only after acks=all; it cannot be changed");
          }
          break;
        case "enable.idempotence":
          if (!value.equalsIgnoreCase("true")) {
            throw bad(property, value, "the gateway needs the idempotent producer; it cannot be disabled");
          }
          break;
        case "max.in.flight.requests.per.connection":
          int inFlight = parseInt(property, value);
          if (inFlight < 1 || inFlight > 5) {
            throw bad(property, value, "must be 1-5 for the idempotent producer to keep order");
          }
          break;
        case "key.serializer":
        case "value.serializer":
        case "bootstrap.servers":
          throw new IllegalArgumentException(property + " cannot be overridden"
              + (key.equals("bootstrap.servers") ? "; set " + KAFKA_BOOTSTRAP_SERVERS : ": the gateway sets it"));
        default:
          if (key.isBlank()) {
            throw bad(property, value, "empty Kafka client key");
          }
      }
    }
  }

  private static String schemeOf(String uri) {
    try {
      URI parsed = new URI(uri);
      if (parsed.getScheme() == null || parsed.getHost() == null) {
        throw bad(MQTT_URI, uri, "must look like tcp://host:port or ssl://host:port");
      }
      return parsed.getScheme().toLowerCase(Locale.ROOT);
    } catch (URISyntaxException e) {
      throw bad(MQTT_URI, uri, "not a URI: " + e.getReason());
    }
  }

  private static void ifSet(Function<String, String> get, String key, java.util.function.Consumer<String> then) {
    String value = get.apply(key);
    if (value != null && !value.isBlank()) {
      then.accept(value.strip());
    }
  }

  private static int parseInt(String key, String value) {
    try {
      return Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw bad(key, value, "must be an integer");
    }
  }

  private static long parseLong(String key, String value) {
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw bad(key, value, "must be an integer");
    }
  }

  private static String required(String key, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(key + " (" + envName(key) + ") is required");
    }
    return value.strip();
  }

  private static String firstNonBlank(String first, String second) {
    return first != null && !first.isBlank() ? first : blankToNull(second);
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  private static IllegalArgumentException bad(String key, String value, String why) {
    return new IllegalArgumentException("invalid " + key + " (" + envName(key) + ") '" + value + "': " + why);
  }

  /** Mutable builder for {@link GatewayConfig}, starting from the defaults. */
  public static final class Builder {
    private String mqttServerUri = DEFAULT_MQTT_URI;
    private String mqttClientId = DEFAULT_CLIENT_ID;
    private String mqttUsername;
    private String mqttPassword;
    private String shareGroup;
    private String topicRoot = MqttTopicParser.DEFAULT_ROOT;
    private int receiveMaximum = DEFAULT_RECEIVE_MAXIMUM;
    private Duration sessionExpiry = DEFAULT_SESSION_EXPIRY;
    private Duration keepAlive = DEFAULT_KEEP_ALIVE;
    private TlsStores tls;
    private int maxPayloadBytes = PayloadParser.DEFAULT_MAX_PAYLOAD_BYTES;
    private Duration maxFutureSkew = PayloadParser.DEFAULT_MAX_FUTURE_SKEW;
    private Set<String> eventTypes = PayloadParser.DEFAULT_EVENT_TYPES;
    private String kafkaBootstrapServers = DEFAULT_KAFKA_BOOTSTRAP;
    private String topicPrefix = Topics.DEFAULT_PREFIX;
    private Map<String, String> kafkaOverrides = Map.of();
    private SparkplugSettings sparkplug = SparkplugSettings.DISABLED;
    private JsonSourcesConfig jsonSources = JsonSourcesConfig.NONE;

    private Builder() {}

    /** SenML and declarative-mapping source settings. */
    public Builder jsonSources(JsonSourcesConfig v) {
      jsonSources = v;
      return this;
    }

    /** Sparkplug B source settings. */
    public Builder sparkplug(SparkplugSettings v) {
      sparkplug = v;
      return this;
    }

    public Builder mqttServerUri(String v) {
      mqttServerUri = v;
      return this;
    }

    public Builder mqttClientId(String v) {
      mqttClientId = v;
      return this;
    }

    public Builder mqttCredentials(String username, String password) {
      mqttUsername = username;
      mqttPassword = password;
      return this;
    }

    public Builder shareGroup(String v) {
      shareGroup = v;
      return this;
    }

    public Builder topicRoot(String v) {
      topicRoot = v;
      return this;
    }

    public Builder receiveMaximum(int v) {
      receiveMaximum = v;
      return this;
    }

    public Builder sessionExpiry(Duration v) {
      sessionExpiry = v;
      return this;
    }

    public Builder keepAlive(Duration v) {
      keepAlive = v;
      return this;
    }

    public Builder tls(TlsStores v) {
      tls = v;
      return this;
    }

    public Builder maxPayloadBytes(int v) {
      maxPayloadBytes = v;
      return this;
    }

    public Builder maxFutureSkew(Duration v) {
      maxFutureSkew = v;
      return this;
    }

    public Builder eventTypes(Set<String> v) {
      eventTypes = v;
      return this;
    }

    public Builder kafkaBootstrapServers(String v) {
      kafkaBootstrapServers = v;
      return this;
    }

    public Builder topicPrefix(String v) {
      topicPrefix = v;
      return this;
    }

    /** Kafka producer settings by client key ({@code security.protocol}, {@code sasl.mechanism}, ...). */
    public Builder kafkaOverrides(Map<String, String> v) {
      kafkaOverrides = v;
      return this;
    }

    /** Validates and builds. @throws IllegalArgumentException naming the bad key */
    public GatewayConfig build() {
      return new GatewayConfig(mqttServerUri, mqttClientId, mqttUsername, mqttPassword, shareGroup, topicRoot,
          receiveMaximum, sessionExpiry, keepAlive, tls, maxPayloadBytes, maxFutureSkew, eventTypes,
          kafkaBootstrapServers, topicPrefix, kafkaOverrides, sparkplug, jsonSources);
    }
  }
}
