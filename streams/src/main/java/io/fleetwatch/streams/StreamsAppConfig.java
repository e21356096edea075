package io.fleetwatch.streams;

import io.fleetwatch.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Typed, validated configuration of the streams app, read once at start-up.
 *
 * <table>
 * <caption>Keys (environment variables), defaults</caption>
 * <tr><td>{@value #BOOTSTRAP}</td><td>Kafka bootstrap servers</td><td>127.0.0.1:9092</td></tr>
 * <tr><td>{@value #APPLICATION_ID}</td><td>Kafka Streams application id (consumer group, store and changelog
 * prefix)</td><td>fleetwatch-streams</td></tr>
 * <tr><td>{@value #TOPIC_PREFIX}</td><td>topic name prefix</td><td>fleet.</td></tr>
 * <tr><td>{@value #STATE_DIR}</td><td>local state directory</td><td>data/streams</td></tr>
 * <tr><td>{@value #REPLICATION_FACTOR}</td><td>replication factor of changelog topics</td><td>1</td></tr>
 * <tr><td>{@value #COMMIT_INTERVAL_MS}</td><td>commit interval (bounds end-to-end latency under
 * exactly-once)</td><td>100</td></tr>
 * <tr><td>{@value #STREAM_THREADS}</td><td>stream threads</td><td>1</td></tr>
 * <tr><td>{@value #HTTP_HOST}</td><td>HTTP API bind address</td><td>127.0.0.1</td></tr>
 * <tr><td>{@value #HTTP_PORT}</td><td>HTTP API port (0 = any free port)</td><td>8080</td></tr>
 * <tr><td>{@value #HTTP_ADVERTISED_ADDRESS}</td><td>{@code host:port} at which the other instances of the
 * application reach this instance's HTTP API (Kafka Streams {@code application.server}); API requests for a device
 * of another instance's partitions are forwarded there</td><td>{@value #HTTP_HOST}:{@value #HTTP_PORT}, the
 * machine's host name for a wildcard bind address; none when the port is 0 (the instance then answers from its own
 * partitions only)</td></tr>
 * <tr><td>{@value #POLICIES}</td><td>policy file or directory</td><td>policies</td></tr>
 * <tr><td>{@value #API_TOKEN}</td><td>bearer token the HTTP API's write endpoints (incident commands) require;
 * never logged</td><td>none (write endpoints open)</td></tr>
 * <tr><td>{@value #API_READ_TOKEN}</td><td>bearer token every {@code GET /api/...} then requires (the write token is
 * accepted too); {@code /health} and {@code /metrics} stay open; never logged</td><td>none (read endpoints
 * open)</td></tr>
 * <tr><td>{@value #INCIDENT_QUIET_PERIOD}</td><td>ISO-8601 duration an incident stays open after its checks
 * cleared (flapping suppression); PT0S resolves at once</td><td>PT2M</td></tr>
 * <tr><td>{@value #INCIDENT_REOPEN_WINDOW}</td><td>a raise this soon after the resolution reopens the incident;
 * PT0S never reopens</td><td>PT30M</td></tr>
 * <tr><td>{@value #INCIDENT_SCAN_INTERVAL}</td><td>wall-clock interval of the incident punctuator (quiet period,
 * impact, escalation, gauges)</td><td>PT10S</td></tr>
 * <tr><td>{@value #HEARTBEAT_SCAN_INTERVAL}</td><td>wall-clock interval of the heartbeat-loss punctuator (SEC-14
 * absence checks, {@code fleetwatch.devices} gauge); bounds how late a silence is noticed</td><td>PT5S</td></tr>
 * <tr><td>{@code kafka.<client key>}</td><td>passed to the Kafka clients as {@code <client key>}, last, so it
 * can override anything above (e.g. {@code kafka.security.protocol=SASL_SSL})</td><td></td></tr>
 * </table>
 *
 * @param kafka client overrides without the {@code kafka.} prefix
 */
public record StreamsAppConfig(String applicationId, String bootstrapServers, String topicPrefix, Path stateDir,
    int replicationFactor, Duration commitInterval, int streamThreads, String httpHost, int httpPort,
    String httpAdvertisedAddress, Path policies, Map<String, String> kafka, String apiToken, String apiReadToken, Duration incidentQuietPeriod,
    Duration incidentReopenWindow, Duration incidentScanInterval, Duration heartbeatScanInterval) {

  public static final String BOOTSTRAP = "FLEETWATCH_KAFKA_BOOTSTRAP";
  public static final String APPLICATION_ID = "FLEETWATCH_STREAMS_APPLICATION_ID";
  public static final String TOPIC_PREFIX = "FLEETWATCH_TOPIC_PREFIX";
  public static final String STATE_DIR = "FLEETWATCH_STREAMS_STATE_DIR";
  public static final String REPLICATION_FACTOR = "FLEETWATCH_STREAMS_REPLICATION_FACTOR";
  public static final String COMMIT_INTERVAL_MS = "FLEETWATCH_STREAMS_COMMIT_INTERVAL_MS";
  public static final String STREAM_THREADS = "FLEETWATCH_STREAMS_THREADS";
  public static final String HTTP_HOST = "FLEETWATCH_HTTP_HOST";
  public static final String HTTP_PORT = "FLEETWATCH_HTTP_PORT";
  public static final String HTTP_ADVERTISED_ADDRESS = "FLEETWATCH_HTTP_ADVERTISED_ADDRESS";
  public static final String POLICIES = "FLEETWATCH_POLICIES";
  public static final String API_TOKEN = "FLEETWATCH_API_TOKEN";
  public static final String API_READ_TOKEN = "FLEETWATCH_API_READ_TOKEN";
  public static final String INCIDENT_QUIET_PERIOD = "FLEETWATCH_INCIDENT_QUIET_PERIOD";
  public static final String INCIDENT_REOPEN_WINDOW = "FLEETWATCH_INCIDENT_REOPEN_WINDOW";
  public static final String INCIDENT_SCAN_INTERVAL = "FLEETWATCH_INCIDENT_SCAN_INTERVAL";
  public static final String HEARTBEAT_SCAN_INTERVAL = "FLEETWATCH_HEARTBEAT_SCAN_INTERVAL";
  public static final String KAFKA_PREFIX = "kafka.";

  public static final String DEFAULT_APPLICATION_ID = "fleetwatch-streams";
  public static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";
  private static final Pattern APPLICATION_ID_PATTERN = Pattern.compile("[A-Za-z0-9._-]{1,200}");
  private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(password|secret|jaas|token|credential|key\\.pem|keystore\\.key).*");

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
   * Reads the configuration from a map of settings, e.g. {@code System.getenv()} merged with a properties
   * file: the keys above and any {@code kafka.*} key. Unknown {@code FLEETWATCH_} keys are ignored (they
   * belong to other components).
   */
  public static StreamsAppConfig from(Map<String, String> settings) {
    Builder b = builder();
    value(settings, BOOTSTRAP).ifPresent(b::bootstrapServers);
    value(settings, APPLICATION_ID).ifPresent(b::applicationId);
    value(settings, TOPIC_PREFIX).ifPresent(b::topicPrefix);
    value(settings, STATE_DIR).ifPresent(v -> b.stateDir(Path.of(v)));
    value(settings, REPLICATION_FACTOR).ifPresent(v -> b.replicationFactor(integer(REPLICATION_FACTOR, v)));
    value(settings, COMMIT_INTERVAL_MS).ifPresent(
        v -> b.commitInterval(Duration.ofMillis(integer(COMMIT_INTERVAL_MS, v))));
    value(settings, STREAM_THREADS).ifPresent(v -> b.streamThreads(integer(STREAM_THREADS, v)));
    value(settings, HTTP_HOST).ifPresent(b::httpHost);
    value(settings, HTTP_PORT).ifPresent(v -> b.httpPort(integer(HTTP_PORT, v)));
    value(settings, HTTP_ADVERTISED_ADDRESS).ifPresent(b::httpAdvertisedAddress);
    value(settings, POLICIES).ifPresent(v -> b.policies(Path.of(v)));
    value(settings, API_TOKEN).ifPresent(b::apiToken);
    value(settings, API_READ_TOKEN).ifPresent(b::apiReadToken);
    value(settings, INCIDENT_QUIET_PERIOD).ifPresent(v -> b.incidentQuietPeriod(duration(INCIDENT_QUIET_PERIOD, v)));
    value(settings, INCIDENT_REOPEN_WINDOW).ifPresent(
        v -> b.incidentReopenWindow(duration(INCIDENT_REOPEN_WINDOW, v)));
    value(settings, INCIDENT_SCAN_INTERVAL).ifPresent(
        v -> b.incidentScanInterval(duration(INCIDENT_SCAN_INTERVAL, v)));
    value(settings, HEARTBEAT_SCAN_INTERVAL).ifPresent(
        v -> b.heartbeatScanInterval(duration(HEARTBEAT_SCAN_INTERVAL, v)));
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

  private static java.util.Optional<String> value(Map<String, String> settings, String key) {
    String v = settings.get(key);
    return v == null || v.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(v.strip());
  }

  private static Duration duration(String key, String text) {
    try {
      return Duration.parse(text);
    } catch (java.time.format.DateTimeParseException e) {
      throw new StreamsConfigException(key, "expected an ISO-8601 duration such as PT2M, got '" + text + "'");
    }
  }

  private static void notNegative(String key, Duration value) {
    if (value == null || value.isNegative()) {
      throw new StreamsConfigException(key, "expected a duration >= PT0S, got " + value);
    }
  }

  private static int integer(String key, String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new StreamsConfigException(key, "expected an integer, got '" + text + "'");
    }
  }

  /** The configuration as text for logs, with secret-looking client overrides redacted. */
  public String redacted() {
    Map<String, String> clients = new TreeMap<>();
    kafka.forEach((k, v) -> clients.put(k, SECRET_KEY.matcher(k).matches() ? "[redacted]" : v));
    Map<String, Object> shown = new LinkedHashMap<>();
    shown.put("applicationId", applicationId);
    shown.put("bootstrapServers", bootstrapServers);
    shown.put("topicPrefix", topicPrefix);
    shown.put("stateDir", stateDir);
    shown.put("replicationFactor", replicationFactor);
    shown.put("commitIntervalMs", commitInterval.toMillis());
    shown.put("streamThreads", streamThreads);
    shown.put("http", httpHost + ":" + httpPort);
    shown.put("httpAdvertised", httpAdvertisedAddress == null ? "default" : httpAdvertisedAddress);
    shown.put("policies", policies);
    shown.put("apiToken", apiToken == null ? "none" : "[redacted]");
    shown.put("apiReadToken", apiReadToken == null ? "none" : "[redacted]");
    shown.put("incidentQuietPeriod", incidentQuietPeriod);
    shown.put("incidentReopenWindow", incidentReopenWindow);
    shown.put("incidentScanInterval", incidentScanInterval);
    shown.put("heartbeatScanInterval", heartbeatScanInterval);
    shown.put("kafka", clients);
    return shown.toString();
  }

  @Override
  public String toString() {
    return "StreamsAppConfig" + redacted();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Programmatic construction with the documented defaults. */
  public static final class Builder {
    private String applicationId = DEFAULT_APPLICATION_ID;
    private String bootstrapServers = DEFAULT_BOOTSTRAP;
    private String topicPrefix = Topics.DEFAULT_PREFIX;
    private Path stateDir = Path.of("data", "streams");
    private int replicationFactor = 1;
    private Duration commitInterval = Duration.ofMillis(100);
    private int streamThreads = 1;
    private String httpHost = "127.0.0.1";
    private int httpPort = 8080;
    private String httpAdvertisedAddress;
    private Path policies = Path.of("policies");
    private final Map<String, String> kafka = new LinkedHashMap<>();
    private String apiToken;
    private String apiReadToken;
    private Duration incidentQuietPeriod = Duration.ofMinutes(2);
    private Duration incidentReopenWindow = Duration.ofMinutes(30);
    private Duration incidentScanInterval = Duration.ofSeconds(10);
    private Duration heartbeatScanInterval = Duration.ofSeconds(5);

    private Builder() {}

    /** Bearer token of the API's write endpoints; null leaves them open. */
    public Builder apiToken(String value) {
      this.apiToken = value;
      return this;
    }

    /** Bearer token of the API's read endpoints; null leaves them open. */
    public Builder apiReadToken(String value) {
      this.apiReadToken = value;
      return this;
    }

    public Builder incidentQuietPeriod(Duration value) {
      this.incidentQuietPeriod = value;
      return this;
    }

    public Builder incidentReopenWindow(Duration value) {
      this.incidentReopenWindow = value;
      return this;
    }

    public Builder incidentScanInterval(Duration value) {
      this.incidentScanInterval = value;
      return this;
    }

    public Builder heartbeatScanInterval(Duration value) {
      this.heartbeatScanInterval = value;
      return this;
    }

    public Builder applicationId(String value) {
      this.applicationId = value;
      return this;
    }

    public Builder bootstrapServers(String value) {
      this.bootstrapServers = value;
      return this;
    }

    public Builder topicPrefix(String value) {
      this.topicPrefix = value;
      return this;
    }

    public Builder stateDir(Path value) {
      this.stateDir = value;
      return this;
    }

    public Builder replicationFactor(int value) {
      this.replicationFactor = value;
      return this;
    }

    public Builder commitInterval(Duration value) {
      this.commitInterval = value;
      return this;
    }

    public Builder streamThreads(int value) {
      this.streamThreads = value;
      return this;
    }

    public Builder httpHost(String value) {
      this.httpHost = value;
      return this;
    }

    public Builder httpPort(int value) {
      this.httpPort = value;
      return this;
    }

    /** {@code host:port} other instances reach this API at; null for the default (bind host and port). */
    public Builder httpAdvertisedAddress(String value) {
      this.httpAdvertisedAddress = value;
      return this;
    }

    public Builder policies(Path value) {
      this.policies = value;
      return this;
    }

    /** A Kafka client setting, key without the {@code kafka.} prefix. */
    public Builder kafka(String key, String value) {
      this.kafka.put(key, value);
      return this;
    }

    public StreamsAppConfig build() {
      return new StreamsAppConfig(applicationId, bootstrapServers, topicPrefix, stateDir, replicationFactor,
          commitInterval, streamThreads, httpHost, httpPort, httpAdvertisedAddress, policies, kafka, apiToken, apiReadToken,
          incidentQuietPeriod, incidentReopenWindow, incidentScanInterval, heartbeatScanInterval);
    }
  }
}
