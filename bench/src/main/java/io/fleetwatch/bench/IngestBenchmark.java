package io.fleetwatch.bench;

import io.fleetwatch.embedded.EmbeddedKafka;
import io.fleetwatch.embedded.TopicProvisioner;
import io.fleetwatch.gateway.Gateway;
import io.fleetwatch.gateway.GatewayConfig;
import io.fleetwatch.gateway.sparkplug.SparkplugSettings;
import io.fleetwatch.schemas.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * {@code fleetwatch bench ingest}: MQTT → Kafka throughput and loss of the fleetwatch gateway, and in the same run of
 * the shell bridge {@code mosquitto_sub | kcat -P}, on the same load.
 *
 * <p>Starts Debian's mosquitto (child process, no queue limit) and an in-process single-node Kafka (KRaft, topics
 * with {@code LogAppendTime}), then for each bridge and QoS: {@link SequencePublisher} sends the messages from several
 * connections as fast as its window allows; {@link SequenceLedger} reads the output topic. Throughput = distinct
 * messages in Kafka / (broker append time of the last record − wall-clock time of the first publish). Loss = messages
 * the broker acknowledged to the publisher (QoS 1) or that were written to the socket (QoS 0) but never reached
 * Kafka; duplicates = extra copies in Kafka. The gateway runs in this JVM with its production settings.
 */
public final class IngestBenchmark {
  private static final String GATEWAY_TOPIC_PREFIX = "fleet.";
  private static final String SHELL_TOPIC = "bench.shellbridge";
  private static final Duration QUIET = Duration.ofSeconds(10);
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(15);

  /**
   * Benchmark parameters.
   *
   * @param messages messages per run
   * @param connections publisher connections
   * @param devicesPerConnection devices per publisher connection
   * @param window unacknowledged publishes per connection
   * @param partitions partitions of the output topics
   * @param receiveMaximum the gateway's Receive Maximum
   * @param brokerMaxInflight mosquitto {@code max_inflight_messages}
   * @param warmup messages sent through each bridge before it is measured
   * @param qosLevels QoS levels to run, in order
   * @param baseline whether to run the shell bridge too
   * @param gatewayProperties further gateway settings ({@code gateway.*}, {@code kafka.*} keys of the gateway README)
   * @param payloads payloads through the gateway, in order (the shell bridge decodes nothing: it runs JSON only)
   */
  public record Settings(int messages, int connections, int devicesPerConnection, int window, int partitions,
      int receiveMaximum, int brokerMaxInflight, int warmup, List<Integer> qosLevels, boolean baseline,
      Map<String, String> gatewayProperties, List<SequencePublisher.Payload> payloads) {}

  /**
   * One measured run.
   *
   * @param bridge {@code fleetwatch gateway} or {@code shell bridge}
   * @param payload what was published
   * @param qos publish QoS
   * @param seconds first publish to last record appended in Kafka while the bridge ran
   * @param deliveredWhileRunning distinct messages in Kafka before the bridge was stopped
   * @param report delivery counts after the bridge stopped
   */
  public record Result(String bridge, SequencePublisher.Payload payload, int qos, double seconds,
      long deliveredWhileRunning, DeliveryReport report) {
    public double throughput() {
      return seconds <= 0 ? 0 : deliveredWhileRunning / seconds;
    }

    /** Messages that reached Kafka only once the bridge was stopped (held in a pipeline buffer until then). */
    public long heldUntilStop() {
      return report.distinct() - deliveredWhileRunning;
    }

    /** Published messages that never reached Kafka (for QoS 0 those Paho wrote to the socket). */
    public long lost() {
      return report.sent() - report.distinct();
    }
  }

  /** Binaries the benchmark runs. */
  public record Tools(Path mosquitto, Path mosquittoSub, Path kcat) {
    /** Finds them on the PATH (and {@code /usr/sbin} for mosquitto); the message lists what is missing. */
    public static Tools find(boolean baseline) {
      Optional<Path> mosquitto = which("mosquitto");
      Optional<Path> sub = which("mosquitto_sub");
      Optional<Path> kcat = which("kcat");
      List<String> missing = new ArrayList<>();
      if (mosquitto.isEmpty()) {
        missing.add("mosquitto (apt-get install -y mosquitto)");
      }
      if (baseline && sub.isEmpty()) {
        missing.add("mosquitto_sub (apt-get install -y mosquitto-clients)");
      }
      if (baseline && kcat.isEmpty()) {
        missing.add("kcat (apt-get install -y kcat)");
      }
      if (!missing.isEmpty()) {
        throw new IllegalArgumentException("bench ingest needs " + String.join(", ", missing)
            + (baseline ? "; --no-baseline skips the shell bridge" : ""));
      }
      return new Tools(mosquitto.get(), sub.orElse(null), kcat.orElse(null));
    }

    private static Optional<Path> which(String name) {
      List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
      dirs.add("/usr/sbin");
      dirs.add("/usr/local/sbin");
      return dirs.stream().filter(d -> !d.isBlank()).map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst();
    }
  }

  private final Settings settings;
  private final Tools tools;
  private final PrintWriter out;

  public IngestBenchmark(Settings settings, Tools tools, PrintWriter out) {
    this.settings = settings;
    this.tools = tools;
    this.out = out;
  }

  /** Runs every configured bridge and QoS; returns the measured runs. */
  public List<Result> run() throws Exception {
    List<Result> results = new ArrayList<>();
    Path work = Files.createTempDirectory("fleetwatch-bench-");
    out.printf("fleetwatch bench ingest: %d messages per run, %d publisher connections x %d devices, window %d%n",
        settings.messages(), settings.connections(), settings.devicesPerConnection(), settings.window());
    out.flush();
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDirectory(work.resolve("kafka"))
            .brokerProperty("log.message.timestamp.type", "LogAppendTime").build().start();
        MosquittoBroker mosquitto = MosquittoBroker.start(tools.mosquitto(), MosquittoBroker.freePort(),
            settings.brokerMaxInflight())) {
      createTopics(kafka.bootstrapServers());
      out.printf("Kafka %s on %s, mosquitto on %s%n", kafkaVersion(), kafka.bootstrapServers(),
          mosquitto.uri());
      SimpleMeterRegistry metrics = new SimpleMeterRegistry();
      java.util.Properties gatewayProperties = new java.util.Properties();
      gatewayProperties.setProperty(GatewayConfig.MQTT_URI, mosquitto.uri());
      gatewayProperties.setProperty(GatewayConfig.MQTT_CLIENT_ID, "fleetwatch-bench-gateway");
      gatewayProperties.setProperty(GatewayConfig.MQTT_RECEIVE_MAXIMUM, Integer.toString(settings.receiveMaximum()));
      // Session expiry 0: nothing queues for the gateway once it is gone and the shell bridge runs.
      gatewayProperties.setProperty(GatewayConfig.MQTT_SESSION_EXPIRY_SECONDS, "0");
      gatewayProperties.setProperty(GatewayConfig.KAFKA_BOOTSTRAP_SERVERS, kafka.bootstrapServers());
      gatewayProperties.setProperty(GatewayConfig.TOPIC_PREFIX, GATEWAY_TOPIC_PREFIX);
      if (settings.payloads().contains(SequencePublisher.Payload.SPARKPLUG)) {
        gatewayProperties.setProperty(SparkplugSettings.ENABLED, "true");
      }
      gatewayProperties.putAll(settings.gatewayProperties());
      GatewayConfig config = GatewayConfig.fromEnvironment(Map.of(), gatewayProperties);
      try (Gateway gateway = new Gateway(config, metrics)) {
        gateway.start();
        if (!gateway.awaitReady(Duration.ofSeconds(60))) {
          throw new IllegalStateException("the gateway did not connect to mosquitto and Kafka within 60 s");
        }
        String topic = GATEWAY_TOPIC_PREFIX + "telemetry";
        for (SequencePublisher.Payload payload : settings.payloads()) {
          warmup("fleetwatch gateway", payload, mosquitto, kafka, topic, SequenceLedger.TELEMETRY);
          for (int qos : settings.qosLevels()) {
            results.add(measure("fleetwatch gateway", payload, qos, mosquitto, kafka, topic, SequenceLedger.TELEMETRY,
                () -> { }));
          }
        }
        metrics.find("fleetwatch.gateway.kafka.send").timers().forEach(t -> out.printf(
            "  gateway Kafka sends (%s): %,d, mean %.1f ms, max %.1f ms%n", t.getId().getTag("outcome"), t.count(),
            t.mean(TimeUnit.MILLISECONDS), t.max(TimeUnit.MILLISECONDS)));
        double dropped = metrics.find("fleetwatch.gateway.messages.dropped").counters().stream()
            .mapToDouble(Counter::count).sum();
        if (dropped > 0) {
          out.printf("  the gateway dropped %d QoS 0 messages (more than Receive Maximum waiting for Kafka)%n",
              (long) dropped);
        }
      }
      if (settings.baseline()) {
        Path errors = work.resolve("shell-bridge.log");
        boolean warm = false;
        for (int qos : settings.qosLevels()) {
          // A fresh pipeline per QoS: closing it (end of input for kcat) is how its last messages reach Kafka.
          ShellBridge bridge = ShellBridge.start(tools.mosquittoSub(), tools.kcat(), mosquitto.port(),
              "fleetwatch-bench-shell-" + qos, kafka.bootstrapServers(), SHELL_TOPIC, errors);
          try {
            awaitShellBridge(mosquitto, kafka);
            if (!warm) {
              warmup("shell bridge", SequencePublisher.Payload.JSON, mosquitto, kafka, SHELL_TOPIC,
                  SequenceLedger.SHELL_BRIDGE);
              warm = true;
            }
            results.add(measure("shell bridge", SequencePublisher.Payload.JSON, qos, mosquitto, kafka, SHELL_TOPIC,
                SequenceLedger.SHELL_BRIDGE, bridge::close));
          } finally {
            bridge.close();
          }
        }
      }
    } finally {
      deleteRecursively(work);
    }
    return results;
  }

  private void createTopics(String bootstrapServers) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      new TopicProvisioner(admin, settings.partitions(), (short) 1)
          .ensure(new Topics(GATEWAY_TOPIC_PREFIX), Duration.ofSeconds(30));
      admin.createTopics(List.of(new NewTopic(SHELL_TOPIC, settings.partitions(), (short) 1)))
          .all().get(30, TimeUnit.SECONDS);
    }
  }

  /** Publishes bursts of probe messages until one comes out of the shell bridge (mosquitto_sub has subscribed). */
  private void awaitShellBridge(MosquittoBroker mosquitto, EmbeddedKafka kafka) throws Exception {
    try (SequenceLedger ledger = SequenceLedger.start(kafka.bootstrapServers(), SHELL_TOPIC, "probe",
        SequenceLedger.SHELL_BRIDGE)) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      for (int attempt = 0; ledger.seen().size() == 0; attempt++) {
        if (System.nanoTime() - deadline >= 0) {
          throw new IllegalStateException("the shell bridge forwarded nothing within 60 s");
        }
        try (SequencePublisher probe = SequencePublisher.start(
            new SequencePublisher.Load(mosquitto.uri(), "probe", 1, 1, 200, 1, 100, 0))) {
          probe.awaitDone(Duration.ofSeconds(10));
        }
        ledger.awaitDistinct(1, Duration.ofSeconds(2));
      }
    }
  }

  private void warmup(String bridge, SequencePublisher.Payload payload, MosquittoBroker mosquitto, EmbeddedKafka kafka,
      String topic, SequenceLedger.Decoder decoder) throws Exception {
    if (settings.warmup() <= 0) {
      return;
    }
    String site = site("warmup", bridge, payload);
    try (SequenceLedger ledger = SequenceLedger.start(kafka.bootstrapServers(), topic, site, decoder);
        SequencePublisher publisher = SequencePublisher.start(new SequencePublisher.Load(mosquitto.uri(), site,
            settings.connections(), settings.devicesPerConnection(), settings.warmup(), 1, settings.window(), 0,
            payload))) {
      publisher.awaitDone(RUN_TIMEOUT);
      ledger.awaitDistinctOrQuiet(publisher.acknowledgedCount(), QUIET, RUN_TIMEOUT);
      out.printf("  %s %s warm-up: %d messages, %d in Kafka%n", bridge, payload.label(), settings.warmup(),
          ledger.seen().size());
      out.flush();
    }
  }

  /**
   * One measured run. Throughput counts what reached Kafka while the bridge ran; {@code stopBridge} then runs and what
   * arrives after it (a shell pipeline flushing at end of input) counts as delivered but not towards throughput.
   */
  private Result measure(String bridge, SequencePublisher.Payload payload, int qos, MosquittoBroker mosquitto,
      EmbeddedKafka kafka, String topic, SequenceLedger.Decoder decoder, Runnable stopBridge) throws Exception {
    String site = site("qos" + qos, bridge, payload);
    String run = bridge + " " + payload.label();
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bench-progress");
      t.setDaemon(true);
      return t;
    });
    try (SequenceLedger ledger = SequenceLedger.start(kafka.bootstrapServers(), topic, site, decoder)) {
      SequencePublisher publisher;
      try {
        publisher = SequencePublisher.start(new SequencePublisher.Load(mosquitto.uri(), site, settings.connections(),
            settings.devicesPerConnection(), settings.messages(), qos, settings.window(), 0, payload));
      } catch (MqttException e) {
        throw new IllegalStateException("publishers cannot connect to " + mosquitto.uri() + ": " + e.getMessage(), e);
      }
      try (publisher) {
        ticker.scheduleAtFixedRate(() -> {
          out.printf("  %-28s QoS %d: published %,d/%,d, acknowledged %,d, in Kafka %,d%n", run, qos,
              publisher.published(), settings.messages(), publisher.acknowledgedCount(), ledger.seen().size());
          out.flush();
        }, 1, 1, TimeUnit.SECONDS);
        if (!publisher.awaitDone(RUN_TIMEOUT)) {
          throw new IllegalStateException(run + " QoS " + qos + ": publishing did not finish within " + RUN_TIMEOUT);
        }
        ledger.awaitDistinctOrQuiet(publisher.published(), QUIET, RUN_TIMEOUT);
        ticker.shutdownNow();
        long end = ledger.latestTimestamp();
        long whileRunning = ledger.seen().size();
        double seconds = end == 0 ? 0 : (end - publisher.firstPublishMillis()) / 1000.0;
        stopBridge.run();
        ledger.awaitDistinctOrQuiet(publisher.published(), Duration.ofSeconds(3), Duration.ofSeconds(30));
        DeliveryReport report = ledger.report(run + " QoS " + qos, publisher);
        Result result = new Result(bridge, payload, qos, seconds, whileRunning, report);
        out.printf("  %-28s QoS %d: %,.0f msgs/s over %.2f s; %s%s%n", run, qos, result.throughput(), seconds,
            report, result.heldUntilStop() > 0 ? "; " + result.heldUntilStop() + " reached Kafka only when the bridge"
            + " stopped" : "");
        out.flush();
        return result;
      }
    } finally {
      ticker.shutdownNow();
    }
  }

  /** Publisher site (also the Sparkplug group) of a run: distinct per bridge, payload and run. */
  private static String site(String run, String bridge, SequencePublisher.Payload payload) {
    return (bridge.startsWith("shell") ? "shell" : "gateway")
        + (payload == SequencePublisher.Payload.JSON ? "" : "-" + payload.label()) + "-" + run;
  }

  /** The machine and versions, one line each as {@code - key: value}. */
  public static List<String> machine(Tools tools) {
    List<String> lines = new ArrayList<>();
    lines.add("- date: " + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)
        .replaceAll("\\.\\d+", ""));
    lines.add("- CPU: " + Runtime.getRuntime().availableProcessors() + " cores" + cpuModel().map(m -> " (" + m + ")")
        .orElse(""));
    memory().ifPresent(m -> lines.add("- memory: " + m));
    loadAverage().ifPresent(l -> lines.add("- load average (1, 5, 15 min) when the report was written: " + l
        + " (other work on the machine competes with the run)"));
    lines.add("- OS: " + System.getProperty("os.name") + " " + System.getProperty("os.version"));
    lines.add("- Java: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
        + ", max heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB");
    lines.add("- Kafka: " + kafkaVersion() + " (in-process KRaft, single node)");
    lines.add("- mosquitto: " + firstLine(tools.mosquitto(), "-h", "mosquitto version"));
    if (tools.kcat() != null) {
      lines.add("- kcat: " + firstLine(tools.kcat(), "-V", "Version"));
    }
    lines.add("- MQTT client: Eclipse Paho Java 1.2.5 (MQTT 5)");
    return lines;
  }

  /**
   * Appends a dated section with the command line, the machine, the settings and the results table to {@code file},
   * creating it with an introduction on the method when it does not exist.
   *
   * @param arguments the options of the run, as given after {@code fleetwatch bench ingest}
   */
  public void appendReport(Path file, String arguments, List<Result> results) throws IOException {
    StringBuilder md = new StringBuilder();
    if (!Files.exists(file)) {
      md.append(introduction());
    }
    md.append("\n## Ingest, ").append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE))
        .append("\n\n");
    md.append("- command: `fleetwatch bench ingest").append(arguments.isEmpty() ? "" : " " + arguments).append("`\n");
    for (String line : machine(tools)) {
      md.append(line).append('\n');
    }
    md.append(String.format(Locale.ROOT, "- load: %,d messages per run from %d MQTT connections x %d devices, window %d"
        + " unacknowledged publishes per connection; %d partitions; gateway Receive Maximum"
        + " %d; mosquitto max_inflight_messages %d, max_queued_messages 0; warm-up %,d messages per bridge and"
        + " payload%n",
        settings.messages(), settings.connections(), settings.devicesPerConnection(), settings.window(),
        settings.partitions(), settings.receiveMaximum(), settings.brokerMaxInflight(), settings.warmup()));
    md.append("- payloads: json = ~60-byte native JSON telemetry with `seq`");
    if (settings.payloads().contains(SequencePublisher.Payload.SPARKPLUG)) {
      md.append(String.format(Locale.ROOT, "; sparkplug = ~%d-byte Sparkplug B DDATA of %d numeric metrics by alias"
          + " (`%s` one of them), each connection an edge node born (NBIRTH, DBIRTH per device, QoS 1) before the"
          + " run; the gateway has `%s=true`", SparkplugPayloads.deviceData(System.currentTimeMillis(), 0,
              settings.messages()).length, SparkplugPayloads.METRICS, SparkplugPayloads.SEQ_METRIC,
          SparkplugSettings.ENABLED));
    }
    md.append('\n');
    if (!settings.gatewayProperties().isEmpty()) {
      md.append("- gateway settings: ").append(settings.gatewayProperties()).append('\n');
    }
    if (settings.baseline()) {
      md.append("- shell bridge: `").append(ShellBridge.describe(SHELL_TOPIC))
          .append("` (forwards each payload as a text line and decodes nothing: JSON only)\n");
    }
    md.append('\n');
    md.append("| bridge | payload | QoS | msgs/s | seconds | published | acknowledged | in Kafka | only after stop"
        + " | duplicates | lost |\n");
    md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Result r : results) {
      md.append(String.format(Locale.ROOT, "| %s | %s | %d | %,.0f | %.2f | %,d | %,d | %,d | %,d | %,d | %,d |%n",
          r.bridge(), r.payload().label(), r.qos(), r.throughput(), r.seconds(), r.report().sent(),
          r.report().acknowledged(),
          r.report().distinct(), r.heldUntilStop(), r.report().duplicates(), r.lost()));
    }
    Files.writeString(file, md.toString(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  private static String introduction() {
    return """
        # fleetwatch benchmarks

        Measured by `fleetwatch bench`, never by timed assertions in tests. Each section below is one run, appended by
        the command itself with the machine it ran on; numbers from different machines are not comparable.

        **Ingest** (`fleetwatch bench ingest`): Debian's mosquitto (child process, `max_queued_messages 0`) and a
        single-node Kafka (KRaft, in the same JVM as the gateway, topics with `LogAppendTime`) on one machine. Eclipse
        Paho MQTT 5 publishers send sequence-numbered telemetry (`seq` per device) from several connections, as fast
        as a window of unacknowledged publishes allows, first at QoS 1, then at QoS 0. The same load goes through the
        fleetwatch gateway (in-process, production settings: manual PUBACK after Kafka `acks=all`, idempotent producer)
        and then, in the same run, through the shell bridge `mosquitto_sub -q 1 | kcat -P`. A consumer reads each
        output topic and counts by (device, seq). **msgs/s** = distinct messages in Kafka / (broker append time of
        the last record − wall-clock time of the first publish). **acknowledged** = PUBACKs the publishers received
        (QoS 1) or messages written to the socket (QoS 0); **lost** = published messages never seen in Kafka;
        **duplicates** = extra copies. Everything shares the machine's cores, so the bridges compete with the broker,
        Kafka and the publishers for CPU, equally for both.
        **only after stop** = messages that reached Kafka only when the bridge was stopped: kcat holds the tail of its
        input until end of input, so a shell bridge under a lull delays its last messages indefinitely. The shell bridge
        acknowledges to the broker as soon as `mosquitto_sub` printed a message, before Kafka has it: a clean run like
        this one shows no loss, but whatever sits in the pipe or in kcat's queue when it crashes, or when Kafka is down
        longer than kcat's message timeout, is gone; the gateway's equivalent faults are the integration tests
        `GatewayKafkaOutageIT` and `GatewayProcessKillIT` (no loss). The bench does not inject faults.
        **payload** `sparkplug` (`--payload json,sparkplug`): each publisher connection is a Sparkplug B edge node whose
        devices, born by an NBIRTH and a DBIRTH per device (QoS 1, acknowledged before the run, not counted), publish
        DDATA of 10 numeric metrics by alias; the per-device sequence number travels as the metric `bench_seq`, and
        the consumer counts by (device, `bench_seq`) as it counts JSON by (device, `seq`). The gateway then runs with
        Sparkplug enabled for every payload of the run. The shell bridge forwards text lines and decodes nothing, so it
        runs the JSON payload only: compare the gateway's `sparkplug` row with its `json` row of the same section.
        """;
  }

  /** The Kafka client library's version, from the jar's {@code kafka/kafka-version.properties}. */
  static String kafkaVersion() {
    try (var in = Admin.class.getClassLoader().getResourceAsStream("kafka/kafka-version.properties")) {
      java.util.Properties p = new java.util.Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static Optional<String> cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return Optional.of(parts[0] + ", " + parts[1] + ", " + parts[2]);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> memory() {
    try {
      return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
          .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / (1024 * 1024) + " GiB").findFirst();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static String firstLine(Path binary, String flag, String containing) {
    try {
      Process p = new ProcessBuilder(binary.toString(), flag).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(5, TimeUnit.SECONDS);
      return output.lines().filter(l -> l.contains(containing)).findFirst().map(String::strip).orElse("unknown");
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
