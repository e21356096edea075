package io.fleetwatch.app.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetwatch.app.harness.HttpAnswer;
import io.fleetwatch.app.harness.KafkaProbe;
import io.fleetwatch.app.harness.Ports;
import io.fleetwatch.app.harness.StreamsProcess;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentStatus;
import io.fleetwatch.bench.SequenceLedger;
import io.fleetwatch.embedded.EmbeddedKafka;
import io.fleetwatch.schemas.AvroSerde;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two streams instances ({@code fleetwatch streams} child JVMs, same application id, own state directories and API
 * ports) share the partitions; one is killed with SIGKILL: its partitions move to the survivor, which restores their
 * state from the changelogs and keeps raising incidents for every device, its API answers for every device and
 * every incident, and the committed output stays exactly-once across the failover.
 *
 * <p>Scale: 50 devices, 500 readings/s for 60 s, one kill a third of the way in; with
 * {@code -Dfleetwatch.soak.minutes=N} the feed runs N minutes (still one kill). Both tests share one broker and one
 * pair of instances (started once per class, each JVM start-up costs tens of seconds); the kill comes last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StreamsInstanceFailoverIT {
  private static final Logger LOG = LoggerFactory.getLogger(StreamsInstanceFailoverIT.class);
  private static final String APPLICATION_ID = "rel-failover";
  private static final String SITE = "failover";
  /** Site of the feed of the two-live-instances test. */
  private static final String LIVE_SITE = "failover-live";
  private static final int DEVICES = 50;
  private static final double RATE = 500;
  private static final Duration FEED =
      ReliabilityFixtures.soaking() ? ReliabilityFixtures.SOAK : Duration.ofSeconds(60);
  private static final Duration START = Duration.ofSeconds(90);

  private final ObjectMapper json = new ObjectMapper();
  private EmbeddedKafka kafka;
  private String bootstrap;
  private StreamsProcess a;
  private StreamsProcess b;

  /**
   * One broker and one pair of instances for both tests: both join before any data exists, so the assignor splits the
   * tasks between them at once. The tests feed distinct sites (device ids are prefixed with the site), and every
   * audit, ledger and incident query is by site, so neither sees the other's data.
   */
  @BeforeAll
  void startBrokerAndTwoInstances(@TempDir Path dir) throws Exception {
    kafka = EmbeddedKafka.builder().build().start();
    bootstrap = kafka.bootstrapServers();
    ReliabilityFixtures.createTopics(bootstrap);
    Path policies = ReliabilityFixtures.writePolicies(dir.resolve("policies"));
    a = StreamsProcess.start(ReliabilityFixtures.streamsEnv(bootstrap, APPLICATION_ID, dir.resolve("state-a"),
        policies), Ports.free(), dir.resolve("streams-a.log"));
    b = StreamsProcess.start(ReliabilityFixtures.streamsEnv(bootstrap, APPLICATION_ID, dir.resolve("state-b"),
        policies), Ports.free(), dir.resolve("streams-b.log"));
    a.awaitHealthy(START);
    b.awaitHealthy(START);
  }

  @AfterAll
  void stopInstancesAndBroker() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {b, a, kafka}) {
      if (c != null) {
        c.close();
      }
    }
  }

  /**
   * With several live instances any instance answers {@code /api/devices/{id}} for any device: each advertises its API
   * address ({@code application.server}) and forwards a lookup of a device of the other's partitions to it
   * ({@code queryMetadataForKey}); the answer says which instance served it, and both instances served some. A list
   * over the device-partitioned vulnerability findings is answered (200) by both without {@code X-Partial}. Runs
   * first: the failover test kills one of the two.
   */
  @Test
  @Order(1)
  void everyLiveInstanceAnswersForEveryDevice() throws Exception {
    try (TelemetryFeed feed = TelemetryFeed.start(bootstrap, LIVE_SITE, DEVICES, RATE, (int) RATE * 10)) {
      assertTrue(feed.awaitDone(Duration.ofSeconds(60)), "feed finished");
      assertTrue(ReliabilityFixtures.awaitCaughtUp(bootstrap, APPLICATION_ID,
          ReliabilityFixtures.TOPICS.telemetry().name(), Duration.ofMinutes(1)), "caught up");
      Set<String> all = new TreeSet<>(feed.deviceIds());
      assertEquals(all, awaitDevicesAnswered(a, all, Duration.ofSeconds(30)), "devices instance a answers for");
      assertEquals(all, awaitDevicesAnswered(b, all, Duration.ofSeconds(30)), "devices instance b answers for");
      Map<String, String> owners = awaitOwners(feed, a, b, Duration.ofSeconds(30));
      // ... and a list over a partitioned store (no findings in this fleet) is answered without a partial mark
      for (StreamsProcess instance : List.of(a, b)) {
        HttpAnswer findings = instance.get("/api/vulnerabilities");
        assertEquals(200, findings.status(), findings.body());
        assertNull(findings.header("X-Partial"), "partial: " + findings.header("X-Unanswered-Instances"));
      }
      LOG.info("REPORT two live instances: a serves {} and b {} of {} devices; each answers for all {}",
          owners.values().stream().filter("a"::equals).count(),
          owners.values().stream().filter("b"::equals).count(), DEVICES, all.size());
    }
  }

  @Test
  @Order(2)
  void survivorTakesOverThePartitionsAndAnswersForEveryDeviceWhenOneOfTwoInstancesIsKilled() throws Exception {
    long began = System.nanoTime();
    int messages = (int) (RATE * FEED.toSeconds());
    try (TelemetryFeed feed = TelemetryFeed.start(bootstrap, SITE, DEVICES, RATE, messages);
        SequenceLedger ledger = SequenceLedger.start(bootstrap, ReliabilityFixtures.TOPICS.telemetry().name(),
            SITE, SequenceLedger.TELEMETRY)) {
      // Given both instances process a share of the devices (each serves those of its partitions, forwards others)
      Map<String, String> owners = awaitOwners(feed, a, b, Duration.ofSeconds(60));
      feed.awaitSent(messages / 3);
      owners = awaitOwners(feed, a, b, Duration.ofSeconds(60));
      Set<String> ofB = owners.entrySet().stream().filter(e -> e.getValue().equals("b")).map(Map.Entry::getKey)
          .collect(Collectors.toCollection(TreeSet::new));
      long aOnly = owners.values().stream().filter("a"::equals).count();
      LOG.info("before the kill /api/devices/{id} is served by instance a for {} and by b for {} of {} devices;"
          + " a answers for one of b's with {}", aOnly, ofB.size(), DEVICES,
          a.get("/api/devices/" + ofB.iterator().next()));

      // When instance b is killed
      long killedAt = System.currentTimeMillis();
      long killedNanos = System.nanoTime();
      b.kill();

      // Then every device, b's included, gets an incident raised after the kill
      KafkaProbe probe = new KafkaProbe(bootstrap);
      Set<String> all = new TreeSet<>(feed.deviceIds());
      probe.waitFor(ReliabilityFixtures.TOPICS.incidents().name(), AvroSerde.of(Incident.class),
          records -> raisedAfter(records, killedAt).containsAll(all), START);
      long flowingAgainMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedNanos);
      // ... the survivor answers for every device's twin ...
      Set<String> answered = awaitDevicesAnswered(a, all, Duration.ofSeconds(60));
      assertEquals(all, answered, "devices a answers for after the failover; log:\n" + a.readLog());
      // ... and lists incidents of every device (incidents are a global store)
      HttpAnswer list = a.get("/api/incidents?site=" + SITE);
      assertEquals(200, list.status(), list.body());
      Set<String> listed = new TreeSet<>();
      for (JsonNode incident : json.readTree(list.body())) {
        listed.add(incident.path("deviceId").asText());
      }
      assertEquals(all, listed, "devices with incidents listed by the survivor");

      // ... and the whole feed is committed exactly once by the survivor
      assertTrue(feed.awaitDone(FEED.plusMinutes(2)), "feed finished");
      assertNull(feed.failure(), "feed");
      assertTrue(ReliabilityFixtures.awaitCaughtUp(bootstrap, APPLICATION_ID,
          ReliabilityFixtures.TOPICS.telemetry().name(), Duration.ofMinutes(2)), "survivor caught up");
      assertTrue(ledger.awaitAll(feed.acknowledged(), Duration.ofSeconds(60)), "telemetry in Kafka");
      PipelineAudit.Counts counts = PipelineAudit.awaitComplete(bootstrap, feed, Duration.ofSeconds(60));
      LOG.info("REPORT one of two streams instances killed: sent={} acknowledged={} inKafka={} duplicates={} | {}"
          + " | devices moved to the survivor={} | kill->every device has an incident raised after it {} ms"
          + " | test {} s",
          feed.sent(), feed.acknowledgedCount(), ledger.records(), ledger.seen().duplicates(), counts, ofB.size(),
          flowingAgainMs, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began));
      assertTrue(ofB.size() > 0 && aOnly > 0, "both instances owned devices before the kill: " + owners);
      assertEquals(messages, feed.acknowledgedCount(), "feed acknowledged by Kafka");
      assertTrue(counts.exact(), counts.toString());
    }
  }

  /**
   * Device ids with an incident record of a raise younger than {@code after}: an incident opened by it or, with a
   * quiet period, kept open by it (OPEN status, no active check missing, {@code lastSeenAt} after {@code after}).
   */
  private static Set<String> raisedAfter(List<ConsumerRecord<byte[], Incident>> records, long after) {
    return records.stream().map(ConsumerRecord::value)
        .filter(i -> SITE.equals(i.getSite()) && i.getStatus() == IncidentStatus.OPEN && !i.getActiveChecks().isEmpty()
            && i.getLastSeenAt().toEpochMilli() > after)
        .map(Incident::getDeviceId).collect(Collectors.toSet());
  }

  /**
   * Polls {@code /api/devices/{id}} on both instances until both answer 200 for every device, served by the same
   * instance (the owner: the other forwards to it), and each instance serves at least one device; returns device id to
   * "a" or "b".
   */
  private static Map<String, String> awaitOwners(TelemetryFeed feed, StreamsProcess a, StreamsProcess b,
      Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, String> owners = new TreeMap<>();
    while (true) {
      owners.clear();
      for (String device : feed.deviceIds()) {
        HttpAnswer viaA = a.get("/api/devices/" + device);
        HttpAnswer viaB = b.get("/api/devices/" + device);
        if (viaA.status() == 200 && viaB.status() == 200 && viaA.servedBy() != null
            && viaA.servedBy().equals(viaB.servedBy())) {
          if (viaA.servedBy().equals(a.address())) {
            owners.put(device, "a");
          } else if (viaA.servedBy().equals(b.address())) {
            owners.put(device, "b");
          }
        }
      }
      if (owners.size() == feed.deviceIds().size() && owners.containsValue("a") && owners.containsValue("b")) {
        return owners;
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new AssertionError("devices not split between the two instances within " + timeout + ": " + owners
            + "; log a:\n" + a.readLog() + "\nlog b:\n" + b.readLog());
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
  }

  /** Polls until {@code instance} answers 200 for every one of {@code devices} or the deadline; returns those it did. */
  private static Set<String> awaitDevicesAnswered(StreamsProcess instance, Set<String> devices, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Set<String> answered = new TreeSet<>();
    while (true) {
      for (String device : devices) {
        if (!answered.contains(device) && instance.get("/api/devices/" + device).status() == 200) {
          answered.add(device);
        }
      }
      if (answered.equals(devices) || System.nanoTime() - deadline >= 0) {
        return answered;
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
  }
}
