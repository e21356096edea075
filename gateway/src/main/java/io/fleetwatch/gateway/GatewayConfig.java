package io.fleetwatch.gateway;

import io.fleetwatch.gateway.mapping.MqttTopicParser;
import io.fleetwatch.gateway.mapping.PayloadParser;
import io.fleetwatch.gateway.source.JsonSourcesConfig;
import io.fleetwatch.gateway.sparkplug.SparkplugSettings;
import io.fleetwatch.schemas.Identifier;
import io.fleetwatch.schemas.Topics;
import io.fleetwatch.schemas.config.Setting;
import io.fleetwatch.schemas.config.SettingTable;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
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

  /**
   * The one definition of each gateway key (property, environment variable, default, meaning, secret, parser); the
   * README table is generated from {@link #TABLE}. Adding a key: a definition here (and in {@code TABLE}), a record
   * component with its check in the constructor, its builder setter, its line in {@code fromEnvironment}, then
   * regenerate the README tables ({@code ConfigReadmeTest}).
   */
  public static final class Definitions {
    public static final Setting<String> MQTT_URI = Setting.of("mqtt.uri", "tcp://127.0.0.1:1883",
        "`tcp://127.0.0.1:1883`", "broker (`ssl://` for TLS)", Setting::string);
    public static final Setting<String> MQTT_CLIENT_ID = Setting.of("mqtt.client.id", "fleetwatch-gateway",
        "`fleetwatch-gateway`", "one per instance: it names the persistent session", Setting::string);
    public static final Setting<String> MQTT_USERNAME = Setting.of("mqtt.username", null, "none",
        "broker user name", Setting::string);
    public static final Setting<String> MQTT_PASSWORD = Setting.secret("mqtt.password", "none",
        "broker password (needs `mqtt.username`)");
    public static final Setting<String> MQTT_SHARE_GROUP = Setting.of("mqtt.share.group", null, "none",
        "share the load of `fleet/+/+/+` between instances (MQTT 5 shared subscription)", Setting::string);
    public static final Setting<String> MQTT_TOPIC_ROOT = Setting.of("mqtt.topic.root", MqttTopicParser.DEFAULT_ROOT,
        "`" + MqttTopicParser.DEFAULT_ROOT + "`", "first topic segment", Setting::string);
    public static final Setting<Integer> MQTT_RECEIVE_MAXIMUM = Setting.of("mqtt.receive.maximum", 1000, "1000",
        "QoS 1 messages in flight (back-pressure bound)", Setting::integer);
    public static final Setting<Duration> MQTT_SESSION_EXPIRY = Setting.of("mqtt.session.expiry.seconds",
        Duration.ofHours(1), "3600", "how long the broker keeps the session while the gateway is away",
        Setting::seconds);
    public static final Setting<Duration> MQTT_KEEPALIVE = Setting.of("mqtt.keepalive.seconds", Duration.ofSeconds(30),
        "30", "MQTT keep-alive interval", Setting::seconds);
    public static final Setting<Path> MQTT_TLS_TRUSTSTORE_PATH = Setting.of("mqtt.tls.truststore.path", null,
        "JVM trust", "trust store (PKCS#12 or JKS) to verify the broker", (k, v) -> Path.of(v));
    public static final Setting<String> MQTT_TLS_TRUSTSTORE_PASSWORD = Setting.secret("mqtt.tls.truststore.password",
        "none", "its password");
    public static final Setting<Path> MQTT_TLS_KEYSTORE_PATH = Setting.of("mqtt.tls.keystore.path", null,
        "no client certificate", "key store with the client certificate and key", (k, v) -> Path.of(v));
    public static final Setting<String> MQTT_TLS_KEYSTORE_PASSWORD = Setting.secret("mqtt.tls.keystore.password",
        "none", "its password (also the key's)");
    public static final Setting<Integer> MAX_PAYLOAD_BYTES = Setting.of("gateway.max.payload.bytes",
        PayloadParser.DEFAULT_MAX_PAYLOAD_BYTES, String.valueOf(PayloadParser.DEFAULT_MAX_PAYLOAD_BYTES),
        "larger payloads are dead-lettered (`OVERSIZE`)", Setting::integer);
    public static final Setting<Duration> MAX_FUTURE_SKEW = Setting.of("gateway.max.future.skew.seconds",
        PayloadParser.DEFAULT_MAX_FUTURE_SKEW, String.valueOf(PayloadParser.DEFAULT_MAX_FUTURE_SKEW.getSeconds()),
        "device timestamps further ahead are dead-lettered (`FUTURE_TIMESTAMP`)", Setting::seconds);
    public static final Setting<Set<String>> EVENT_TYPES = Setting.of("gateway.event.types",
        PayloadParser.DEFAULT_EVENT_TYPES, "the " + PayloadParser.DEFAULT_EVENT_TYPES.size()
            + " event types of the contract", "accepted `event` types, comma-separated", Definitions::list);
    public static final Setting<String> KAFKA_BOOTSTRAP_SERVERS = Setting.of("kafka.bootstrap.servers",
        "127.0.0.1:9092", "`127.0.0.1:9092`", "Kafka", Setting::string).withAlias("kafka.bootstrap");
    public static final Setting<String> TOPIC_PREFIX = Setting.of("topic.prefix", Topics.DEFAULT_PREFIX,
        "`" + Topics.DEFAULT_PREFIX + "`", "prefix of every topic", Setting::string);

    /** The gateway's own keys, then those of the payload sources besides the native contract. */
    public static final SettingTable TABLE = SettingTable.of("gateway", List.of(MQTT_URI, MQTT_CLIENT_ID,
        MQTT_USERNAME, MQTT_PASSWORD, MQTT_SHARE_GROUP, MQTT_TOPIC_ROOT, MQTT_RECEIVE_MAXIMUM, MQTT_SESSION_EXPIRY,
        MQTT_KEEPALIVE, MQTT_TLS_TRUSTSTORE_PATH, MQTT_TLS_TRUSTSTORE_PASSWORD, MQTT_TLS_KEYSTORE_PATH,
        MQTT_TLS_KEYSTORE_PASSWORD, MAX_PAYLOAD_BYTES, MAX_FUTURE_SKEW, EVENT_TYPES, KAFKA_BOOTSTRAP_SERVERS,
        TOPIC_PREFIX), SparkplugSettings.TABLE, JsonSourcesConfig.TABLE);

    private Definitions() {}

    private static Set<String> list(String key, String text) {
      Set<String> items = new LinkedHashSet<>();
      for (String part : text.split(",")) {
        if (!part.isBlank()) {
          items.add(part.strip());
        }
      }
      return items;
    }
  }

  public static final String DEFAULT_MQTT_URI = Definitions.MQTT_URI.defaultValue();
  public static final String DEFAULT_CLIENT_ID = Definitions.MQTT_CLIENT_ID.defaultValue();
  public static final int DEFAULT_RECEIVE_MAXIMUM = Definitions.MQTT_RECEIVE_MAXIMUM.defaultValue();
  public static final Duration DEFAULT_SESSION_EXPIRY = Definitions.MQTT_SESSION_EXPIRY.defaultValue();
  public static final Duration DEFAULT_KEEP_ALIVE = Definitions.MQTT_KEEPALIVE.defaultValue();
  public static final String DEFAULT_KAFKA_BOOTSTRAP = Definitions.KAFKA_BOOTSTRAP_SERVERS.defaultValue();
  /** Largest accepted payload limit; Kafka's default request size of 1 MiB must still hold the record. */
  public static final int MAX_PAYLOAD_LIMIT = 900 * 1024;
  private static final long MAX_SESSION_EXPIRY_SECONDS = 0xFFFFFFFFL;

  /** Property keys (see {@link Definitions}). */
  public static final String MQTT_URI = Definitions.MQTT_URI.key();
  public static final String MQTT_CLIENT_ID = Definitions.MQTT_CLIENT_ID.key();
  public static final String MQTT_USERNAME = Definitions.MQTT_USERNAME.key();
  public static final String MQTT_PASSWORD = Definitions.MQTT_PASSWORD.key();
  public static final String MQTT_SHARE_GROUP = Definitions.MQTT_SHARE_GROUP.key();
  public static final String MQTT_TOPIC_ROOT = Definitions.MQTT_TOPIC_ROOT.key();
  public static final String MQTT_RECEIVE_MAXIMUM = Definitions.MQTT_RECEIVE_MAXIMUM.key();
  public static final String MQTT_SESSION_EXPIRY_SECONDS = Definitions.MQTT_SESSION_EXPIRY.key();
  public static final String MQTT_KEEPALIVE_SECONDS = Definitions.MQTT_KEEPALIVE.key();
  public static final String MQTT_TLS_TRUSTSTORE_PATH = Definitions.MQTT_TLS_TRUSTSTORE_PATH.key();
  public static final String MQTT_TLS_TRUSTSTORE_PASSWORD = Definitions.MQTT_TLS_TRUSTSTORE_PASSWORD.key();
  public static final String MQTT_TLS_KEYSTORE_PATH = Definitions.MQTT_TLS_KEYSTORE_PATH.key();
  public static final String MQTT_TLS_KEYSTORE_PASSWORD = Definitions.MQTT_TLS_KEYSTORE_PASSWORD.key();
  public static final String MAX_PAYLOAD_BYTES = Definitions.MAX_PAYLOAD_BYTES.key();
  public static final String MAX_FUTURE_SKEW_SECONDS = Definitions.MAX_FUTURE_SKEW.key();
  public static final String EVENT_TYPES = Definitions.EVENT_TYPES.key();
  public static final String KAFKA_BOOTSTRAP_SERVERS = Definitions.KAFKA_BOOTSTRAP_SERVERS.key();
  /** Shorter alias of {@link #KAFKA_BOOTSTRAP_SERVERS} ({@code FLEETWATCH_KAFKA_BOOTSTRAP}). */
  public static final String KAFKA_BOOTSTRAP_ALIAS = Definitions.KAFKA_BOOTSTRAP_SERVERS.aliases().get(0);
  public static final String TOPIC_PREFIX = Definitions.TOPIC_PREFIX.key();
  /** Prefix of Kafka client pass-through properties. */
  public static final String KAFKA_PREFIX = SettingTable.CLIENT_PREFIX;
  /** Prefix of all environment variables. */
  public static final String ENV_PREFIX = Setting.ENV_PREFIX;

  /** Sparkplug B: {@code sparkplug.enabled}, {@code sparkplug.group.filter}, {@code sparkplug.identity.file}. */
  public static final Set<String> SPARKPLUG_KEYS = SparkplugSettings.TABLE.keys();
  /** SenML and declarative mappings: {@code senml.topics}, {@code senml.units.file}, {@code mappings.file}. */
  public static final Set<String> JSON_SOURCE_KEYS = JsonSourcesConfig.KEYS;

  /** Every key this record reads (besides {@code kafka.*}). */
  public static final Set<String> KEYS = Definitions.TABLE.keys();

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
      return "TlsStores[trustStore=" + trustStore + ", trustStorePassword="
          + Definitions.MQTT_TLS_TRUSTSTORE_PASSWORD.shown(trustStorePassword) + ", keyStore=" + keyStore
          + ", keyStorePassword=" + Definitions.MQTT_TLS_KEYSTORE_PASSWORD.shown(keyStorePassword) + "]";
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
    if (shareGroup != null && !Identifier.isValid(shareGroup)) {
      throw bad(MQTT_SHARE_GROUP, shareGroup, "must match " + Identifier.SYNTAX);
    }
    topicRoot = required(MQTT_TOPIC_ROOT, topicRoot);
    if (!Identifier.isValid(topicRoot)) {
      throw bad(MQTT_TOPIC_ROOT, topicRoot, "must match " + Identifier.SYNTAX);
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
      if (type == null || !Identifier.isValid(type)) {
        throw bad(EVENT_TYPES, String.valueOf(type), "each event type must match " + Identifier.SYNTAX);
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
    Builder b = builder();
    Definitions.MQTT_URI.read(env0, props).ifPresent(b::mqttServerUri);
    Definitions.MQTT_CLIENT_ID.read(env0, props).ifPresent(b::mqttClientId);
    b.mqttCredentials(Definitions.MQTT_USERNAME.value(env0, props), Definitions.MQTT_PASSWORD.value(env0, props));
    Definitions.MQTT_SHARE_GROUP.read(env0, props).ifPresent(b::shareGroup);
    Definitions.MQTT_TOPIC_ROOT.read(env0, props).ifPresent(b::topicRoot);
    Definitions.MQTT_RECEIVE_MAXIMUM.read(env0, props).ifPresent(b::receiveMaximum);
    Definitions.MQTT_SESSION_EXPIRY.read(env0, props).ifPresent(b::sessionExpiry);
    Definitions.MQTT_KEEPALIVE.read(env0, props).ifPresent(b::keepAlive);
    Path trustStore = Definitions.MQTT_TLS_TRUSTSTORE_PATH.value(env0, props);
    Path keyStore = Definitions.MQTT_TLS_KEYSTORE_PATH.value(env0, props);
    String trustStorePassword = Definitions.MQTT_TLS_TRUSTSTORE_PASSWORD.value(env0, props);
    String keyStorePassword = Definitions.MQTT_TLS_KEYSTORE_PASSWORD.value(env0, props);
    if (trustStore != null || keyStore != null) {
      b.tls(new TlsStores(trustStore, trustStorePassword, keyStore, keyStorePassword));
    } else if (trustStorePassword != null || keyStorePassword != null) {
      throw new IllegalArgumentException("a TLS store password is set but neither " + MQTT_TLS_TRUSTSTORE_PATH
          + " nor " + MQTT_TLS_KEYSTORE_PATH + " is");
    }
    Definitions.MAX_PAYLOAD_BYTES.read(env0, props).ifPresent(b::maxPayloadBytes);
    Definitions.MAX_FUTURE_SKEW.read(env0, props).ifPresent(b::maxFutureSkew);
    Definitions.EVENT_TYPES.read(env0, props).ifPresent(b::eventTypes);
    Definitions.KAFKA_BOOTSTRAP_SERVERS.read(env0, props).ifPresent(b::kafkaBootstrapServers);
    Definitions.TOPIC_PREFIX.read(env0, props).ifPresent(b::topicPrefix);
    b.kafkaOverrides(Definitions.TABLE.clientSettings(env0, props));
    b.sparkplug(SparkplugSettings.fromEnvironment(env0, props));
    b.jsonSources(JsonSourcesConfig.fromEnvironment(env0, props));
    return b.build();
  }

  /** The environment variable that sets a property key: {@code mqtt.uri} → {@code FLEETWATCH_MQTT_URI}. */
  public static String envName(String key) {
    return Setting.envName(key);
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
    kafkaOverrides.forEach((k, v) -> kafka.put(k, Setting.shownClientValue(k, v)));
    return "GatewayConfig[mqttServerUri=" + mqttServerUri + ", mqttClientId=" + mqttClientId
        + ", mqttUsername=" + mqttUsername + ", mqttPassword=" + Definitions.MQTT_PASSWORD.shown(mqttPassword)
        + ", shareGroup=" + shareGroup + ", topicRoot=" + topicRoot + ", receiveMaximum=" + receiveMaximum
        + ", sessionExpiry=" + sessionExpiry + ", keepAlive=" + keepAlive + ", tls=" + tls
        + ", maxPayloadBytes=" + maxPayloadBytes + ", maxFutureSkew=" + maxFutureSkew + ", eventTypes=" + eventTypes
        + ", kafkaBootstrapServers=" + kafkaBootstrapServers + ", topicPrefix=" + topicPrefix
        + ", kafkaOverrides=" + kafka + ", sparkplug=" + sparkplug + ", jsonSources=" + jsonSources + "]";
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
          int inFlight = Setting.integer(property, value);
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




  private static String required(String key, String value) {
    if (value == null || value.isBlank()) {
      throw Setting.missing(key);
    }
    return value.strip();
  }


  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  private static IllegalArgumentException bad(String key, String value, String why) {
    return Setting.invalid(key, value, why);
  }

  /** Mutable builder for {@link GatewayConfig}, starting from the defaults. */
  public static final class Builder {
    private String mqttServerUri = Definitions.MQTT_URI.defaultValue();
    private String mqttClientId = Definitions.MQTT_CLIENT_ID.defaultValue();
    private String mqttUsername;
    private String mqttPassword;
    private String shareGroup;
    private String topicRoot = Definitions.MQTT_TOPIC_ROOT.defaultValue();
    private int receiveMaximum = Definitions.MQTT_RECEIVE_MAXIMUM.defaultValue();
    private Duration sessionExpiry = Definitions.MQTT_SESSION_EXPIRY.defaultValue();
    private Duration keepAlive = Definitions.MQTT_KEEPALIVE.defaultValue();
    private TlsStores tls;
    private int maxPayloadBytes = Definitions.MAX_PAYLOAD_BYTES.defaultValue();
    private Duration maxFutureSkew = Definitions.MAX_FUTURE_SKEW.defaultValue();
    private Set<String> eventTypes = Definitions.EVENT_TYPES.defaultValue();
    private String kafkaBootstrapServers = Definitions.KAFKA_BOOTSTRAP_SERVERS.defaultValue();
    private String topicPrefix = Definitions.TOPIC_PREFIX.defaultValue();
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
