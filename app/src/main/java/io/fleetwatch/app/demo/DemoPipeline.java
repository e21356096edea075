package io.fleetwatch.app.demo;

import io.fleetwatch.app.cli.RegistryCommand;
import io.fleetwatch.app.cli.SimulateCommand;
import io.fleetwatch.avro.Asset;
import io.fleetwatch.embedded.EmbeddedKafka;
import io.fleetwatch.embedded.EmbeddedMqtt;
import io.fleetwatch.embedded.InstrumentedGateway;
import io.fleetwatch.embedded.TopicProvisioner;
import io.fleetwatch.gateway.Gateway;
import io.fleetwatch.gateway.GatewayConfig;
import io.fleetwatch.schemas.Topics;
import io.fleetwatch.simulator.Simulator;
import io.fleetwatch.simulator.SimulatorConfig;
import io.fleetwatch.simulator.scenario.Scenario;
import io.fleetwatch.streams.FleetStreamsApp;
import io.fleetwatch.streams.StreamsAppConfig;
import io.fleetwatch.streams.api.ApiServer;
import io.fleetwatch.streams.api.Health;
import io.fleetwatch.streams.policy.PolicyCatalogue;
import io.fleetwatch.streams.policy.PolicyLoader;
import io.fleetwatch.streams.registry.AssetRegistryFile;
import io.fleetwatch.streams.registry.Registry;
import io.fleetwatch.streams.registry.RegistryException;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline in one process: embedded MQTT broker and Kafka (KRaft), topics, the asset registry, the
 * streams app with its HTTP API, the gateway, an incident printer and (optionally) the simulator. Closing stops
 * them in reverse order.
 *
 * <p>Nothing acknowledged is lost at start: the MQTT broker admits only the gateway until the gateway's persistent
 * session is subscribed (devices are refused with "server unavailable" meanwhile), so every QoS 1 message a device
 * gets a PUBACK for has a subscriber queue to go to. {@code /health/ready} turns 200 once Kafka Streams is RUNNING,
 * the gateway is ready and the broker admits devices ({@link #awaitReady(Duration)}).
 */
public final class DemoPipeline implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DemoPipeline.class);
  /** The gateway's MQTT client id: its persistent session is the one devices wait for. */
  static final String GATEWAY_CLIENT_ID = "fleetwatch-demo-gateway";

  private final DemoSettings settings;
  private final PrintStream out;
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Topics topics = Topics.withDefaultPrefix();
  private EmbeddedKafka kafka;
  private volatile EmbeddedMqtt mqtt;
  private ApiServer api;
  private FleetStreamsApp streams;
  private volatile Gateway gateway;
  private Simulator simulator;
  private Path tempDir;

  public DemoPipeline(DemoSettings settings, PrintStream out) {
    this.settings = settings;
    this.out = out;
  }

  /** Starts everything; on failure stops what was started and rethrows. */
  public DemoPipeline start() throws Exception {
    try {
      startAll();
      return this;
    } catch (Exception | Error e) {
      close();
      throw e;
    }
  }

  private void startAll() throws Exception {
    // Read the inputs first: a bad registry or policy file fails fast, before any server starts.
    Registry registry = AssetRegistryFile.readRegistry(settings.fleet());
    List<Asset> assets = registry.assets();
    PolicyCatalogue catalogue = new PolicyLoader().loadCatalogue(settings.policies());

    Path data = settings.dataDir();
    if (data == null) {
      tempDir = Files.createTempDirectory("fleetwatch-demo");
      data = tempDir;
    }
    new JvmMemoryMetrics().bindTo(metrics);
    new JvmGcMetrics().bindTo(metrics);
    new JvmThreadMetrics().bindTo(metrics);
    new ProcessorMetrics().bindTo(metrics);

    kafka = EmbeddedKafka.builder().host(settings.bindHost()).port(settings.kafkaPort())
        .dataDirectory(data.resolve("kafka")).build().start();
    started.push(kafka);
    // File persistence only when state is to survive a restart: in memory, the broker costs several times less.
    mqtt = EmbeddedMqtt.builder().host(settings.bindHost()).port(settings.mqttPort())
        .dataDirectory(settings.dataDir() == null ? null : data.resolve("mqtt"))
        .admitOnly(GATEWAY_CLIENT_ID).build().start();
    started.push(mqtt);

    Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    try (Admin admin = Admin.create(client)) {
      new TopicProvisioner(admin, settings.partitions(), (short) 1).ensure(topics, Duration.ofSeconds(30));
    }
    RegistryCommand.apply(client, topics, registry);
    LOG.info("applied {} assets, {} services, {} stakeholders from {}", assets.size(), registry.services().size(),
        registry.stakeholders().size(), settings.fleet());

    StreamsAppConfig streamsConfig = StreamsAppConfig.builder()
        .bootstrapServers(kafka.bootstrapServers())
        .topicPrefix(topics.prefix())
        .stateDir(data.resolve("streams"))
        .replicationFactor(1)
        .httpHost(settings.bindHost())
        .httpPort(settings.httpPort())
        .policies(settings.policies())
        .incidentQuietPeriod(settings.incidentQuietPeriod())
        .incidentReopenWindow(settings.incidentReopenWindow())
        .incidentScanInterval(Duration.ofSeconds(1))
        .apiToken(settings.apiToken())
        .build();
    streams = new FleetStreamsApp(streamsConfig, catalogue, metrics, Clock.systemUTC());
    started.push(() -> streams.close(Duration.ofSeconds(10)));
    streams.start();
    api = streams.api().server(new InetSocketAddress(settings.bindHost(), settings.httpPort()), streams::state,
        metrics);
    api.health().add("gateway", () -> gateway == null ? Health.State.notReady("NOT_STARTED")
        : InstrumentedGateway.health(gateway));
    api.health().add("mqtt", this::brokerHealth);
    api.start();
    started.push(api);

    IncidentPrinter printer = new IncidentPrinter(client, topics.incidents(), out);
    printer.start();
    started.push(printer);

    GatewayConfig gatewayConfig = GatewayConfig.builder()
        .mqttServerUri(mqtt.uri())
        .mqttClientId(GATEWAY_CLIENT_ID)
        .kafkaBootstrapServers(kafka.bootstrapServers())
        .topicPrefix(topics.prefix())
        .build();
    InstrumentedGateway instrumented = InstrumentedGateway.create(gatewayConfig, metrics);
    started.push(instrumented);
    gateway = instrumented.gateway();
    gateway.start();
    if (!gateway.awaitReady(Duration.ofSeconds(30))) {
      throw new IllegalStateException("the gateway did not connect to MQTT and Kafka within 30 s");
    }
    // The gateway's session and subscription exist now: what devices publish from here on has a queue to go to.
    mqtt.admitAll();

    if (settings.simulate()) {
      // scenarios/ sits beside policies/ (the repository root, or FLEETWATCH_HOME)
      List<Scenario> scenarios = SimulateCommand.scenarios(settings.policies().resolveSibling("scenarios"),
          List.of("chiller-overheat"));
      simulator = new Simulator(SimulatorConfig.defaults(mqtt.uri()).withRate(settings.rate()),
          SimulateCommand.devicesOf(assets), scenarios, Clock.systemUTC());
      started.push(simulator);
      simulator.start();
    }
  }

  private Health.State brokerHealth() {
    EmbeddedMqtt broker = mqtt;
    if (broker == null || !broker.isRunning()) {
      return Health.State.down("STOPPED");
    }
    return broker.admitsAll() ? Health.State.ready("ADMITS_ALL") : Health.State.notReady("ADMITS_GATEWAY_ONLY");
  }

  /** What {@code /health}, {@code /health/live} and {@code /health/ready} answer from. */
  public Health health() {
    return api.health();
  }

  /**
   * Waits up to {@code timeout} until {@code /health/ready} would answer 200; returns early, false, when a part is not
   * live any more (e.g. Kafka Streams in ERROR) or on interrupt.
   */
  public boolean awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Health health = health();
    while (!health.ready()) {
      if (!health.live() || System.nanoTime() - deadline >= 0) {
        return false;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  public String mqttUri() {
    return mqtt.uri();
  }

  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  public int httpPort() {
    return api.port();
  }

  public Topics topics() {
    return topics;
  }

  public EmbeddedKafka kafka() {
    return kafka;
  }

  public Gateway gateway() {
    return gateway;
  }

  public FleetStreamsApp streams() {
    return streams;
  }

  public PrometheusMeterRegistry metrics() {
    return metrics;
  }

  @Override
  public void close() {
    Thread mqttStop = null;
    while (!started.isEmpty()) {
      AutoCloseable c = started.pop();
      if (c == mqtt && !started.isEmpty()) {
        // The MQTT broker takes seconds to stop; nothing left depends on it, so it stops beside Kafka.
        mqttStop = new Thread(() -> closeQuietly(c), "fleetwatch-mqtt-stop");
        mqttStop.start();
        continue;
      }
      closeQuietly(c);
    }
    if (mqttStop != null) {
      try {
        mqttStop.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (tempDir != null) {
      deleteRecursively(tempDir);
      tempDir = null;
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      LOG.warn("stopping {} failed: {}", c.getClass().getSimpleName(), e.toString());
    }
  }

  private static void deleteRecursively(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.debug("cannot delete {}: {}", dir, e.toString());
    }
  }

  /** Exposed for callers that want to report a bad registry file the same way as the CLI. */
  public static String describe(Exception e) {
    return e instanceof RegistryException ? e.getMessage() : e.toString();
  }
}
