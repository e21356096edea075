package io.fleetwatch.bench;

import io.fleetwatch.embedded.TopicProvisioner;
import io.fleetwatch.avro.Asset;
import io.fleetwatch.gateway.GatewayConfig;
import io.fleetwatch.schemas.Topics;
import io.fleetwatch.simulator.SimulatedDevice;
import io.fleetwatch.simulator.fleet.FleetGenerator;
import io.fleetwatch.streams.FleetStreamsApp;
import io.fleetwatch.streams.policy.PolicyCatalogue;
import io.fleetwatch.streams.policy.PolicyLoader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fleetwatch bench latency}: the whole pipeline ({@link BenchPipeline}: in this JVM, or in the production
 * shape as separate processes), a generated fleet publishing telemetry at each sustained rate, SAF-01 envelope
 * breaches injected on a rotating set of chillers (each device at most once per processing), and a separate
 * read_committed consumer ({@link OutputWatcher}) matching each SAF-01 incident of {@code fleet.incidents} to its fault
 * by device. Latency: the raising reading handed to the MQTT client → the incident record returned by that consumer's
 * poll. The same rates then run through the pass-through {@link FloorTopology} on the same brokers and gateway (the
 * floor), its output matched by device and {@code seq}, so the report gives fleetwatch as a multiple of the floor; CPU
 * time is sampled by component around each rate's measured window ({@link CpuSampler}). A fault whose incident (or
 * floor output) has not arrived by the end of the settle time is missing: the rate's printed line and its report row
 * flag it, a verdict under the table names the rates, and the command exits 1.
 */
@Command(name = "latency", mixinStandardHelpOptions = true, description = {
    "Publish -> incident latency (p50/p95/p99/max) at sustained rates through the whole pipeline (one JVM, or",
    "--shape production: mosquitto, Kafka, gateway and streams as separate processes), with the streams app and, in",
    "the same run, a pass-through floor topology; CPU per message by component; appends to docs/benchmarks.md.",
    "Exits 1 when an injected fault's incident is missing (flagged in the output and the report row)."})
public final class LatencyBenchCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--rates", split = ",", defaultValue = "1000,5000",
      description = "Target total rates in messages/s, in order (default ${DEFAULT-VALUE}).")
  List<Double> rates;

  @Option(names = "--generate", defaultValue = "20x100",
      description = "Fleet SITESxDEVICES, asset classes round robin (default ${DEFAULT-VALUE}).")
  String generate;

  @Option(names = "--duration", defaultValue = "PT30S", description = "Fault injection time per rate (default ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--warmup", defaultValue = "PT15S", description = "Publishing before the first fault, per rate"
      + " (default ${DEFAULT-VALUE}: long enough for a cold JVM's first commits, which take several times their steady"
      + " duration, to be behind the measured window).")
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

  @Option(names = "--commit-interval", defaultValue = "PT0.1S",
      description = "Exactly-once commit interval of the streams app and the floor (default ${DEFAULT-VALUE}, the"
          + " streams app's default).")
  Duration commitInterval;

  @Option(names = "--policies", defaultValue = "policies", description = "Policy catalogue (default ${DEFAULT-VALUE}).")
  Path policies;

  @Option(names = "--report", defaultValue = "docs/benchmarks.md", description = "Report file (default ${DEFAULT-VALUE}).")
  Path report;

  @Option(names = "--no-report", negatable = false, description = "Print the results only.")
  boolean noReport;

  @Option(names = "--shape", defaultValue = "all-in-one", converter = ShapeConverter.class,
      description = "all-in-one (one JVM: embedded HiveMQ CE and Kafka, gateway, streams) or production (mosquitto,"
          + " a Kafka broker JVM, a gateway JVM, one streams JVM per instance) (default ${DEFAULT-VALUE}).")
  BenchPipeline.Shape shape;

  @Option(names = "--streams-instances", defaultValue = "1",
      description = "Stream processor instances sharing one application id (default ${DEFAULT-VALUE}).")
  int streamsInstances;

  @Option(names = "--floor", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Also run every rate through the pass-through floor topology in the same run (default"
          + " ${DEFAULT-VALUE}; --no-floor skips it).")
  boolean floor;

  @Option(names = "--mosquitto", defaultValue = "/usr/sbin/mosquitto",
      description = "mosquitto binary for --shape production (default ${DEFAULT-VALUE}).")
  Path mosquitto;

  @Option(names = "--broker-max-inflight", defaultValue = "1000",
      description = "mosquitto max_inflight_messages for --shape production (default ${DEFAULT-VALUE}).")
  int brokerMaxInflight;

  /** Picocli: {@code --shape} values by their labels. */
  static final class ShapeConverter implements CommandLine.ITypeConverter<BenchPipeline.Shape> {
    @Override
    public BenchPipeline.Shape convert(String value) {
      return BenchPipeline.Shape.parse(value);
    }
  }

  /** Where and how a rate ran: which processing, the shape, the stream processor instances, the 1-minute load. */
  record Run(String processing, String shape, int instances, String load) {
  }

  /**
   * One rate's outcome. {@code offered} is what the publishers handed to their clients per second (the target unless
   * the publisher fell behind), {@code achieved} what the broker acknowledged per second; {@code windowWait} is the
   * share of the publishing threads' time spent waiting for a free slot in their window of unacknowledged publishes
   * (back-pressure from the pipeline).
   */
  record Result(Run run, double target, double offered, double achieved, long published, long acknowledged,
      long failed, double windowWait, int faults, int incidents, int unexpected, List<Double> latenciesMs,
      CpuAttribution.Cost cost) {
    double p(double percentile) {
      return BenchEnvironment.percentile(latenciesMs, percentile);
    }

    double max() {
      return latenciesMs.isEmpty() ? Double.NaN : latenciesMs.get(latenciesMs.size() - 1);
    }

    boolean offeredTarget() {
      return offered >= 0.98 * target;
    }

    boolean keptUp() {
      return achieved >= 0.95 * target;
    }

    /** Faults whose awaited record did not arrive within the settle time. */
    int missing() {
      return faults - incidents;
    }

    private String pacing() {
      if (offeredTarget()) {
        return keptUp() ? "" : "  (the pipeline did not keep up with this rate)";
      }
      return String.format(Locale.ROOT, "  (the publishers offered only %,.0f msgs/s: window full %.0f%% of the time%s)",
          offered, 100 * windowWait, windowWait > 0.5 ? ", back-pressure from the pipeline" : ", publisher-bound");
    }

    /** What is printed for this rate when it ends. */
    String line() {
      return String.format(Locale.ROOT, "%s rate %,.0f/s: offered %,.0f, achieved %,.0f msgs/s, faults %d, %s %d%s,"
          + " latency ms p50 %.0f p95 %.0f p99 %.0f max %.0f, CPU %.1f µs/msg%s", run.processing(), target, offered,
          achieved, faults, run.processing().equals("floor") ? "outputs" : "incidents", incidents,
          missing() > 0 ? " (MISSING " + missing() + ")" : "", p(50), p(95), p(99), max(),
          cost.totalMicrosPerMessage(), pacing());
    }

    /** This rate's row of the report table; missing incidents are flagged in bold in the incidents cell. */
    String row() {
      return String.format(Locale.ROOT, "| %s | %s | %d | %s | %,.0f | %,.0f%s | %,.0f%s | %,d | %,d | %d | %d%s | %d |"
          + " %.0f | %.0f | %.0f | %.0f |", run.processing(), run.shape(), run.instances(), run.load(), target, offered,
          offeredTarget() ? "" : String.format(Locale.ROOT, " (**below target**, window full %.0f%%)", 100 * windowWait),
          achieved, keptUp() ? "" : " (did not keep up)", acknowledged, failed, faults, incidents,
          missing() > 0 ? " (**" + missing() + " missing**)" : "", unexpected, p(50), p(95), p(99), max());
    }

    /** This rate's row of the CPU table. */
    String cpuRow() {
      return String.format(Locale.ROOT, "| %s | %,.0f | %,d |", run.processing(), target, cost.messages())
          + cost.cells();
    }
  }

  /**
   * Which rates lost incidents (or floor outputs), e.g. {@code fleetwatch: 10 of 10 at 5,000 msgs/s (...)}, or null
   * when every fault's awaited record arrived. Missing records make the command exit 1 ({@link #exitCode}).
   */
  static String missingIncidents(List<Result> results, Duration settle) {
    List<String> lost = results.stream().filter(r -> r.missing() > 0).map(r -> String.format(Locale.ROOT,
        "%s: %d of %d at %,.0f msgs/s", r.run().processing(), r.missing(), r.faults(), r.target())).toList();
    if (lost.isEmpty()) {
      return null;
    }
    return String.join(", ", lost) + " (no SAF-01 incident, or for the floor no output of the raising reading, within"
        + " the " + settle.toSeconds() + " s settle time after injection stopped)";
  }

  /** 0 when every injected fault's awaited record arrived, 1 otherwise. */
  static int exitCode(List<Result> results) {
    return results.stream().allMatch(r -> r.missing() == 0) ? 0 : 1;
  }

  /**
   * The comparison rows: for each target rate run both ways, fleetwatch's achieved rate, p50, p99 and CPU per message
   * as a multiple of the floor's.
   */
  static List<String> floorRatios(List<Result> results) {
    List<String> rows = new ArrayList<>();
    for (Result f : results) {
      if (!f.run().processing().equals(BenchPipeline.Processing.FLEETWATCH.label())) {
        continue;
      }
      results.stream().filter(r -> r.run().processing().equals(BenchPipeline.Processing.FLOOR.label())
          && r.target() == f.target()).findFirst().ifPresent(floor -> rows.add(String.format(Locale.ROOT,
          "| %,.0f | %.2f | %.2f | %.2f | %.2f |", f.target(), f.achieved() / floor.achieved(), f.p(50) / floor.p(50),
          f.p(99) / floor.p(99), f.cost().totalMicrosPerMessage() / floor.cost().totalMicrosPerMessage())));
    }
    if (rows.isEmpty()) {
      return rows;
    }
    List<String> table = new ArrayList<>();
    table.add("| target msgs/s | achieved ÷ floor | p50 ÷ floor | p99 ÷ floor | CPU per message ÷ floor |");
    table.add("|---:|---:|---:|---:|---:|");
    table.addAll(rows);
    return table;
  }

  @Override
  public Integer call() throws Exception {
    if (rates.isEmpty() || rates.stream().anyMatch(r -> r <= 0) || connections < 1 || window < 1
        || faultsPerRound < 1 || partitions < 1 || (qos != 0 && qos != 1) || streamsInstances < 1) {
      throw new IllegalArgumentException("--rates must be positive, --connections, --window, --faults-per-round,"
          + " --partitions and --streams-instances >= 1, --qos 0 or 1");
    }
    if (shape == BenchPipeline.Shape.PRODUCTION && !Files.isExecutable(mosquitto)) {
      throw new IllegalArgumentException("--shape production needs mosquitto at " + mosquitto
          + " (apt-get install -y mosquitto, or --mosquitto PATH)");
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
    String floorOutput = topics.prefix() + "bench.floor-out";
    Path work = Files.createTempDirectory("fleetwatch-latency-bench");
    List<Result> results = new ArrayList<>();
    CpuSampler cpu = new CpuSampler(new CpuAttribution(CpuAttribution.RULES));
    String description;
    BenchPipeline.Settings settings = new BenchPipeline.Settings(work, topics, policies, catalogue, floorOutput,
        mosquitto, brokerMaxInflight, GatewayConfig.DEFAULT_RECEIVE_MAXIMUM, commitInterval);
    try (BenchPipeline pipeline = BenchPipeline.start(shape, settings, cpu)) {
      description = pipeline.describe();
      Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, pipeline.bootstrapServers());
      try (Admin admin = Admin.create(client)) {
        new TopicProvisioner(admin, partitions, (short) 1).ensure(topics, Duration.ofSeconds(30));
        admin.createTopics(List.of(new NewTopic(floorOutput, partitions, (short) 1))).all().get();
        List<String> names = new ArrayList<>(topics.all().stream().map(t -> t.name()).toList());
        names.add(floorOutput);
        BenchEnvironment.awaitLeaders(admin, names, Duration.ofSeconds(30));
      }
      registerAssets(pipeline.bootstrapServers(), topics, fleet);
      out.printf("fleet: %,d devices (%s), %,d chillers; %s pipeline starting%n", fleet.size(), generate,
          chillers.size(), shape.label());
      out.flush();
      List<BenchPipeline.Processing> phases = floor
          ? List.of(BenchPipeline.Processing.FLEETWATCH, BenchPipeline.Processing.FLOOR)
          : List.of(BenchPipeline.Processing.FLEETWATCH);
      try (FleetPublisher publisher = startPhase(pipeline, phases.get(0), fleet)) {
        for (int phase = 0; phase < phases.size(); phase++) {
          BenchPipeline.Processing processing = phases.get(phase);
          if (phase > 0) {
            pipeline.startStreams(processing, streamsInstances);
          }
          results.addAll(runPhase(out, pipeline, processing, publisher, topics, floorOutput, fleet, chillers, cpu));
          publisher.rate(0);
          pipeline.stopStreams();
        }
      }
    } finally {
      BenchEnvironment.deleteQuietly(work);
    }
    List<String> section = section(results, loadAtStart, fleet.size(), description);
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

  /** Starts the first phase's stream processors, then the gateway and the publishers (idle until given a rate). */
  private FleetPublisher startPhase(BenchPipeline pipeline, BenchPipeline.Processing first,
      List<SimulatedDevice> fleet) throws Exception {
    pipeline.startStreams(first, streamsInstances);
    pipeline.startGateway();
    return new FleetPublisher(pipeline.mqttUri(), fleet, connections, qos, window);
  }

  /** Every rate through one processing: warm-up, faults for {@code duration} with CPU sampled around it, settle. */
  private List<Result> runPhase(PrintWriter out, BenchPipeline pipeline, BenchPipeline.Processing processing,
      FleetPublisher publisher, Topics topics, String floorOutput, List<SimulatedDevice> fleet, List<Integer> chillers,
      CpuSampler cpu) throws Exception {
    Map<String, long[]> pending = new ConcurrentHashMap<>();
    Map<Integer, List<Double>> latencyByRate = new ConcurrentHashMap<>();
    AtomicLong unexpected = new AtomicLong();
    java.util.concurrent.atomic.AtomicInteger rateIndex = new java.util.concurrent.atomic.AtomicInteger();
    List<Result> results = new ArrayList<>();
    OutputWatcher.Match match = processing == BenchPipeline.Processing.FLEETWATCH
        ? OutputWatcher.incidents(topics) : OutputWatcher.floorOutputs(topics, pending);
    String watched = processing == BenchPipeline.Processing.FLEETWATCH ? topics.incidents().name() : floorOutput;
    try (OutputWatcher watcher = new OutputWatcher(pipeline.bootstrapServers(), watched, processing.label(), match,
        pending, latencyByRate, unexpected)) {
      watcher.start();
      publisher.onFault((device, nanos, seq) -> pending.put(device.deviceId(),
          new long[] {nanos, rateIndex.get(), seq}));
      int nextFault = 0;
      for (double rate : rates) {
        List<Double> latencies = latencyByRate.computeIfAbsent(rateIndex.get(),
            i -> Collections.synchronizedList(new ArrayList<>()));
        long unexpectedBefore = unexpected.get();
        publisher.rate(rate);
        sleepWithProgress(out, publisher, rate, warmup, processing.label() + " warm-up");
        long published0 = publisher.published();
        long acked0 = publisher.acknowledged();
        long failed0 = publisher.failed();
        long waited0 = publisher.windowWaitNanos();
        CpuSampler.Snapshot cpuBefore = cpu.snapshot();
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
              progress(out, rate, processing.label() + " faults", (System.nanoTime() - start) / 1e9,
                  publisher.acknowledged() - acked0, faults, latencies.size());
              nextProgress += 5_000_000_000L;
            }
          }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<CpuAttribution.Component, Long> used = cpu.since(cpuBefore);
        long acked = publisher.acknowledged() - acked0;
        long published = publisher.published() - published0;
        long failed = publisher.failed() - failed0;
        double windowWait = (publisher.windowWaitNanos() - waited0) / 1e9 / seconds / connections;
        long settleEnd = System.nanoTime() + settle.toNanos();
        while (latencies.size() < faults && System.nanoTime() < settleEnd) {
          Thread.sleep(100);
        }
        List<Double> sorted;
        synchronized (latencies) {
          sorted = new ArrayList<>(latencies);
        }
        Collections.sort(sorted);
        Run run = new Run(processing.label(), pipeline.shape().label(), streamsInstances,
            BenchEnvironment.loadAverage().split(",")[0]);
        Result r = new Result(run, rate, published / seconds, acked / seconds, published, acked, failed, windowWait,
            faults, sorted.size(), (int) (unexpected.get() - unexpectedBefore), sorted,
            new CpuAttribution.Cost(used, acked, seconds));
        results.add(r);
        out.println(r.line());
        out.flush();
        rateIndex.incrementAndGet();
      }
    }
    return results;
  }

  private List<String> section(List<Result> results, String loadAtStart, int devices, String description) {
    List<String> s = new ArrayList<>();
    s.add("## Detection latency, " + BenchEnvironment.today() + ", " + shape.label() + " shape, " + streamsInstances
        + " streams instance" + (streamsInstances == 1 ? "" : "s") + " (" + Runtime.getRuntime().availableProcessors()
        + " cores, load " + loadAtStart.split(",")[0] + " at start)");
    s.add("");
    s.add("`fleetwatch bench latency " + BenchEnvironment.arguments(spec) + "`: " + description + ". Stream"
        + " processing: the streams app with the shipped catalogue `" + policies + "` (**fleetwatch** rows) and, in the"
        + " same run on the same brokers and gateway, the pass-through **floor** topology (one RocksDB read and write of"
        + " a " + FloorTopology.VALUE_BYTES + "-byte value and one output record per input record), both exactly-once"
        + " v2 with commit interval " + commitInterval.toMillis() + " ms and the streams app's producer settings, " + streamsInstances + " instance(s)"
        + " sharing one application id. A generated fleet publishes telemetry over MQTT at each target rate; every "
        + faultInterval.toSeconds() + " s, " + faultsPerRound + " chillers (each at most once per processing) publish "
        + FleetPublisher.BREACH_READINGS + " consecutive `supply_temp_c` " + FleetPublisher.BREACH_VALUE
        + " readings (SAF-01 envelope [4, 12], raise after 3). **latency** = the raising (3rd) reading handed to the"
        + " MQTT client → for fleetwatch the SAF-01 incident, for the floor that reading's output record, returned by a"
        + " separate `read_committed` consumer, matched by device. **offered** = publishes handed to the MQTT clients"
        + " per second (the publishers pace each message to its due time and catch up when late; below the target the"
        + " row says how much of the time their window of unacknowledged publishes was full), **achieved** ="
        + " acknowledged publishes per second, over the injection time.");
    s.add("");
    s.addAll(BenchEnvironment.machine(loadAtStart, shape == BenchPipeline.Shape.PRODUCTION
        ? "single-node KRaft in its own JVM" : "in-process KRaft, single node, same JVM"));
    s.add(String.format(Locale.ROOT, "- load: %,d devices (%s), %d MQTT connections, QoS %d, window %d per connection,"
        + " %d partitions; per rate %ds warm-up, %ds of faults, up to %ds settle", devices, generate, connections, qos,
        window, partitions, warmup.toSeconds(), duration.toSeconds(), settle.toSeconds()));
    s.add("");
    s.add("| pipeline | shape | instances | load 1 min | target msgs/s | offered msgs/s | achieved msgs/s | acknowledged |"
        + " failed | faults | incidents | unexpected SAF-01 | p50 ms | p95 ms | p99 ms | max ms |");
    s.add("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    results.forEach(r -> s.add(r.row()));
    s.addAll(CpuAttribution.Cost.sections("fleetwatch as a multiple of the floor at the same target rate:",
        floorRatios(results), "acknowledged message", "the injection time", "pipeline | target msgs/s | messages", 3,
        results.stream().map(Result::cpuRow).toList()));
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
}
