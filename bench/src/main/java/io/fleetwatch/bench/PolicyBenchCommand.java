package io.fleetwatch.bench;

import io.fleetwatch.avro.DeviceEvent;
import io.fleetwatch.avro.DeviceState;
import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.embedded.EmbeddedKafka;
import io.fleetwatch.embedded.TopicProvisioner;
import io.fleetwatch.schemas.Topics;
import io.fleetwatch.simulator.Signal;
import io.fleetwatch.simulator.SimulatedDevice;
import io.fleetwatch.simulator.fleet.DeviceProfile;
import io.fleetwatch.simulator.fleet.FleetGenerator;
import io.fleetwatch.streams.FleetStreamsApp;
import io.fleetwatch.streams.StreamsAppConfig;
import io.fleetwatch.streams.policy.PolicyCatalogue;
import io.fleetwatch.streams.policy.PolicyLoader;
import io.fleetwatch.streams.topology.PipelineMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fleetwatch bench policies}: policy evaluation throughput of the streams app with the shipped catalogue and
 * exactly-once on. For each fleet size, pre-loads telemetry, state reports and events of a generated fleet into the
 * input topics of an in-process Kafka, then starts a fresh streams app and times it from its first evaluation until
 * its committed offsets reach the end of every input partition (consumer lag 0). Reports records/s, check
 * evaluations/s (the {@value PipelineMetrics#EVALUATIONS} counter), the state directory on disk and the heap in use.
 */
@Command(name = "policies", mixinStandardHelpOptions = true, description = {
    "Policy evaluation throughput with the shipped catalogue, exactly-once on: pre-loaded input drained by the",
    "streams app, per fleet size (state size, heap), and through a pass-through floor topology in the same run",
    "(ratio to the floor, CPU per record by component); appends to docs/benchmarks.md."})
public final class PolicyBenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--devices", split = ",", defaultValue = "1000,10000",
      description = "Fleet sizes, one run each (default ${DEFAULT-VALUE}).")
  List<Integer> devices;

  @Option(names = "--records", defaultValue = "200000",
      description = "Input records per run: 80%% telemetry, 10%% state, 10%% events (default ${DEFAULT-VALUE}).")
  int records;

  @Option(names = "--warmup-records", defaultValue = "100000",
      description = "Records drained through both pipelines before the first reported run, not reported, so that"
          + " neither pays the JIT compiler's warm-up of the broker and Kafka clients (default ${DEFAULT-VALUE};"
          + " 0 skips it).")
  int warmupRecords;

  @Option(names = "--partitions", defaultValue = "3", description = "Partitions (default ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--commit-interval", defaultValue = "PT0.1S",
      description = "Exactly-once commit interval of the streams app and the floor (default ${DEFAULT-VALUE}, the"
          + " streams app's default).")
  Duration commitInterval;

  @Option(names = "--policies", defaultValue = "policies", description = "Policy catalogue (default ${DEFAULT-VALUE}).")
  Path policies;

  @Option(names = "--timeout", defaultValue = "PT10M", description = "Give up a run after (default ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--report", defaultValue = "docs/benchmarks.md", description = "Report file (default ${DEFAULT-VALUE}).")
  Path report;

  @Option(names = "--no-report", negatable = false, description = "Print the results only.")
  boolean noReport;

  @Option(names = "--floor", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Also drain the same input through the pass-through floor topology (default ${DEFAULT-VALUE};"
          + " --no-floor skips it).")
  boolean floor;

  /** One fleet size's outcome through one pipeline ({@code fleetwatch} or {@code floor}). */
  record Result(String pipeline, int devices, long records, long telemetry, double seconds, double evaluations,
      long stateBytes, long heapBefore, long heapAfter, String load, CpuAttribution.Cost cost) {
    double recordsPerSecond() {
      return records / seconds;
    }

    double evaluationsPerSecond() {
      return evaluations / seconds;
    }

    /** This run's row of the throughput table. */
    String row() {
      return String.format(Locale.ROOT, "| %s | all-in-one | 1 | %s | %,d | %,d | %,d | %.2f | %,.0f | %s | %s | %,.1f |"
          + " %,d | %,d |", pipeline, load, devices, records, telemetry, seconds, recordsPerSecond(),
          evaluations > 0 ? String.format(Locale.ROOT, "%,.0f", evaluations) : "–",
          evaluations > 0 ? String.format(Locale.ROOT, "%,.0f", evaluationsPerSecond()) : "–",
          stateBytes / 1048576.0, heapBefore >> 20, heapAfter >> 20);
    }

    /** This run's row of the CPU table. */
    String cpuRow() {
      return String.format(Locale.ROOT, "| %s | %,d | %,d |", pipeline, devices, cost.messages()) + cost.cells();
    }
  }

  /** Per fleet size run both ways: fleetwatch's records/s and CPU per record as a multiple of the floor's. */
  static List<String> floorRatios(List<Result> results) {
    List<String> rows = new ArrayList<>();
    for (Result f : results) {
      if (!f.pipeline().equals("fleetwatch")) {
        continue;
      }
      results.stream().filter(r -> r.pipeline().equals("floor") && r.devices() == f.devices()).findFirst()
          .ifPresent(fl -> rows.add(String.format(Locale.ROOT, "| %,d | %.2f | %.2f |", f.devices(),
              f.recordsPerSecond() / fl.recordsPerSecond(),
              f.cost().totalMicrosPerMessage() / fl.cost().totalMicrosPerMessage())));
    }
    if (rows.isEmpty()) {
      return rows;
    }
    List<String> table = new ArrayList<>();
    table.add("| devices | records/s ÷ floor | CPU per record ÷ floor |");
    table.add("|---:|---:|---:|");
    table.addAll(rows);
    return table;
  }

  private static final String[] EVENT_TYPES = {"auth_success", "boot", "peer_connected", "command"};

  @Override
  public Integer call() throws Exception {
    if (devices.isEmpty() || devices.stream().anyMatch(d -> d < 1) || records < 10 || partitions < 1
        || warmupRecords < 0) {
      throw new IllegalArgumentException(
          "--devices must be positive, --records >= 10, --partitions >= 1, --warmup-records >= 0");
    }
    PrintWriter out = spec.commandLine().getOut();
    String loadAtStart = BenchEnvironment.loadAverage();
    PolicyCatalogue catalogue = new PolicyLoader().loadCatalogue(policies);
    Path work = Files.createTempDirectory("fleetwatch-policy-bench");
    List<Result> results = new ArrayList<>();
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().host("127.0.0.1").port(0)
        .dataDirectory(work.resolve("kafka")).build().start()) {
      CpuSampler cpu = new CpuSampler(new CpuAttribution(CpuAttribution.RULES));
      if (warmupRecords > 0) {
        out.printf("warm-up (not reported): %,d records%n", warmupRecords);
        run(out, kafka.bootstrapServers(), catalogue, devices.get(0), warmupRecords, work.resolve("warm-up"),
            devices.size(), cpu);
      }
      for (int run = 0; run < devices.size(); run++) {
        results.addAll(run(out, kafka.bootstrapServers(), catalogue, devices.get(run), records,
            work.resolve("run-" + run), run, cpu));
      }
    } finally {
      BenchEnvironment.deleteQuietly(work);
    }
    List<String> section = section(results, loadAtStart, catalogue);
    out.println();
    section.forEach(out::println);
    if (!noReport) {
      BenchEnvironment.append(report, section);
      out.println("appended to " + report.toAbsolutePath().normalize());
    }
    out.flush();
    return 0;
  }

  private List<Result> run(PrintWriter out, String bootstrap, PolicyCatalogue catalogue, int fleetSize, int records,
      Path dir, int run, CpuSampler cpu) throws Exception {
    Topics topics = new Topics("bench" + run + ".");
    String floorOutput = topics.prefix() + "bench.floor-out";
    Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(client)) {
      new TopicProvisioner(admin, partitions, (short) 1).ensure(topics, Duration.ofSeconds(30));
      admin.createTopics(List.of(new NewTopic(floorOutput, partitions, (short) 1))).all().get();
      List<String> names = new ArrayList<>(topics.all().stream().map(t -> t.name()).toList());
      names.add(floorOutput);
      BenchEnvironment.awaitLeaders(admin, names, Duration.ofSeconds(30));
    }
    int sites = Math.max(1, fleetSize / 100);
    List<SimulatedDevice> fleet = FleetGenerator.generate(sites, (fleetSize + sites - 1) / sites,
        FleetGenerator.KNOWN_CLASSES).subList(0, fleetSize);
    LatencyBenchCommand.registerAssets(bootstrap, topics, fleet);
    out.printf("%,d devices: pre-loading %,d records%n", fleetSize, records);
    out.flush();
    long telemetry = preload(bootstrap, topics, fleet, records);
    List<String> inputTopics = List.of(topics.telemetry().name(), topics.state().name(), topics.events().name());
    List<TopicPartition> inputs = new ArrayList<>();
    for (String topic : inputTopics) {
      for (int p = 0; p < partitions; p++) {
        inputs.add(new TopicPartition(topic, p));
      }
    }
    List<Result> results = new ArrayList<>();
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    String applicationId = "fleetwatch-policy-bench-" + run;
    Path stateDir = dir.resolve("streams");
    StreamsAppConfig config = StreamsAppConfig.builder().bootstrapServers(bootstrap).topicPrefix(topics.prefix())
        .stateDir(stateDir).applicationId(applicationId).httpPort(0).policies(policies).commitInterval(commitInterval)
        .build();
    long heapBefore = BenchEnvironment.liveHeapBytes();
    try (FleetStreamsApp streams = new FleetStreamsApp(config, catalogue, metrics, Clock.systemUTC())) {
      results.add(drain(out, new Drain("fleetwatch", fleetSize, telemetry, client, applicationId, inputs, stateDir,
          heapBefore, () -> evaluations(metrics), () -> evaluations(metrics)), streams::start, cpu));
    }
    if (floor) {
      String floorId = FloorStreams.APPLICATION_ID + "-" + run;
      Path floorState = dir.resolve("floor");
      long floorHeapBefore = BenchEnvironment.liveHeapBytes();
      try (FloorStreams floorStreams = new FloorStreams(floorId, bootstrap, topics.prefix(), inputTopics, floorOutput,
          floorState, "earliest", commitInterval)) {
        results.add(drain(out, new Drain("floor", fleetSize, telemetry, client, floorId, inputs, floorState,
            floorHeapBefore, () -> (double) floorStreams.processed(), () -> 0.0), floorStreams::start, cpu));
      }
    }
    return results;
  }

  /** What one drain measures: the pipeline's name, its consumer group, and how to see that it has begun. */
  private record Drain(String pipeline, int devices, long telemetry, Map<String, Object> client, String group,
      List<TopicPartition> inputs, Path stateDir, long heapBefore, java.util.function.DoubleSupplier progress,
      java.util.function.DoubleSupplier evaluations) {
  }

  /**
   * Starts a stream processor on the pre-loaded input and times it from its first processed record ({@code progress}
   * above 0) until its committed offsets reach the end of every input partition; CPU is sampled over that window.
   */
  private Result drain(PrintWriter out, Drain d, Runnable start, CpuSampler cpu) throws Exception {
    try (Admin admin = Admin.create(d.client())) {
      Map<TopicPartition, Long> ends = admin.listOffsets(d.inputs().stream()
          .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()))).all().get().entrySet().stream()
          .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
      long total = ends.values().stream().mapToLong(Long::longValue).sum();
      start.run();
      long deadline = System.nanoTime() + timeout.toNanos();
      long first = 0;
      CpuSampler.Snapshot cpuBefore = null;
      long nextProgress = System.nanoTime() + 5_000_000_000L;
      while (true) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the " + d.pipeline() + " streams app did not drain the input within "
              + timeout);
        }
        Thread.sleep(50);
        if (first == 0 && d.progress().getAsDouble() > 0) {
          first = System.nanoTime();
          cpuBefore = cpu.snapshot();
        }
        long committed = committed(admin, d.group(), d.inputs());
        if (first != 0 && committed >= total) {
          double seconds = (System.nanoTime() - first) / 1e9;
          var used = cpu.since(cpuBefore);
          double evaluated = d.evaluations().getAsDouble();
          long state = BenchEnvironment.size(d.stateDir());
          long heapAfter = BenchEnvironment.liveHeapBytes();
          Result r = new Result(d.pipeline(), d.devices(), total, d.telemetry(), seconds, evaluated, state,
              d.heapBefore(), heapAfter, BenchEnvironment.loadAverage().split(",")[0],
              new CpuAttribution.Cost(used, total, seconds));
          out.printf(Locale.ROOT, "%s, %,d devices: %,d records in %.2f s = %,.0f records/s, %,.0f evaluations/s;"
              + " state %,d MiB, heap %,d MiB, CPU %.1f µs/record%n", d.pipeline(), d.devices(), total, seconds,
              r.recordsPerSecond(), r.evaluationsPerSecond(), state >> 20, heapAfter >> 20,
              r.cost().totalMicrosPerMessage());
          out.flush();
          return r;
        }
        if (System.nanoTime() >= nextProgress) {
          out.printf(Locale.ROOT, "  %s, %,d devices: %,d of %,d records committed%n", d.pipeline(), d.devices(),
              committed, total);
          out.flush();
          nextProgress += 5_000_000_000L;
        }
      }
    }
  }

  private static double evaluations(SimpleMeterRegistry metrics) {
    return metrics.find(PipelineMetrics.EVALUATIONS).counters().stream().mapToDouble(Counter::count).sum();
  }

  private static long committed(Admin admin, String group, List<TopicPartition> inputs) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get();
    long sum = 0;
    for (TopicPartition tp : inputs) {
      OffsetAndMetadata o = offsets.get(tp);
      sum += o == null ? 0 : o.offset();
    }
    return sum;
  }

  /**
   * Writes the input: per device in turn, 8 telemetry readings, then a state report or an event (alternating), one
   * second of device time apart, ending now. Returns the number of telemetry records.
   */
  private long preload(String bootstrap, Topics topics, List<SimulatedDevice> fleet, int records) throws Exception {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    Random random = new Random(7);
    long perDevice = (records + fleet.size() - 1) / fleet.size();
    long startMillis = System.currentTimeMillis() - perDevice * 1000;
    long telemetry = 0;
    long[] seq = new long[fleet.size()];
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
        new ByteArraySerializer())) {
      for (int i = 0; i < records; i++) {
        int d = i % fleet.size();
        long round = i / fleet.size();
        SimulatedDevice device = fleet.get(d);
        Instant ts = Instant.ofEpochMilli(startMillis + round * 1000 + d % 1000);
        Instant received = ts.plusMillis(5);
        long n = seq[d]++;
        int slot = (int) (round % 10);
        if (slot < 8) {
          Map<String, Double> values = new HashMap<>();
          for (Signal s : device.signals()) {
            values.put(s.metric(), s.valueAt(round + d, random.nextGaussian()));
          }
          Telemetry t = Telemetry.newBuilder().setDeviceId(device.deviceId()).setSite(device.site()).setTs(ts)
              .setReceivedAt(received).setSeq(n).setMetrics(values).build();
          send(producer, topics.telemetry(), device.deviceId(), t);
          telemetry++;
        } else if (slot == 8) {
          DeviceProfile p = device.profile();
          DeviceState s = DeviceState.newBuilder().setDeviceId(device.deviceId()).setSite(device.site()).setTs(ts)
              .setReceivedAt(received).setSeq(n).setModel(p.model()).setVendor(p.vendor()).setFirmware(p.firmware())
              .setConfigHash(p.configHash()).setOpenPorts(p.openPorts()).setTls(p.tls())
              .setSecurityState(p.securityState()).setMode(p.mode()).build();
          send(producer, topics.state(), device.deviceId(), s);
        } else {
          DeviceEvent e = DeviceEvent.newBuilder().setDeviceId(device.deviceId()).setSite(device.site()).setTs(ts)
              .setReceivedAt(received).setSeq(n).setType(EVENT_TYPES[(int) ((round / 10 + d) % EVENT_TYPES.length)])
              .build();
          send(producer, topics.events(), device.deviceId(), e);
        }
      }
      producer.flush();
    }
    return telemetry;
  }

  private static <V> void send(KafkaProducer<String, byte[]> producer, io.fleetwatch.schemas.Topic<String, V> topic,
      String key, V value) {
    producer.send(new ProducerRecord<>(topic.name(), key, topic.valueSerde().serializer().serialize(topic.name(), value)));
  }

  private List<String> section(List<Result> results, String loadAtStart, PolicyCatalogue catalogue) {
    List<String> s = new ArrayList<>();
    s.add("## Policy evaluation throughput, " + BenchEnvironment.today() + ", all-in-one shape, 1 streams instance ("
        + Runtime.getRuntime().availableProcessors() + " cores, load " + loadAtStart.split(",")[0] + " at start)");
    s.add("");
    s.add("`fleetwatch bench policies " + BenchEnvironment.arguments(spec)
        + "`: the streams app (shipped catalogue `" + policies + "`, exactly-once v2, commit interval " + commitInterval.toMillis() + " ms,"
        + " 1 stream thread, RocksDB stores) drains input pre-loaded into an in-process Kafka in the same JVM: per"
        + " device in turn, telemetry with the asset class's signals (80%), state reports with the class baseline"
        + " (10%) and events (10%), one second of device time apart; assets registered. The **floor** rows drain the"
        + " same input, in the same run, through a pass-through topology with the streams app's Kafka Streams settings"
        + " (one RocksDB read and write of a " + FloorTopology.VALUE_BYTES + "-byte value and one output record per"
        + " input record). " + (warmupRecords > 0 ? String.format(Locale.ROOT, "Before the first reported run, %,d"
        + " records of the first fleet size went through both pipelines unreported, so neither pays the JIT"
        + " compiler's warm-up.", warmupRecords) : "No warm-up run: the first run pays the JIT compiler's warm-up.")
        + " **seconds** = first record processed (fleetwatch: first check evaluation) → committed"
        + " offsets at the end of every input partition (lag 0). **evaluations** = the `"
        + PipelineMetrics.EVALUATIONS + "` counter. **heap** = heap in use after a full GC, whole JVM (broker"
        + " included), before the stream processor started → after it drained the input; **state** = its state"
        + " directory.");
    s.add("");
    s.addAll(BenchEnvironment.machine(loadAtStart));
    s.add("- catalogue: " + catalogue.policies().size() + " policies; " + partitions + " partitions");
    s.add("");
    s.add("| pipeline | shape | instances | load 1 min | devices | records | telemetry | seconds | records/s |"
        + " evaluations | evaluations/s | state MiB | heap before MiB | heap after MiB |");
    s.add("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    results.forEach(r -> s.add(r.row()));
    s.addAll(CpuAttribution.Cost.sections("fleetwatch as a multiple of the floor for the same input:",
        floorRatios(results), "input record", "the drain", "pipeline | devices | records", 3,
        results.stream().map(Result::cpuRow).toList()));
    return s;
  }
}
