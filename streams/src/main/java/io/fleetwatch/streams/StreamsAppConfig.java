package io.fleetwatch.streams;

import io.fleetwatch.schemas.Topics;
import io.fleetwatch.schemas.config.Setting;
import io.fleetwatch.schemas.config.SettingTable;
import io.fleetwatch.schemas.config.SettingValues;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Typed, validated configuration of the streams app, read once at start-up. Each key is defined once in
 * {@link Definitions} (property, environment variable, default, meaning, secret); the README table is generated from
 * there. {@code kafka.<client key>} settings pass to the Kafka clients as {@code <client key>}, last, so they can
 * override anything (e.g. {@code kafka.security.protocol=SASL_SSL}).
 *
 * @param kafka client overrides without the {@code kafka.} prefix
 */
public record StreamsAppConfig(String applicationId, String bootstrapServers, String topicPrefix, Path stateDir,
    int replicationFactor, Duration commitInterval, int streamThreads, String httpHost, int httpPort,
    String httpAdvertisedAddress, Path policies, Map<String, String> kafka, String apiToken, String apiReadToken, Duration incidentQuietPeriod,
    Duration incidentReopenWindow, Duration incidentScanInterval, Duration heartbeatScanInterval) {

  /**
   * The one definition of each key of the streams app. Adding a key: a definition here (and in {@link #TABLE}), a
   * record component, its line in {@link Builder#build()} and {@code values()}, then regenerate the README tables
   * ({@code ConfigReadmeTest}).
   */
  public static final class Definitions {
    public static final Setting<String> BOOTSTRAP = Setting.of("kafka.bootstrap.servers", "127.0.0.1:9092",
        "`127.0.0.1:9092`", "Kafka", Setting::string).withAlias("kafka.bootstrap");
    public static final Setting<String> APPLICATION_ID = Setting.of("streams.application.id", "fleetwatch-streams",
        "`fleetwatch-streams`", "Kafka Streams application id: consumer group, store and changelog prefix",
        Setting::string);
    public static final Setting<String> TOPIC_PREFIX = Setting.of("topic.prefix", Topics.DEFAULT_PREFIX,
        "`" + Topics.DEFAULT_PREFIX + "`", "prefix of every topic", Setting::string);
    public static final Setting<Path> STATE_DIR = Setting.of("streams.state.dir", Path.of("data", "streams"),
        "`data/streams`", "local state (RocksDB); after a run that did not stop cleanly (marker "
            + "`<application id>.running` left there) the global stores are rebuilt from their topics at start",
        (k, v) -> Path.of(v));
    public static final Setting<Integer> REPLICATION_FACTOR = Setting.of("streams.replication.factor", 1, "1",
        "changelog replication (use 3 in production; -1 for the broker default)", Definitions::integer);
    public static final Setting<Duration> COMMIT_INTERVAL = Setting.of("streams.commit.interval.ms",
        Duration.ofMillis(100), "100", "commit interval in milliseconds; bounds detection latency under exactly-once",
        (k, v) -> Duration.ofMillis(integer(k, v)));
    public static final Setting<Integer> STREAM_THREADS = Setting.of("streams.threads", 1, "1", "stream threads",
        Definitions::integer);
    public static final Setting<String> HTTP_HOST = Setting.of("http.host", "127.0.0.1", "`127.0.0.1`",
        "HTTP API bind address", Setting::string);
    public static final Setting<Integer> HTTP_PORT = Setting.of("http.port", 8080, "8080",
        "HTTP API port (0 = any free port)", Definitions::integer);
    public static final Setting<String> HTTP_ADVERTISED_ADDRESS = Setting.of("http.advertised.address", null,
        "`http.host:http.port` (the machine's host name for `0.0.0.0`/`::`; none when the port is 0)",
        "`host:port` at which the other instances reach this instance's API (Kafka Streams `application.server`); "
            + "with several instances, device lookups are forwarded to the owner and vulnerability lists fanned out "
            + "(see `docs/operations.md`)", Setting::string);
    public static final Setting<Path> POLICIES = Setting.of("policies", Path.of("policies"), "`policies`",
        "policy directory (also holds `iot-ssf.yaml` and `iot-ssf-actions.yaml`)", (k, v) -> Path.of(v));
    public static final Setting<String> API_TOKEN = Setting.secret("api.token", "unset (write endpoints open)",
        "bearer token for the POST endpoints, at least 16 characters");
    public static final Setting<String> API_READ_TOKEN = Setting.secret("api.read.token",
        "unset (read endpoints open)", "bearer token every `GET /api/...` then requires (the write token is accepted "
            + "too); `/health` and `/metrics` stay open; at least 16 characters");
    public static final Setting<Duration> INCIDENT_QUIET_PERIOD = Setting.of("incident.quiet.period",
        Duration.ofMinutes(2), "PT2M", "an incident resolves this long after its last violation cleared (no "
            + "flapping); PT0S resolves at once", Definitions::duration);
    public static final Setting<Duration> INCIDENT_REOPEN_WINDOW = Setting.of("incident.reopen.window",
        Duration.ofMinutes(30), "PT30M", "a new violation within this window reopens the resolved incident; PT0S "
            + "never reopens", Definitions::duration);
    public static final Setting<Duration> INCIDENT_SCAN_INTERVAL = Setting.of("incident.scan.interval",
        Duration.ofSeconds(10), "PT10S", "wall-clock scan: quiet periods, impact, escalation, gauges",
        Definitions::duration);
    public static final Setting<Duration> HEARTBEAT_SCAN_INTERVAL = Setting.of("heartbeat.scan.interval",
        Duration.ofSeconds(5), "PT5S", "wall-clock scan for silent devices (heartbeat loss, `fleetwatch.devices` "
            + "gauge): a silence is noticed at most this late", Definitions::duration);

    /** Every key of the streams app, in README order. */
    public static final SettingTable TABLE = new SettingTable("streams", List.of(BOOTSTRAP, APPLICATION_ID,
        TOPIC_PREFIX, STATE_DIR, REPLICATION_FACTOR, COMMIT_INTERVAL, STREAM_THREADS, HTTP_HOST, HTTP_PORT,
        HTTP_ADVERTISED_ADDRESS, POLICIES, API_TOKEN, API_READ_TOKEN, INCIDENT_QUIET_PERIOD, INCIDENT_REOPEN_WINDOW,
        INCIDENT_SCAN_INTERVAL, HEARTBEAT_SCAN_INTERVAL));

    private Definitions() {}

    private static int integer(String key, String text) {
      try {
        return Integer.parseInt(text);
      } catch (NumberFormatException e) {
        throw new StreamsConfigException(Setting.envName(key), "expected an integer, got '" + text + "'");
      }
    }

    private static Duration duration(String key, String text) {
      try {
        return Duration.parse(text);
      } catch (java.time.format.DateTimeParseException e) {
        throw new StreamsConfigException(Setting.envName(key), "expected an ISO-8601 duration such as PT2M, got '"
            + text + "'");
      }
    }
  }

  /** Environment variable names, the keys of {@link #from(Map)} and of {@link StreamsConfigException#key()}. */
  public static final String BOOTSTRAP = Definitions.BOOTSTRAP.envName();
  public static final String APPLICATION_ID = Definitions.APPLICATION_ID.envName();
  public static final String TOPIC_PREFIX = Definitions.TOPIC_PREFIX.envName();
  public static final String STATE_DIR = Definitions.STATE_DIR.envName();
  public static final String REPLICATION_FACTOR = Definitions.REPLICATION_FACTOR.envName();
  public static final String COMMIT_INTERVAL_MS = Definitions.COMMIT_INTERVAL.envName();
  public static final String STREAM_THREADS = Definitions.STREAM_THREADS.envName();
  public static final String HTTP_HOST = Definitions.HTTP_HOST.envName();
  public static final String HTTP_PORT = Definitions.HTTP_PORT.envName();
  public static final String HTTP_ADVERTISED_ADDRESS = Definitions.HTTP_ADVERTISED_ADDRESS.envName();
  public static final String POLICIES = Definitions.POLICIES.envName();
  public static final String API_TOKEN = Definitions.API_TOKEN.envName();
  public static final String API_READ_TOKEN = Definitions.API_READ_TOKEN.envName();
  public static final String INCIDENT_QUIET_PERIOD = Definitions.INCIDENT_QUIET_PERIOD.envName();
  public static final String INCIDENT_REOPEN_WINDOW = Definitions.INCIDENT_REOPEN_WINDOW.envName();
  public static final String INCIDENT_SCAN_INTERVAL = Definitions.INCIDENT_SCAN_INTERVAL.envName();
  public static final String HEARTBEAT_SCAN_INTERVAL = Definitions.HEARTBEAT_SCAN_INTERVAL.envName();
  public static final String KAFKA_PREFIX = SettingTable.CLIENT_PREFIX;

  public static final String DEFAULT_APPLICATION_ID = Definitions.APPLICATION_ID.defaultValue();
  public static final String DEFAULT_BOOTSTRAP = Definitions.BOOTSTRAP.defaultValue();
  private static final Pattern APPLICATION_ID_PATTERN = Pattern.compile("[A-Za-z0-9._-]{1,200}");

  public StreamsAppConfig {
    if (applicationId == null || !APPLICATION_ID_PATTERN.matcher(applicationId).matches()) {
      throw new StreamsConfigException(APPLICATION_ID, "expected [A-Za-z0-9._-]{1,200}, got '" + applicationId + "'");
    }
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new StreamsConfigException(BOOTSTRAP, "must not be empty (host:port[,host:port...])");
    }
    try {
      new Topics(topicPrefix);
    } catch (IllegalArgumentException e) {
      throw new StreamsConfigException(TOPIC_PREFIX, e.getMessage());
    }
    if (stateDir == null) {
      throw new StreamsConfigException(STATE_DIR, "must not be empty");
    }
    if (replicationFactor < 1 && replicationFactor != -1) {
      throw new StreamsConfigException(REPLICATION_FACTOR, "expected >= 1 (or -1 for the broker default), got "
          + replicationFactor);
    }
    if (commitInterval == null || commitInterval.isNegative() || commitInterval.isZero()) {
      throw new StreamsConfigException(COMMIT_INTERVAL_MS, "expected a positive number of milliseconds, got "
          + (commitInterval == null ? null : commitInterval.toMillis()));
    }
    if (streamThreads < 1) {
      throw new StreamsConfigException(STREAM_THREADS, "expected >= 1, got " + streamThreads);
    }
    if (httpHost == null || httpHost.isBlank()) {
      throw new StreamsConfigException(HTTP_HOST, "must not be empty");
    }
    if (httpPort < 0 || httpPort > 65535) {
      throw new StreamsConfigException(HTTP_PORT, "expected 0..65535, got " + httpPort);
    }
    if (httpAdvertisedAddress != null) {
      hostAndPort(httpAdvertisedAddress);
    }
    if (policies == null) {
      throw new StreamsConfigException(POLICIES, "must not be empty");
    }
    if (apiToken != null && (apiToken.isBlank() || apiToken.length() < 16)) {
      throw new StreamsConfigException(API_TOKEN, "expected at least 16 characters (value not shown)");
    }
    if (apiReadToken != null && (apiReadToken.isBlank() || apiReadToken.length() < 16)) {
      throw new StreamsConfigException(API_READ_TOKEN, "expected at least 16 characters (value not shown)");
    }
    notNegative(INCIDENT_QUIET_PERIOD, incidentQuietPeriod);
    notNegative(INCIDENT_REOPEN_WINDOW, incidentReopenWindow);
    notNegative(INCIDENT_SCAN_INTERVAL, incidentScanInterval);
    if (incidentScanInterval.isZero()) {
      throw new StreamsConfigException(INCIDENT_SCAN_INTERVAL, "expected a positive duration, got PT0S");
    }
    notNegative(HEARTBEAT_SCAN_INTERVAL, heartbeatScanInterval);
    if (heartbeatScanInterval.isZero()) {
      throw new StreamsConfigException(HEARTBEAT_SCAN_INTERVAL, "expected a positive duration, got PT0S");
    }
    kafka = Map.copyOf(Objects.requireNonNull(kafka, "kafka"));
    for (Map.Entry<String, String> e : kafka.entrySet()) {
      if (e.getKey().isBlank() || e.getValue() == null) {
        throw new StreamsConfigException(KAFKA_PREFIX + e.getKey(), "empty key or value");
      }
    }
  }

  /**
   * Reads the configuration from a map of settings in environment style, e.g. {@code System.getenv()} merged with a
   * properties file: the {@code FLEETWATCH_*} names of {@link Definitions} (an alias's name too) and any
   * {@code kafka.*} client key. Unknown {@code FLEETWATCH_} keys are ignored (they belong to other components).
   */
  public static StreamsAppConfig from(Map<String, String> settings) {
    Builder b = builder();
    b.values.readAll(Definitions.TABLE, settings, null);
    settings.forEach((k, v) -> {
      if (k.startsWith(KAFKA_PREFIX)) {
        b.kafka(k.substring(KAFKA_PREFIX.length()), v);
      }
    });
    return b.build();
  }

  /**
   * The {@code host:port} other instances reach this instance's API at: {@link #httpAdvertisedAddress()} when set,
   * else {@link #httpHost()}:{@link #httpPort()} with the machine's host name in place of a wildcard bind address
   * ({@code 0.0.0.0}, {@code ::}); empty when neither is set and the port is 0 (chosen at bind time, unknown here).
   */
  public java.util.Optional<String> advertisedApiAddress() {
    if (httpAdvertisedAddress != null) {
      return java.util.Optional.of(httpAdvertisedAddress);
    }
    if (httpPort == 0) {
      return java.util.Optional.empty();
    }
    String host = httpHost;
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
      try {
        host = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.net.UnknownHostException e) {
        throw new StreamsConfigException(HTTP_ADVERTISED_ADDRESS, "the bind address " + httpHost
            + " is a wildcard and this machine's host name does not resolve (" + e.getMessage() + "); set it");
      }
    }
    return java.util.Optional.of((host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":"
        + httpPort);
  }

  private static void hostAndPort(String address) {
    int colon = address.lastIndexOf(':');
    String host = colon <= 0 ? "" : address.substring(0, colon);
    int port;
    try {
      port = colon < 0 ? -1 : Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (host.isBlank() || host.chars().anyMatch(Character::isWhitespace) || host.contains("/") || port < 1
        || port > 65535) {
      throw new StreamsConfigException(HTTP_ADVERTISED_ADDRESS, "expected host:port with a port in 1..65535, got '"
          + address + "'");
    }
  }



  private static void notNegative(String key, Duration value) {
    if (value == null || value.isNegative()) {
      throw new StreamsConfigException(key, "expected a duration >= PT0S, got " + value);
    }
  }


  /** The configuration as text for logs, by key, with secrets and secret-looking client overrides redacted. */
  public String redacted() {
    Map<String, String> shown = values().shown(Definitions.TABLE);
    Map<String, String> clients = new TreeMap<>();
    kafka.forEach((k, v) -> clients.put(k, Setting.shownClientValue(k, v)));
    shown.put(KAFKA_PREFIX + "*", clients.toString());
    return shown.toString();
  }

  /** This configuration's values by definition. */
  private SettingValues values() {
    return new SettingValues().set(Definitions.BOOTSTRAP, bootstrapServers)
        .set(Definitions.APPLICATION_ID, applicationId).set(Definitions.TOPIC_PREFIX, topicPrefix)
        .set(Definitions.STATE_DIR, stateDir).set(Definitions.REPLICATION_FACTOR, replicationFactor)
        .set(Definitions.COMMIT_INTERVAL, commitInterval).set(Definitions.STREAM_THREADS, streamThreads)
        .set(Definitions.HTTP_HOST, httpHost).set(Definitions.HTTP_PORT, httpPort)
        .set(Definitions.HTTP_ADVERTISED_ADDRESS, httpAdvertisedAddress).set(Definitions.POLICIES, policies)
        .set(Definitions.API_TOKEN, apiToken).set(Definitions.API_READ_TOKEN, apiReadToken)
        .set(Definitions.INCIDENT_QUIET_PERIOD, incidentQuietPeriod)
        .set(Definitions.INCIDENT_REOPEN_WINDOW, incidentReopenWindow)
        .set(Definitions.INCIDENT_SCAN_INTERVAL, incidentScanInterval)
        .set(Definitions.HEARTBEAT_SCAN_INTERVAL, heartbeatScanInterval);
  }

  @Override
  public String toString() {
    return "StreamsAppConfig" + redacted();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Programmatic construction with the defaults of {@link Definitions}. */
  public static final class Builder {
    private final SettingValues values = new SettingValues();
    private final Map<String, String> kafka = new LinkedHashMap<>();

    private Builder() {}

    /** Sets one setting by its definition. */
    public <T> Builder set(Setting<T> setting, T value) {
      values.set(setting, value);
      return this;
    }

    /** Bearer token of the API's write endpoints; null leaves them open. */
    public Builder apiToken(String value) {
      return set(Definitions.API_TOKEN, value);
    }

    /** Bearer token of the API's read endpoints; null leaves them open. */
    public Builder apiReadToken(String value) {
      return set(Definitions.API_READ_TOKEN, value);
    }

    public Builder incidentQuietPeriod(Duration value) {
      return set(Definitions.INCIDENT_QUIET_PERIOD, value);
    }

    public Builder incidentReopenWindow(Duration value) {
      return set(Definitions.INCIDENT_REOPEN_WINDOW, value);
    }

    public Builder incidentScanInterval(Duration value) {
      return set(Definitions.INCIDENT_SCAN_INTERVAL, value);
    }

    public Builder heartbeatScanInterval(Duration value) {
      return set(Definitions.HEARTBEAT_SCAN_INTERVAL, value);
    }

    public Builder applicationId(String value) {
      return set(Definitions.APPLICATION_ID, value);
    }

    public Builder bootstrapServers(String value) {
      return set(Definitions.BOOTSTRAP, value);
    }

    public Builder topicPrefix(String value) {
      return set(Definitions.TOPIC_PREFIX, value);
    }

    public Builder stateDir(Path value) {
      return set(Definitions.STATE_DIR, value);
    }

    public Builder replicationFactor(int value) {
      return set(Definitions.REPLICATION_FACTOR, value);
    }

    public Builder commitInterval(Duration value) {
      return set(Definitions.COMMIT_INTERVAL, value);
    }

    public Builder streamThreads(int value) {
      return set(Definitions.STREAM_THREADS, value);
    }

    public Builder httpHost(String value) {
      return set(Definitions.HTTP_HOST, value);
    }

    public Builder httpPort(int value) {
      return set(Definitions.HTTP_PORT, value);
    }

    /** {@code host:port} other instances reach this API at; null for the default (bind host and port). */
    public Builder httpAdvertisedAddress(String value) {
      return set(Definitions.HTTP_ADVERTISED_ADDRESS, value);
    }

    public Builder policies(Path value) {
      return set(Definitions.POLICIES, value);
    }

    /** A Kafka client setting, key without the {@code kafka.} prefix. */
    public Builder kafka(String key, String value) {
      this.kafka.put(key, value);
      return this;
    }

    public StreamsAppConfig build() {
      return new StreamsAppConfig(values.get(Definitions.APPLICATION_ID), values.get(Definitions.BOOTSTRAP),
          values.get(Definitions.TOPIC_PREFIX), values.get(Definitions.STATE_DIR),
          values.get(Definitions.REPLICATION_FACTOR), values.get(Definitions.COMMIT_INTERVAL),
          values.get(Definitions.STREAM_THREADS), values.get(Definitions.HTTP_HOST), values.get(Definitions.HTTP_PORT),
          values.get(Definitions.HTTP_ADVERTISED_ADDRESS), values.get(Definitions.POLICIES), kafka,
          values.get(Definitions.API_TOKEN), values.get(Definitions.API_READ_TOKEN),
          values.get(Definitions.INCIDENT_QUIET_PERIOD), values.get(Definitions.INCIDENT_REOPEN_WINDOW),
          values.get(Definitions.INCIDENT_SCAN_INTERVAL), values.get(Definitions.HEARTBEAT_SCAN_INTERVAL));
    }
  }
}
