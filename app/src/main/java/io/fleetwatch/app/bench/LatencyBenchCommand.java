package io.fleetwatch.app.bench;

import io.fleetwatch.app.embedded.EmbeddedKafka;
import io.fleetwatch.app.embedded.EmbeddedMqtt;
import io.fleetwatch.app.ops.InstrumentedGateway;
import io.fleetwatch.app.topics.TopicProvisioner;
import io.fleetwatch.avro.Asset;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.gateway.GatewayConfig;
import io.fleetwatch.schemas.Topics;
import io.fleetwatch.simulator.SimulatedDevice;
import io.fleetwatch.simulator.fleet.FleetGenerator;
import io.fleetwatch.streams.FleetStreamsApp;
import io.fleetwatch.streams.StreamsAppConfig;
import io.fleetwatch.streams.policy.PolicyCatalogue;
import io.fleetwatch.streams.policy.PolicyLoader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fleetwatch bench latency}: the whole pipeline in this JVM (embedded MQTT broker and Kafka, the gateway,
 * the streams app with the shipped catalogue, exactly-once), a generated fleet publishing telemetry at each
 * sustained rate, SAF-01 envelope breaches injected on a rotating set of chillers (each device at most once), and a
 * separate read_committed consumer of {@code fleet.incidents} matching each SAF-01 incident to its fault by device.
 * Latency: the raising reading handed to the MQTT client → the incident record returned by that consumer's poll.
 * A fault whose incident has not arrived by the end of the settle time is missing: the rate's printed line and its
 * report row flag it, a verdict under the table names the rates, and the command exits 1.
 */
@Command(name = "latency", mixinStandardHelpOptions = true, description = {
    "Publish -> incident latency (p50/p95/p99/max) at sustained rates through the whole pipeline in this JVM",
    "(embedded brokers, gateway, streams app with the shipped policies, exactly-once); appends to docs/benchmarks.md.",
    "Exits 1 when an injected fault's incident is missing (flagged in the output and the report row)."})
public final class LatencyBenchCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(LatencyBenchCommand.class);

  @Spec CommandSpec spec;

  @Option(names = "--rates", split = ",", defaultValue = "1000,5000",
      description = "Target total rates in messages/s, in order (default ${DEFAULT-VALUE}).")
  List<Double> rates;

  @Option(names = "--generate", defaultValue = "20x100",
      description = "Fleet SITESxDEVICES, asset classes round robin (default ${DEFAULT-VALUE}).")
  String generate;

  @Option(names = "--duration", defaultValue = "PT30S", description = "Fault injection time per rate (default ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--warmup", defaultValue = "PT5S", description = "Publishing before the first fault, per rate (default ${DEFAULT-VALUE}).")
  Duration warmup;

  @Option(names = "--fault-interval", defaultValue = "PT2S", description = "Time between fault rounds (default ${DEFAULT-VALUE}).")
  Duration faultInterval;

  @Option(names = "--faults-per-round", defaultValue = "2", description = "Devices faulted per round (default ${DEFAULT-VALUE}).")
  int faultsPerRound;

  @Option(names = "--settle", defaultValue = "PT15S",
      description = "Longest wait for the last faults' incidents after injection stops (default ${DEFAULT-VALUE}).")
  Duration settle;

  @Option(names = "--connections", defaultValue = "4", description = "MQTT publisher connections (default ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--qos", defaultValue = "1", description = "MQTT QoS of the telemetry (default ${DEFAULT-VALUE}).")
  int qos;

  @Option(names = "--window", defaultValue = "500",
      description = "Unacknowledged publishes per connection (default ${DEFAULT-VALUE}).")
  int window;

  @Option(names = "--partitions", defaultValue = "3", description = "Partitions (default ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--policies", defaultValue = "policies", description = "Policy catalogue (default ${DEFAULT-VALUE}).")
  Path policies;

  @Option(names = "--report", defaultValue = "docs/benchmarks.md", description = "Report file (default ${DEFAULT-VALUE}).")
  Path report;

  @Option(names = "--no-report", negatable = false, description = "Print the results only.")
  boolean noReport;

  /** One rate's outcome. */
  record Result(double target, double achieved, long published, long acknowledged, long failed, int faults,
      int incidents, int unexpected, List<Double> latenciesMs) {
    double p(double percentile) {
      return BenchEnvironment.percentile(latenciesMs, percentile);
    }

    double max() {
      return latenciesMs.isEmpty() ? Double.NaN : latenciesMs.get(latenciesMs.size() - 1);
    }

    boolean keptUp() {
      return achieved >= 0.95 * target;
    }

    /** Faults whose SAF-01 incident did not arrive within the settle time. */
    int missing() {
      return faults - incidents;
    }

    /** What is printed for this rate when it ends. */
    String line() {
      return String.format(Locale.ROOT, "rate %,.0f/s: achieved %,.0f msgs/s, faults %d, incidents %d%s, latency ms"
          + " p50 %.0f p95 %.0f p99 %.0f max %.0f%s", target, achieved, faults, incidents,
          missing() > 0 ? " (MISSING " + missing() + ")" : "", p(50), p(95), p(99), max(),
          keptUp() ? "" : "  (the machine did not keep up with this rate)");
    }

    /** This rate's row of the report table; missing incidents are flagged in bold in the incidents cell. */
    String row() {
      return String.format(Locale.ROOT, "| %,.0f | %,.0f%s | %,d | %,d | %d | %d%s | %d | %.0f | %.0f | %.0f | %.0f |",
          target, achieved, keptUp() ? "" : " (did not keep up)", acknowledged, failed, faults, incidents,
          missing() > 0 ? " (**" + missing() + " missing**)" : "", unexpected, p(50), p(95), p(99), max());
    }
  }

  /**
   * Which rates lost incidents, e.g. {@code 10 of 10 at 5,000 msgs/s (no SAF-01 incident within ...)}, or null when
   * every fault raised its incident. Missing incidents make the command exit 1 ({@link #exitCode}).
   */
  static String missingIncidents(List<Result> results, Duration settle) {
    List<String> lost = results.stream().filter(r -> r.missing() > 0).map(r -> String.format(Locale.ROOT,
        "%d of %d at %,.0f msgs/s", r.missing(), r.faults(), r.target())).toList();
    if (lost.isEmpty()) {
      return null;
    }
    return String.join(", ", lost) + " (no SAF-01 incident within the " + settle.toSeconds()
        + " s settle time after injection stopped)";
  }

  /** 0 when every injected fault raised its incident, 1 otherwise. */
  static int exitCode(List<Result> results) {
    return results.stream().allMatch(r -> r.missing() == 0) ? 0 : 1;
  }

  @Override
  public Integer call() throws Exception {
    if (rates.isEmpty() || rates.stream().anyMatch(r -> r <= 0) || connections < 1 || window < 1
        || faultsPerRound < 1 || partitions < 1 || (qos != 0 && qos != 1)) {
      throw new IllegalArgumentException("--rates must be positive, --connections, --window, --faults-per-round and"
          + " --partitions >= 1, --qos 0 or 1");
    }
    PrintWriter out = spec.commandLine().getOut();
    String loadAtStart = BenchEnvironment.loadAverage();
    List<SimulatedDevice> fleet = FleetGenerator.fromSpec(generate);
    List<Integer> chillers = new ArrayList<>();
    for (int i = 0; i < fleet.size(); i++) {
      if ("chiller".equals(fleet.get(i).assetClass())) {
        chillers.add(i);
      }
    }
    int faultsNeeded = (int) (rates.size() * faultsPerRound
        * Math.max(1, duration.toMillis() / Math.max(1, faultInterval.toMillis())));
    if (chillers.size() < faultsNeeded) {
      throw new IllegalArgumentException("the fleet has " + chillers.size() + " chillers, the run needs up to "
          + faultsNeeded + " (each device is faulted once): use a larger --generate");
    }
    Collections.shuffle(chillers, new java.util.Random(42));
    PolicyCatalogue catalogue = new PolicyLoader().loadCatalogue(policies);
    Topics topics = Topics.withDefaultPrefix();
    Path work = Files.createTempDirectory("fleetwatch-latency-bench");
    List<Result> results = new ArrayList<>();
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().host("127.0.0.1").port(0)
            .dataDirectory(work.resolve("kafka")).build().start();
         EmbeddedMqtt mqtt = EmbeddedMqtt.builder().host("127.0.0.1").port(0).build().start()) {
      Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      try (Admin admin = Admin.create(client)) {
        new TopicProvisioner(admin, partitions, (short) 1).ensure(topics, Duration.ofSeconds(30));
        BenchEnvironment.awaitLeaders(admin, topics.all().stream().map(t -> t.name()).toList(), Duration.ofSeconds(30));
      }
      registerAssets(kafka.bootstrapServers(), topics, fleet);
      out.printf("fleet: %,d devices (%s), %,d chillers; pipeline starting%n", fleet.size(), generate, chillers.size());
      out.flush();
      StreamsAppConfig config = StreamsAppConfig.builder().bootstrapServers(kafka.bootstrapServers())
          .topicPrefix(topics.prefix()).stateDir(work.resolve("streams")).applicationId("fleetwatch-latency-bench")
          .httpPort(0).policies(policies).build();
      GatewayConfig gatewayConfig = GatewayConfig.builder().mqttServerUri(mqtt.uri())
          .mqttClientId("fleetwatch-bench-gateway").kafkaBootstrapServers(kafka.bootstrapServers())
          .topicPrefix(topics.prefix()).build();
      Map<String, long[]> pending = new ConcurrentHashMap<>();
      Map<Integer, List<Double>> latencyByRate = new ConcurrentHashMap<>();
      AtomicLong unexpected = new AtomicLong();
      java.util.concurrent.atomic.AtomicInteger rateIndex = new java.util.concurrent.atomic.AtomicInteger();
      try (FleetStreamsApp streams = new FleetStreamsApp(config, catalogue, metrics, Clock.systemUTC());
           InstrumentedGateway gateway = InstrumentedGateway.create(gatewayConfig, metrics);
           IncidentWatcher watcher = new IncidentWatcher(kafka.bootstrapServers(), topics, pending,
               latencyByRate, unexpected)) {
        streams.start();
        awaitRunning(streams, Duration.ofSeconds(60));
        gateway.gateway().start();
        if (!gateway.gateway().awaitReady(Duration.ofSeconds(30))) {
          throw new IllegalStateException("the gateway did not connect to MQTT and Kafka within 30 s");
        }
        watcher.start();
        try (FleetPublisher publisher = new FleetPublisher(mqtt.uri(), fleet, connections, qos, window)) {
          publisher.onFault((device, nanos) -> pending.put(device.deviceId(), new long[] {nanos, rateIndex.get()}));
          int nextFault = 0;
          for (double rate : rates) {
            List<Double> latencies = latencyByRate.computeIfAbsent(rateIndex.get(),
                i -> Collections.synchronizedList(new ArrayList<>()));
            long unexpectedBefore = unexpected.get();
            publisher.rate(rate);
            sleepWithProgress(out, publisher, rate, warmup, "warm-up");
            long published0 = publisher.published();
            long acked0 = publisher.acknowledged();
            long failed0 = publisher.failed();
            long start = System.nanoTime();
            int faults = 0;
            long end = start + duration.toNanos();
            long nextProgress = start + 5_000_000_000L;
            while (System.nanoTime() < end) {
              for (int k = 0; k < faultsPerRound; k++) {
                publisher.inject(chillers.get(nextFault++));
                faults++;
              }
              long roundEnd = Math.min(end, System.nanoTime() + faultInterval.toNanos());
              while (System.nanoTime() < roundEnd) {
                Thread.sleep(Math.max(1, Math.min(200, (roundEnd - System.nanoTime()) / 1_000_000)));
                if (System.nanoTime() >= nextProgress) {
                  progress(out, rate, "faults", (System.nanoTime() - start) / 1e9, publisher.acknowledged() - acked0,
                      faults, latencies.size());
                  nextProgress += 5_000_000_000L;
                }
              }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long acked = publisher.acknowledged() - acked0;
            long published = publisher.published() - published0;
            long failed = publisher.failed() - failed0;
            long settleEnd = System.nanoTime() + settle.toNanos();
            while (latencies.size() < faults && System.nanoTime() < settleEnd) {
              Thread.sleep(100);
            }
            List<Double> sorted;
            synchronized (latencies) {
              sorted = new ArrayList<>(latencies);
            }
            Collections.sort(sorted);
            Result r = new Result(rate, acked / seconds, published, acked, failed, faults, sorted.size(),
                (int) (unexpected.get() - unexpectedBefore), sorted);
            results.add(r);
            out.println(r.line());
            out.flush();
            rateIndex.incrementAndGet();
          }
          publisher.rate(0);
        }
      }
    } finally {
      BenchEnvironment.deleteQuietly(work);
    }
    List<String> section = section(results, loadAtStart, fleet.size());
    out.println();
    section.forEach(out::println);
    if (!noReport) {
      BenchEnvironment.append(report, section);
      out.println("appended to " + report.toAbsolutePath().normalize());
    }
    String missing = missingIncidents(results, settle);
    if (missing != null) {
      out.println("FAILED: expected incidents missing: " + missing);
    }
    out.flush();
    return exitCode(results);
  }

  private List<String> section(List<Result> results, String loadAtStart, int devices) {
    List<String> s = new ArrayList<>();
    s.add("## Detection latency, " + BenchEnvironment.today());
    s.add("");
    s.add("`fleetwatch bench latency " + BenchEnvironment.arguments(spec)
        + "`: the whole pipeline in one JVM (embedded HiveMQ CE and single-node Kafka, the gateway, the streams app"
        + " with the shipped catalogue `" + policies + "`, exactly-once v2, commit interval 100 ms, 1 stream thread)."
        + " A generated fleet publishes telemetry over MQTT at each target rate; every " + faultInterval.toSeconds()
        + " s, " + faultsPerRound + " chillers (each at most once) publish " + FleetPublisher.BREACH_READINGS
        + " consecutive `supply_temp_c` " + FleetPublisher.BREACH_VALUE + " readings (SAF-01 envelope [4, 12], raise"
        + " after 3). **latency** = the raising (3rd) reading handed to the MQTT client → the SAF-01 incident returned"
        + " by a separate `read_committed` consumer of `fleet.incidents`, matched by device. **achieved** ="
        + " acknowledged publishes / injection time.");
    s.add("");
    s.addAll(BenchEnvironment.machine(loadAtStart));
    s.add(String.format(Locale.ROOT, "- load: %,d devices (%s), %d MQTT connections, QoS %d, window %d per connection,"
        + " %d partitions; per rate %ds warm-up, %ds of faults", devices, generate, connections, qos, window, partitions,
        warmup.toSeconds(), duration.toSeconds()));
    s.add("");
    s.add("| target msgs/s | achieved msgs/s | acknowledged | failed | faults | incidents | unexpected SAF-01 |"
        + " p50 ms | p95 ms | p99 ms | max ms |");
    s.add("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    results.forEach(r -> s.add(r.row()));
    String missing = missingIncidents(results, settle);
    if (missing != null) {
      s.add("");
      s.add("**Expected incidents missing**: " + missing + "; the command exited 1.");
    }
    return s;
  }

  private static void progress(PrintWriter out, double rate, String phase, double seconds, long acked, int faults,
      int incidents) {
    out.printf(Locale.ROOT, "  rate %,.0f/s %s %.0fs: %,.0f msgs/s acknowledged, faults %d, incidents %d%n", rate, phase,
        seconds, acked / seconds, faults, incidents);
    out.flush();
  }

  private static void sleepWithProgress(PrintWriter out, FleetPublisher publisher, double rate, Duration time,
      String phase) throws InterruptedException {
    long acked0 = publisher.acknowledged();
    long start = System.nanoTime();
    Thread.sleep(time.toMillis());
    progress(out, rate, phase, (System.nanoTime() - start) / 1e9, publisher.acknowledged() - acked0, 0, 0);
  }

  static void awaitRunning(FleetStreamsApp streams, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the streams app is " + streams.state() + " after " + timeout);
      }
      Thread.sleep(100);
    }
  }

  /**
   * Publishes one asset per device to the compacted asset topic (what {@code fleetwatch registry apply} does). Not
   * idempotent: a batch retried after a leader change may be written twice, which a compacted topic absorbs.
   */
  static void registerAssets(String bootstrap, Topics topics, List<SimulatedDevice> fleet) throws Exception {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 10);
    try (KafkaProducer<String, Asset> producer = new KafkaProducer<>(config, topics.assets().keySerde().serializer(),
        topics.assets().valueSerde().serializer())) {
      List<Future<?>> sends = new ArrayList<>();
      for (SimulatedDevice d : fleet) {
        Asset a = Asset.newBuilder().setDeviceId(d.deviceId()).setSite(d.site()).setAssetClass(d.assetClass())
            .setModel(d.profile().model()).setVendor(d.profile().vendor())
            .setSafetyFunction("chiller".equals(d.assetClass()) || "boiler".equals(d.assetClass())).build();
        sends.add(producer.send(new ProducerRecord<>(topics.assets().name(), d.deviceId(), a)));
      }
      producer.flush();
      for (Future<?> f : sends) {
        f.get();
      }
    }
  }

  /** The separate consumer of {@code fleet.incidents} (read_committed) that matches SAF-01 incidents to faults. */
  static final class IncidentWatcher implements AutoCloseable {
    private final KafkaConsumer<String, Incident> consumer;
    private final Map<String, long[]> pending;
    private final Map<Integer, List<Double>> latencies;
    private final AtomicLong unexpected;
    private final java.util.Set<String> seen = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile boolean running = true;

    IncidentWatcher(String bootstrap, Topics topics, Map<String, long[]> pending,
        Map<Integer, List<Double>> latencies, AtomicLong unexpected) {
      Map<String, Object> config = new HashMap<>();
      config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      config.put(ConsumerConfig.GROUP_ID_CONFIG, "latency-bench-" + System.nanoTime());
      config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
      this.consumer = new KafkaConsumer<>(config, topics.incidents().keySerde().deserializer(),
          topics.incidents().valueSerde().deserializer());
      consumer.subscribe(List.of(topics.incidents().name()));
      this.pending = pending;
      this.latencies = latencies;
      this.unexpected = unexpected;
      this.thread = new Thread(this::loop, "bench-incident-watcher");
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    private void loop() {
      try {
        while (running) {
          for (ConsumerRecord<String, Incident> r : consumer.poll(Duration.ofMillis(100))) {
            long now = System.nanoTime();
            Incident incident = r.value();
            if (incident == null || !"SAF-01".equals(incident.getPolicyId()) || incident.getDeviceId() == null) {
              continue;
            }
            String device = incident.getDeviceId();
            long[] fault = pending.get(device);
            if (fault != null && seen.add(device)) {
              latencies.computeIfAbsent((int) fault[1], i -> Collections.synchronizedList(new ArrayList<>()))
                  .add((now - fault[0]) / 1e6);
            } else if (fault == null && seen.add(device)) {
              unexpected.incrementAndGet();
              LOG.info("SAF-01 incident on {} without an injected fault", device);
            }
          }
        }
      } catch (WakeupException e) {
        // closing
      } finally {
        consumer.close(Duration.ofSeconds(2));
      }
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      if (thread.isAlive()) {
        consumer.wakeup();
        thread.join(5_000);
      } else {
        consumer.close(Duration.ofSeconds(2));
      }
    }
  }
}
