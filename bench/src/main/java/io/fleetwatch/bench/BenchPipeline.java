package io.fleetwatch.bench;

import io.fleetwatch.bench.CpuAttribution.Component;
import io.fleetwatch.embedded.EmbeddedKafka;
import io.fleetwatch.embedded.EmbeddedMqtt;
import io.fleetwatch.embedded.InstrumentedGateway;
import io.fleetwatch.gateway.GatewayConfig;
import io.fleetwatch.schemas.Topics;
import io.fleetwatch.streams.FleetStreamsApp;
import io.fleetwatch.streams.StreamsAppConfig;
import io.fleetwatch.streams.policy.PolicyCatalogue;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The brokers, the gateway and the stream processors a latency bench measures, either in this JVM
 * ({@link Shape#ALL_IN_ONE}: embedded HiveMQ CE and Kafka, as in {@code fleetwatch demo}) or as separate processes
 * the way production runs them ({@link Shape#PRODUCTION}: Debian's mosquitto, a Kafka broker JVM, a
 * {@code fleetwatch gateway} JVM and one {@code fleetwatch streams} JVM per instance, as in docker-compose.yml).
 * The stream processors are either fleetwatch's streams app or the {@link FloorTopology}; instances share one
 * application id. Child processes are registered with the {@link CpuSampler} under their component.
 */
abstract class BenchPipeline implements AutoCloseable {
  static final String STREAMS_APPLICATION_ID = "fleetwatch-latency-bench";
  static final String GATEWAY_CLIENT_ID = "fleetwatch-bench-gateway";

  /** Where the components run. */
  enum Shape {
    ALL_IN_ONE("all-in-one"), PRODUCTION("production");

    private final String label;

    Shape(String label) {
      this.label = label;
    }

    String label() {
      return label;
    }

    /** Picocli converter: {@code all-in-one} or {@code production}. */
    static Shape parse(String value) {
      for (Shape s : values()) {
        if (s.label.equals(value.toLowerCase(Locale.ROOT))) {
          return s;
        }
      }
      throw new IllegalArgumentException("--shape must be all-in-one or production, got " + value);
    }
  }

  /** What the stream processors run. */
  enum Processing {
    FLEETWATCH("fleetwatch"), FLOOR("floor");

    private final String label;

    Processing(String label) {
      this.label = label;
    }

    String label() {
      return label;
    }
  }

  /** What both shapes need to know. */
  record Settings(Path work, Topics topics, Path policies, PolicyCatalogue catalogue, String floorOutput,
      Path mosquitto, int mqttMaxInflight, int gatewayReceiveMaximum, Duration commitInterval) {
  }

  protected final Settings settings;
  protected final CpuSampler cpu;

  BenchPipeline(Settings settings, CpuSampler cpu) {
    this.settings = settings;
    this.cpu = cpu;
  }

  static BenchPipeline start(Shape shape, Settings settings, CpuSampler cpu) throws Exception {
    return shape == Shape.ALL_IN_ONE ? new AllInOne(settings, cpu) : new Production(settings, cpu);
  }

  abstract Shape shape();

  abstract String mqttUri();

  abstract String bootstrapServers();

  /** Starts the gateway and waits until it is connected to both brokers. */
  abstract void startGateway() throws Exception;

  /** Starts {@code instances} stream processors running {@code processing} and waits until they all run. */
  abstract void startStreams(Processing processing, int instances) throws Exception;

  /** Stops the stream processors started last. */
  abstract void stopStreams() throws Exception;

  /** One sentence for the report: what ran where. */
  abstract String describe();

  protected Path stateDir(Processing processing, int instance) {
    return settings.work().resolve(processing.label() + "-streams-" + instance);
  }

  protected List<String> floorInputs() {
    return List.of(settings.topics().telemetry().name());
  }

  /** Everything in this JVM. */
  private static final class AllInOne extends BenchPipeline {
    private final EmbeddedKafka kafka;
    private final EmbeddedMqtt mqtt;
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final List<AutoCloseable> streams = new ArrayList<>();
    private InstrumentedGateway gateway;

    AllInOne(Settings settings, CpuSampler cpu) {
      super(settings, cpu);
      this.kafka = EmbeddedKafka.builder().host("127.0.0.1").port(0).dataDirectory(settings.work().resolve("kafka"))
          .build().start();
      try {
        this.mqtt = EmbeddedMqtt.builder().host("127.0.0.1").port(0).build().start();
      } catch (RuntimeException e) {
        kafka.close();
        throw e;
      }
    }

    @Override
    Shape shape() {
      return Shape.ALL_IN_ONE;
    }

    @Override
    String mqttUri() {
      return mqtt.uri();
    }

    @Override
    String bootstrapServers() {
      return kafka.bootstrapServers();
    }

    @Override
    void startGateway() {
      GatewayConfig config = GatewayConfig.builder().mqttServerUri(mqtt.uri()).mqttClientId(GATEWAY_CLIENT_ID)
          .kafkaBootstrapServers(kafka.bootstrapServers()).topicPrefix(settings.topics().prefix()).build();
      gateway = InstrumentedGateway.create(config, metrics);
      gateway.gateway().start();
      if (!gateway.gateway().awaitReady(Duration.ofSeconds(30))) {
        throw new IllegalStateException("the gateway did not connect to MQTT and Kafka within 30 s");
      }
    }

    @Override
    void startStreams(Processing processing, int instances) throws Exception {
      for (int i = 0; i < instances; i++) {
        if (processing == Processing.FLEETWATCH) {
          StreamsAppConfig config = StreamsAppConfig.builder().bootstrapServers(kafka.bootstrapServers())
              .topicPrefix(settings.topics().prefix()).stateDir(stateDir(processing, i))
              .applicationId(STREAMS_APPLICATION_ID).httpPort(0).policies(settings.policies())
              .commitInterval(settings.commitInterval()).build();
          FleetStreamsApp app = new FleetStreamsApp(config, settings.catalogue(), metrics, Clock.systemUTC());
          streams.add(app);
          app.start();
        } else {
          FloorStreams floor = new FloorStreams(FloorStreams.APPLICATION_ID, kafka.bootstrapServers(),
              settings.topics().prefix(), floorInputs(), settings.floorOutput(), stateDir(processing, i), "latest",
              settings.commitInterval());
          streams.add(floor);
          floor.start();
        }
      }
      for (AutoCloseable s : streams) {
        if (s instanceof FleetStreamsApp app) {
          LatencyBenchCommand.awaitRunning(app, Duration.ofSeconds(120));
        } else {
          ((FloorStreams) s).awaitRunning(Duration.ofSeconds(120));
        }
      }
    }

    @Override
    void stopStreams() throws Exception {
      for (AutoCloseable s : streams) {
        s.close();
      }
      streams.clear();
    }

    @Override
    String describe() {
      return "all-in-one: embedded HiveMQ CE, single-node Kafka (KRaft), the gateway, the stream processors and the"
          + " publishers in one JVM";
    }

    @Override
    public void close() throws Exception {
      try {
        stopStreams();
      } finally {
        if (gateway != null) {
          gateway.close();
        }
        mqtt.close();
        kafka.close();
      }
    }
  }

  /** Separate processes, as production runs them. */
  private static final class Production extends BenchPipeline {
    static final String KAFKA_HEAP = "768m";
    static final String GATEWAY_HEAP = "256m";
    static final String STREAMS_HEAP = "512m";
    /** A JVM starting the 150 MB jar on a busy 2-core machine can take minutes. */
    static final Duration CHILD_START = Duration.ofMinutes(4);

    private final MosquittoBroker mosquitto;
    private final BenchChild kafka;
    private final int kafkaPort;
    private final List<BenchChild> streams = new ArrayList<>();
    private BenchChild gateway;

    Production(Settings settings, CpuSampler cpu) throws Exception {
      super(settings, cpu);
      this.mosquitto = MosquittoBroker.start(settings.mosquitto(), MosquittoBroker.freePort(),
          settings.mqttMaxInflight());
      cpu.watch(mosquitto.pid(), Component.MQTT_BROKER);
      try {
        this.kafkaPort = MosquittoBroker.freePort();
        this.kafka = BenchChild.start("kafka", KAFKA_HEAP, List.of("bench", "kafka-broker", "--port",
            Integer.toString(kafkaPort), "--data-dir", settings.work().resolve("kafka").toString()), Map.of(),
            settings.work().resolve("kafka.log"));
        cpu.watch(kafka.pid(), Component.KAFKA_BROKER);
        kafka.awaitReadyLine(CHILD_START);
      } catch (Exception | Error e) {
        mosquitto.close();
        throw e;
      }
    }

    @Override
    Shape shape() {
      return Shape.PRODUCTION;
    }

    @Override
    String mqttUri() {
      return mosquitto.uri();
    }

    @Override
    String bootstrapServers() {
      return "127.0.0.1:" + kafkaPort;
    }

    @Override
    void startGateway() throws Exception {
      int httpPort = MosquittoBroker.freePort();
      gateway = BenchChild.start("gateway", GATEWAY_HEAP, List.of("gateway"), Map.of(
          "FLEETWATCH_MQTT_URI", mosquitto.uri(),
          "FLEETWATCH_MQTT_CLIENT_ID", GATEWAY_CLIENT_ID,
          "FLEETWATCH_MQTT_RECEIVE_MAXIMUM", Integer.toString(settings.gatewayReceiveMaximum()),
          "FLEETWATCH_KAFKA_BOOTSTRAP_SERVERS", bootstrapServers(),
          "FLEETWATCH_TOPIC_PREFIX", settings.topics().prefix(),
          // Both spellings of the HTTP settings: releases differ in which one the gateway reads first.
          "FLEETWATCH_HTTP_HOST", "127.0.0.1",
          "FLEETWATCH_HTTP_PORT", Integer.toString(httpPort),
          "FLEETWATCH_GATEWAY_HTTP_HOST", "127.0.0.1",
          "FLEETWATCH_GATEWAY_HTTP_PORT", Integer.toString(httpPort)), settings.work().resolve("gateway.log"));
      cpu.watch(gateway.pid(), Component.GATEWAY);
      gateway.awaitHttpOk(httpPort, "/health", CHILD_START);
    }

    @Override
    void startStreams(Processing processing, int instances) throws Exception {
      List<Integer> ports = new ArrayList<>();
      for (int i = 0; i < instances; i++) {
        Path state = stateDir(processing, i);
        Path log = settings.work().resolve(processing.label() + "-streams-" + i + ".log");
        BenchChild child;
        if (processing == Processing.FLEETWATCH) {
          int port = MosquittoBroker.freePort();
          ports.add(port);
          child = BenchChild.start("streams-" + i, STREAMS_HEAP, List.of("streams"), Map.of(
              StreamsAppConfig.BOOTSTRAP, bootstrapServers(),
              StreamsAppConfig.APPLICATION_ID, STREAMS_APPLICATION_ID,
              StreamsAppConfig.TOPIC_PREFIX, settings.topics().prefix(),
              StreamsAppConfig.STATE_DIR, state.toString(),
              StreamsAppConfig.POLICIES, settings.policies().toAbsolutePath().toString(),
              StreamsAppConfig.HTTP_HOST, "127.0.0.1",
              StreamsAppConfig.HTTP_PORT, Integer.toString(port),
              StreamsAppConfig.COMMIT_INTERVAL_MS, Long.toString(settings.commitInterval().toMillis())), log);
        } else {
          child = BenchChild.start("floor-" + i, STREAMS_HEAP, List.of("bench", "floor-streams", "--bootstrap",
              bootstrapServers(), "--topic-prefix", settings.topics().prefix(), "--inputs",
              String.join(",", floorInputs()), "--output", settings.floorOutput(), "--state-dir", state.toString(),
              "--offset-reset", "latest", "--commit-interval", settings.commitInterval().toString()), Map.of(), log);
        }
        streams.add(child);
        cpu.watch(child.pid(), Component.STREAMS);
      }
      for (int i = 0; i < streams.size(); i++) {
        if (processing == Processing.FLEETWATCH) {
          streams.get(i).awaitHttpOk(ports.get(i), "/health", CHILD_START);
        } else {
          streams.get(i).awaitReadyLine(CHILD_START);
        }
      }
    }

    @Override
    void stopStreams() {
      for (BenchChild s : streams) {
        s.close();
        cpu.unwatch(s.pid());
      }
      streams.clear();
    }

    @Override
    String describe() {
      return "production shape: mosquitto (" + settings.mosquitto() + ", max_inflight_messages "
          + settings.mqttMaxInflight() + "), a Kafka broker JVM (single-node KRaft, -Xmx" + KAFKA_HEAP
          + "), a `fleetwatch gateway` JVM (-Xmx" + GATEWAY_HEAP + ", Receive Maximum "
          + settings.gatewayReceiveMaximum() + ") and one `fleetwatch streams` (or floor) JVM per instance (-Xmx"
          + STREAMS_HEAP + "), each its own process; publishers and the watcher in the bench JVM";
    }

    @Override
    public void close() {
      try {
        stopStreams();
      } finally {
        if (gateway != null) {
          gateway.close();
        }
        kafka.close();
        mosquitto.close();
      }
    }
  }
}
