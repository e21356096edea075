package io.fleetwatch.app.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetwatch.app.cli.StreamsCommand;
import io.fleetwatch.gateway.GatewayConfig;
import io.fleetwatch.schemas.Topic;
import io.fleetwatch.schemas.Topics;
import io.fleetwatch.streams.StreamsAppConfig;
import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * docker-compose.yml checked without a Docker engine: parsed with SnakeYAML (anchors and merge keys resolved as
 * Compose does) and compared with the code and the other files it points at.
 */
class ComposeFileTest {
  private static final Set<String> SERVICES = Set.of("kafka", "topics", "registry", "mosquitto", "gateway", "streams",
      "simulator", "prometheus", "grafana", "alertmanager");
  /** Long-running servers: each needs a health check. */
  private static final Set<String> SERVERS = Set.of("kafka", "mosquitto", "gateway", "streams", "prometheus", "grafana",
      "alertmanager");
  /** Services that run until stopped: each restarts unless stopped. The others are one-shot jobs. */
  private static final Set<String> LONG_RUNNING = Set.of("kafka", "mosquitto", "gateway", "streams", "simulator",
      "prometheus", "grafana", "alertmanager");
  /** Monitoring: none of these may wait for an application service. */
  private static final Set<String> MONITORING = Set.of("prometheus", "grafana", "alertmanager");
  /** Docker's stop grace period when compose sets none. */
  private static final Duration DOCKER_DEFAULT_GRACE = Duration.ofSeconds(10);
  private static final Pattern COMPOSE_DURATION = Pattern.compile("([0-9]+)(h|m|s|ms)");
  private static final Pattern ENV_DEFAULT = Pattern.compile("\\$\\{env:([A-Z0-9_]+)");
  private static final String PROJECT_IMAGE = "fleetwatch:local";

  private static Map<String, Map<String, Object>> services;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void parse() throws IOException {
    try (Reader r = Files.newBufferedReader(OpsFiles.COMPOSE)) {
      Map<String, Object> compose = new Yaml().load(r);
      services = (Map<String, Map<String, Object>>) compose.get("services");
    }
  }

  @Test
  void definesEveryServiceOfThePipelineEachWithAPinnedImageOrTheProjectBuild() {
    assertEquals(SERVICES, services.keySet());
    List<String> problems = new ArrayList<>();
    services.forEach((name, s) -> {
      Object image = s.get("image");
      if (image == null && s.get("build") == null) {
        problems.add(name + ": neither image nor build");
      } else if (PROJECT_IMAGE.equals(image)) {
        Map<?, ?> build = (Map<?, ?>) s.get("build");
        if (build == null || !Files.isRegularFile(OpsFiles.ROOT.resolve(build.get("context").toString())
            .resolve(build.get("dockerfile").toString()))) {
          problems.add(name + ": the project image without a build with an existing Dockerfile");
        }
      } else if (image != null && (!image.toString().contains(":") || image.toString().endsWith(":latest"))) {
        problems.add(name + ": image " + image + " is not pinned to a version");
      }
    });
    assertEquals(List.of(), problems);
  }

  @Test
  void kafkaImageIsTheKafkaVersionTheProjectBuildsAgainst() throws IOException {
    java.util.Properties kafka = new java.util.Properties();
    try (var in = org.apache.kafka.clients.producer.KafkaProducer.class.getResourceAsStream("/kafka/kafka-version.properties")) {
      kafka.load(in);
    }
    String version = kafka.getProperty("version");
    assertEquals("apache/kafka:" + version, services.get("kafka").get("image"));
    assertEquals("apache/kafka:" + version, services.get("topics").get("image"));
    assertEquals("broker,controller", env("kafka").get("KAFKA_PROCESS_ROLES"), "KRaft, no ZooKeeper");
  }

  @Test
  void everyServerHasAHealthCheckAndEveryDependencyConditionCanBeMet() {
    List<String> problems = new ArrayList<>();
    for (String server : SERVERS) {
      Map<?, ?> health = (Map<?, ?>) services.get(server).get("healthcheck");
      if (health == null || !(health.get("test") instanceof List<?> test) || test.isEmpty()) {
        problems.add(server + ": no healthcheck test");
      }
    }
    services.forEach((name, s) -> {
      Object dependsOn = s.get("depends_on");
      if (dependsOn == null) {
        return;
      }
      if (!(dependsOn instanceof Map<?, ?> deps)) {
        problems.add(name + ": depends_on must give a condition per service");
        return;
      }
      deps.forEach((dep, spec) -> {
        Map<String, Object> target = services.get(dep.toString());
        String condition = String.valueOf(((Map<?, ?>) spec).get("condition"));
        if (target == null) {
          problems.add(name + ": depends on unknown service " + dep);
        } else if (condition.equals("service_healthy") && target.get("healthcheck") == null) {
          problems.add(name + ": waits for " + dep + " to be healthy but it has no healthcheck");
        } else if (condition.equals("service_completed_successfully") && !"no".equals(target.get("restart"))) {
          problems.add(name + ": waits for " + dep + " to complete but it is not a one-shot job (restart: \"no\")");
        } else if (!Set.of("service_healthy", "service_completed_successfully").contains(condition)) {
          problems.add(name + ": depends on " + dep + " with condition " + condition);
        }
      });
    });
    assertEquals(List.of(), problems);
  }

  @Test
  void longRunningServicesRestartUnlessStoppedAndOneShotJobsNever() {
    List<String> problems = new ArrayList<>();
    services.forEach((name, s) -> {
      String expected = LONG_RUNNING.contains(name) ? "unless-stopped" : "no";
      if (!expected.equals(s.get("restart"))) {
        problems.add(name + ": restart " + s.get("restart") + ", expected " + expected);
      }
    });
    assertEquals(List.of(), problems);
  }

  @Test
  void monitoringStartsWithoutWaitingForAnyApplicationService() {
    for (String monitor : MONITORING) {
      Set<String> waitsFor = new TreeSet<>();
      collectDependencies(monitor, waitsFor);
      waitsFor.removeAll(MONITORING);
      assertEquals(Set.of(), waitsFor, monitor + " waits (directly or not) for application services");
    }
  }

  @Test
  void stopGracePeriodsExceedTheSlowestCleanStop() {
    // the streams command closes within CLOSE_TIMEOUT after SIGTERM; the API server and JVM exit need a few seconds more
    Duration streams = composeDuration(services.get("streams").get("stop_grace_period"));
    assertTrue(streams.compareTo(StreamsCommand.CLOSE_TIMEOUT.plusSeconds(5)) >= 0,
        "streams stop_grace_period " + streams + " leaves no margin over its close timeout " + StreamsCommand.CLOSE_TIMEOUT);
    for (String service : List.of("kafka", "gateway")) {
      Duration grace = composeDuration(services.get(service).get("stop_grace_period"));
      assertTrue(grace.compareTo(DOCKER_DEFAULT_GRACE) > 0, service + ": stop_grace_period " + grace);
    }
  }

  @Test
  void kafkaClusterIdIsAUuidAsKafkaStorageRandomUuidPrintsIt() {
    String clusterId = env("kafka").get("CLUSTER_ID");
    assertTrue(clusterId.matches("[A-Za-z0-9_-]{22}"), clusterId + " is not 22 base64url characters");
    Uuid uuid = Uuid.fromString(clusterId);
    assertEquals(clusterId, uuid.toString());
    assertFalse(clusterId.startsWith("-"), "random-uuid never starts with '-' (it reads as an option)");
    assertFalse(uuid.equals(Uuid.ZERO_UUID) || uuid.equals(Uuid.ONE_UUID) || uuid.equals(Uuid.METADATA_TOPIC_ID),
        "a reserved id");
  }

  @Test
  void prometheusSendsAlertsToTheAlertmanagerServiceWhoseDefaultReceiverIsAWebhook() {
    List<String> targets = new ArrayList<>();
    OpsFiles.yaml(OpsFiles.PROMETHEUS_CONFIG).path("alerting").path("alertmanagers")
        .forEach(am -> am.path("static_configs").forEach(sc -> sc.path("targets").forEach(t -> targets.add(t.asText()))));
    assertTrue(list(services.get("alertmanager").get("ports")).contains("9093:9093"));
    assertEquals(List.of("alertmanager:9093"), targets);

    List<Object> command = list(services.get("alertmanager").get("command"));
    assertTrue(command.contains("--config.file=/etc/alertmanager/alertmanager.yml"), command.toString());
    String defaultMount = "${ALERTMANAGER_CONFIG:-./" + OpsFiles.ROOT.relativize(OpsFiles.ALERTMANAGER_CONFIG)
        + "}:/etc/alertmanager/alertmanager.yml:ro";
    assertTrue(list(services.get("alertmanager").get("volumes")).contains(defaultMount),
        "the config is " + OpsFiles.ALERTMANAGER_CONFIG + " unless ALERTMANAGER_CONFIG names another file");

    JsonNode config = OpsFiles.yaml(OpsFiles.ALERTMANAGER_CONFIG);
    Set<String> receivers = new HashSet<>();
    config.path("receivers").forEach(r -> receivers.add(r.path("name").asText()));
    String root = config.path("route").path("receiver").asText();
    config.path("route").path("routes").forEach(r -> assertTrue(r.path("receiver").isMissingNode()
        || receivers.contains(r.path("receiver").asText()), "route to an undefined receiver: " + r));
    for (JsonNode r : config.path("receivers")) {
      if (r.path("name").asText().equals(root)) {
        String url = r.path("webhook_configs").path(0).path("url").asText();
        assertTrue(url.startsWith("http://") || url.startsWith("https://"), "root receiver " + root + " has no webhook url");
        assertTrue(r.path("webhook_configs").path(0).path("send_resolved").asBoolean(), "responders want resolutions too");
        return;
      }
    }
    throw new AssertionError("the root route's receiver " + root + " is not defined");
  }

  @Test
  void everyMountedFileExistsInTheRepository() {
    List<String> problems = new ArrayList<>();
    services.forEach((name, s) -> {
      for (Object volume : list(s.get("volumes"))) {
        String source = volume.toString().split(":")[0];
        if (source.startsWith("./") && !Files.exists(OpsFiles.ROOT.resolve(source).normalize())) {
          problems.add(name + ": mounts missing " + source);
        }
      }
    });
    assertEquals(List.of(), problems);
  }

  @Test
  void gatewayStreamsAndSimulatorAreConfiguredOnlyWithVariablesTheCodeReads() throws Exception {
    Set<String> gateway = new TreeSet<>();
    GatewayConfig.KEYS.forEach(k -> gateway.add(GatewayConfig.envName(k)));
    gateway.add(GatewayConfig.envName(GatewayConfig.KAFKA_BOOTSTRAP_ALIAS));
    gateway.addAll(commandEnv("GatewayCommand"));
    Set<String> streams = new TreeSet<>(constants(StreamsAppConfig.class));
    streams.add("FLEETWATCH_KAFKA_BOOTSTRAP_SERVERS"); // mapped by the streams command
    streams.addAll(commandEnv("StreamsCommand"));

    assertUses("gateway", gateway);
    assertUses("streams", streams);
    assertUses("simulator", commandEnv("SimulateCommand"));
    assertUses("registry", commandEnv("RegistryCommand$Apply"));
  }

  @Test
  void httpEndpointsListenOnAllInterfacesOnThePublishedPortsThatPrometheusScrapes() {
    Map<String, String> gatewayEnv = env("gateway");
    Map<String, String> streamsEnv = env("streams");
    assertEquals("0.0.0.0", gatewayEnv.get("FLEETWATCH_HTTP_HOST"));
    assertEquals("0.0.0.0", streamsEnv.get(StreamsAppConfig.HTTP_HOST));
    String gatewayPort = gatewayEnv.get("FLEETWATCH_HTTP_PORT");
    String streamsPort = streamsEnv.get(StreamsAppConfig.HTTP_PORT);
    assertTrue(list(services.get("gateway").get("ports")).contains(gatewayPort + ":" + gatewayPort));
    assertTrue(list(services.get("streams").get("ports")).contains(streamsPort + ":" + streamsPort));

    Map<String, List<String>> targets = new LinkedHashMap<>();
    OpsFiles.yaml(OpsFiles.PROMETHEUS_CONFIG).path("scrape_configs").forEach(c -> {
      List<String> t = new ArrayList<>();
      c.path("static_configs").forEach(sc -> sc.path("targets").forEach(x -> t.add(x.asText())));
      targets.put(c.path("job_name").asText(), t);
    });
    assertEquals(Map.of(OpsFiles.GATEWAY_JOB, List.of("gateway:" + gatewayPort),
        OpsFiles.STREAMS_JOB, List.of("streams:" + streamsPort)), targets);
  }

  @Test
  void prometheusGetsItsConfigAndTheRuleFilesNextToIt() {
    List<Object> volumes = list(services.get("prometheus").get("volumes"));
    assertTrue(volumes.contains("./dashboards/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro"), volumes.toString());
    for (var ruleFile : OpsFiles.yaml(OpsFiles.PROMETHEUS_CONFIG).path("rule_files")) {
      String file = ruleFile.asText();
      assertTrue(volumes.contains("./dashboards/prometheus/" + file + ":/etc/prometheus/" + file + ":ro"),
          "rule file " + file + " is not mounted next to prometheus.yml: " + volumes);
    }
  }

  @Test
  void topicJobCreatesTheWholeCatalogueWithExplicitPartitionsAndCompactsExactlyTheCompactedTopics() {
    String script = String.join("\n", list(services.get("topics").get("command")).stream().map(Object::toString).toList());
    List<String> problems = new ArrayList<>();
    Set<String> created = new HashSet<>();
    Matcher m = Pattern.compile("(?m)^\\s*create --topic (\\S+)(.*)$").matcher(script);
    while (m.find()) {
      created.add(m.group(1));
      if (!m.group(2).matches(".*--partitions [1-9][0-9]*.*")) {
        problems.add(m.group(1) + ": no explicit partitions");
      }
    }
    Topics topics = Topics.withDefaultPrefix();
    for (Topic<String, ?> topic : topics.all()) {
      Matcher line = Pattern.compile("(?m)^\\s*create --topic " + Pattern.quote(topic.name()) + "(.*)$").matcher(script);
      if (!line.find()) {
        problems.add(topic.name() + ": not created");
      } else if (topic.compacted() != line.group(1).contains("cleanup.policy=compact")) {
        problems.add(topic.name() + ": compacted is " + topic.compacted() + " in the catalogue");
      }
    }
    created.removeAll(topics.all().stream().map(Topic::name).toList());
    if (!created.isEmpty()) {
      problems.add("creates topics outside the catalogue: " + created);
    }
    assertEquals(List.of(), problems);
    assertTrue(script.contains("--if-not-exists"), "re-running the job must not fail on existing topics");
  }

  @Test
  void mqttBrokerRequiresPasswordsHasAclsAndDeliberateQueueLimits() throws IOException {
    Map<String, String> conf = new LinkedHashMap<>();
    for (String line : Files.readAllLines(OpsFiles.ROOT.resolve("deploy/mosquitto/mosquitto.conf"))) {
      String l = line.strip();
      if (!l.isEmpty() && !l.startsWith("#")) {
        String[] kv = l.split("\\s+", 2);
        conf.putIfAbsent(kv[0], kv.length > 1 ? kv[1] : "");
      }
    }
    assertEquals("false", conf.get("allow_anonymous"));
    assertNotNull(conf.get("max_queued_messages"), "set max_queued_messages deliberately (default 1000 drops bursts)");
    assertNotNull(conf.get("max_inflight_messages"), "set max_inflight_messages deliberately");
    List<Object> volumes = list(services.get("mosquitto").get("volumes"));
    assertTrue(volumes.contains("./deploy/mosquitto/passwd:" + conf.get("password_file") + ":ro"), volumes.toString());
    assertTrue(volumes.contains("./deploy/mosquitto/acl:" + conf.get("acl_file") + ":ro"), volumes.toString());

    Set<String> users = new HashSet<>();
    for (String line : Files.readAllLines(OpsFiles.ROOT.resolve("deploy/mosquitto/passwd"))) {
      String[] parts = line.split(":", 2);
      assertTrue(parts[1].startsWith("$7$"), "password of " + parts[0] + " is not hashed (mosquitto_passwd -U)");
      users.add(parts[0]);
    }
    String acl = Files.readString(OpsFiles.ROOT.resolve("deploy/mosquitto/acl"));
    for (String client : List.of("gateway", "simulator")) {
      String user = env(client).get("FLEETWATCH_MQTT_USERNAME");
      assertTrue(users.contains(user), client + " logs in as " + user + ", who has no password");
      assertTrue(acl.contains("user " + user + "\n"), user + " has no ACL entry");
      assertFalse(env(client).getOrDefault("FLEETWATCH_MQTT_PASSWORD", "").isBlank(), client + " has no password");
    }
  }

  @Test
  void imageRunsTheShadedJarOnAJavaSeventeenRuntimeWithThePoliciesTheStreamsServiceReads() throws IOException {
    String dockerfile = Files.readString(OpsFiles.ROOT.resolve("Dockerfile"));
    assertTrue(dockerfile.contains("FROM eclipse-temurin:17-jre"), "runtime stage");
    assertTrue(dockerfile.contains("COPY --from=build /src/app/target/fleetwatch.jar /app/fleetwatch.jar"));
    assertTrue(dockerfile.contains("ENTRYPOINT [\"java\", \"-jar\", \"/app/fleetwatch.jar\"]"));
    assertTrue(dockerfile.contains("COPY policies /app/policies"));
    assertEquals("/app/policies", env("streams").get(StreamsAppConfig.POLICIES));
    assertTrue(dockerfile.contains("COPY examples /app/examples") && dockerfile.contains("WORKDIR /app"));
    for (String service : List.of("registry", "simulator")) {
      for (Object arg : list(services.get(service).get("command"))) {
        if (arg.toString().startsWith("examples/")) {
          assertTrue(Files.isRegularFile(OpsFiles.ROOT.resolve(arg.toString())), service + ": " + arg + " missing");
        }
      }
    }
  }

  private static void assertUses(String service, Set<String> known) {
    Set<String> unknown = new TreeSet<>(env(service).keySet());
    unknown.removeAll(known);
    assertEquals(Set.of(), unknown, service + " sets variables the code does not read; it reads " + known);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> env(String service) {
    Map<String, String> env = new LinkedHashMap<>();
    Object e = services.get(service).get("environment");
    assertTrue(e instanceof Map, service + ": environment must be a map");
    ((Map<String, Object>) e).forEach((k, v) -> env.put(k, String.valueOf(v)));
    return env;
  }

  private static void collectDependencies(String service, Set<String> into) {
    Object dependsOn = services.get(service).get("depends_on");
    if (dependsOn instanceof Map<?, ?> deps) {
      for (Object dep : deps.keySet()) {
        if (into.add(dep.toString())) {
          collectDependencies(dep.toString(), into);
        }
      }
    } else if (dependsOn instanceof List<?> deps) {
      for (Object dep : deps) {
        if (into.add(dep.toString())) {
          collectDependencies(dep.toString(), into);
        }
      }
    }
  }

  /** A Compose duration ({@code 30s}, {@code 1m30s}, {@code 1h}); a missing one is Docker's default. */
  private static Duration composeDuration(Object value) {
    if (value == null) {
      return DOCKER_DEFAULT_GRACE;
    }
    Matcher m = COMPOSE_DURATION.matcher(value.toString());
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      long n = Long.parseLong(m.group(1));
      total = total.plus(switch (m.group(2)) {
        case "h" -> Duration.ofHours(n);
        case "m" -> Duration.ofMinutes(n);
        case "s" -> Duration.ofSeconds(n);
        default -> Duration.ofMillis(n);
      });
      end = m.end();
    }
    assertEquals(value.toString().length(), end, "not a Compose duration: " + value);
    return total;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return o == null ? List.of() : (List<Object>) o;
  }

  /** Public String constants of a class that name environment variables. */
  private static Set<String> constants(Class<?> type) throws IllegalAccessException {
    Set<String> names = new TreeSet<>();
    for (Field f : type.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class
          && f.get(null).toString().startsWith("FLEETWATCH_")) {
        names.add(f.get(null).toString());
      }
    }
    return names;
  }

  /** Environment variables a picocli command reads through {@code ${env:NAME}} defaults, mixins included. */
  private static Set<String> commandEnv(String simpleName) throws ClassNotFoundException {
    Set<String> names = new TreeSet<>();
    collectEnv(Class.forName("io.fleetwatch.app.cli." + simpleName), names);
    return names;
  }

  private static void collectEnv(Class<?> type, Set<String> names) {
    for (Field f : type.getDeclaredFields()) {
      Option option = f.getAnnotation(Option.class);
      if (option != null) {
        Matcher m = ENV_DEFAULT.matcher(option.defaultValue());
        while (m.find()) {
          names.add(m.group(1));
        }
      }
      if (f.getAnnotation(Mixin.class) != null) {
        collectEnv(f.getType(), names);
      }
    }
  }
}
