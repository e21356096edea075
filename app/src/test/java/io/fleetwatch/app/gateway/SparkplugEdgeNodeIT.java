package io.fleetwatch.app.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.app.demo.DemoPipeline;
import io.fleetwatch.app.demo.DemoSettings;
import io.fleetwatch.app.harness.KafkaProbe;
import io.fleetwatch.app.harness.Mosquitto;
import io.fleetwatch.app.harness.MosquittoPub;
import io.fleetwatch.avro.DeadLetter;
import io.fleetwatch.avro.DeadLetterReason;
import io.fleetwatch.avro.DeviceEvent;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentStatus;
import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.avro.Violation;
import io.fleetwatch.avro.ViolationStatus;
import io.fleetwatch.gateway.Gateway;
import io.fleetwatch.gateway.GatewayConfig;
import io.fleetwatch.gateway.sparkplug.SparkplugSettings;
import io.fleetwatch.gateway.sparkplug.proto.SparkplugB;
import io.fleetwatch.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * An independent Sparkplug B edge node (npm {@code sparkplug-client} / {@code sparkplug-payload} of Eclipse Tahu,
 * {@code src/test/node-sparkplug}) publishes through mosquitto to a gateway with Sparkplug enabled, on the demo
 * pipeline (embedded Kafka, streams app, demo fleet registry). Group {@code hq}, edge node {@code edge-1}, device
 * {@code chiller} is mapped to the registered {@code chiller-01} by the gateway's identity file. Its overheat opens
 * SAF-01; the gateway restarts in the middle and resolves the node's aliases without a rebirth; malformed, unborn and
 * unknown-alias payloads are dead-lettered each with its reason; DDEATH raises heartbeat loss (SEC-14) at once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SparkplugEdgeNodeIT {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final String DEVICE = "chiller-01";
  private static final String DDATA = "spBv1.0/hq/DDATA/edge-1/chiller";

  private Path dir;
  private DemoPipeline pipeline;
  private Mosquitto mosquitto;
  private Gateway gateway;
  private Process node;
  private BufferedWriter nodeIn;
  private final BlockingQueue<String> nodeOut = new LinkedBlockingQueue<>();
  private Topics topics;
  private KafkaProbe kafka;

  @BeforeAll
  void start(@TempDir Path tempDir) throws Exception {
    dir = tempDir;
    DemoSettings settings = new DemoSettings("127.0.0.1", 0, 0, 0, null,
        Path.of("..", "examples", "demo-fleet", "assets.yaml"), Path.of("..", "policies"), false, 20, 3,
        Duration.ofSeconds(3), Duration.ZERO, null);
    pipeline = new DemoPipeline(settings, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
        .start();
    topics = pipeline.topics();
    kafka = new KafkaProbe(pipeline.bootstrapServers());
    mosquitto = Mosquitto.started();
    Files.writeString(dir.resolve("sparkplug-ids.txt"), "hq/edge-1/chiller = hq/chiller-01\n");
    gateway = startGateway();

    Path js = Files.createDirectories(dir.resolve("edge-node"));
    for (String file : List.of("package.json", "package-lock.json", "edge-node.js")) {
      Files.copy(Path.of("src", "test", "node-sparkplug", file), js.resolve(file));
    }
    Process install = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(js.toFile())
        .redirectErrorStream(true).redirectOutput(dir.resolve("npm.log").toFile()).start();
    assertTrue(install.waitFor(180, TimeUnit.SECONDS) && install.exitValue() == 0,
        "npm ci failed: " + Files.readString(dir.resolve("npm.log")));
    node = new ProcessBuilder("node", "edge-node.js", "mqtt://127.0.0.1:" + mosquitto.port(), "hq", "edge-1",
        "chiller").directory(js.toFile()).redirectError(dir.resolve("node.err").toFile()).start();
    nodeIn = new BufferedWriter(new OutputStreamWriter(node.getOutputStream(), StandardCharsets.UTF_8));
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(node.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          nodeOut.add(line);
        }
      } catch (java.io.IOException e) {
        nodeOut.add("closed " + e);
      }
    }, "edge-node-output");
    reader.setDaemon(true);
    reader.start();
    expectFromNode("connected");
  }

  private Gateway startGateway() {
    GatewayConfig config = GatewayConfig.builder()
        .mqttServerUri(mosquitto.uri())
        .mqttClientId("gw-sparkplug")
        .kafkaBootstrapServers(pipeline.bootstrapServers())
        .topicPrefix(topics.prefix())
        .sparkplug(new SparkplugSettings(true, "+", dir.resolve("sparkplug-ids.txt")))
        .build();
    Gateway g = new Gateway(config, new SimpleMeterRegistry());
    g.start();
    assertTrue(g.awaitReady(DEADLINE), "the Sparkplug gateway did not become ready");
    return g;
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) {
      node.destroy();
      node.waitFor(5, TimeUnit.SECONDS);
    }
    if (gateway != null) {
      gateway.close();
    }
    if (mosquitto != null) {
      mosquitto.close();
    }
    if (pipeline != null) {
      pipeline.close();
    }
  }

  private void send(String command) throws Exception {
    nodeIn.write(command);
    nodeIn.newLine();
    nodeIn.flush();
    expectFromNode("ok " + command.split(" ")[0]);
  }

  private void expectFromNode(String line) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (System.nanoTime() < deadline) {
      String next = nodeOut.poll(1, TimeUnit.SECONDS);
      if (line.equals(next)) {
        return;
      }
    }
    throw new AssertionError("the edge node did not print '" + line + "'; stderr: "
        + Files.readString(dir.resolve("node.err")));
  }

  private Telemetry awaitTelemetry(Predicate<Telemetry> match) {
    return kafka.waitForValue(topics.telemetry().name(), topics.telemetry().valueSerde().deserializer(),
        t -> t.getDeviceId().equals(DEVICE) && match.test(t), DEADLINE).value();
  }

  private DeadLetter awaitDeadLetter(String mqttTopic, DeadLetterReason reason) {
    return kafka.waitForValue(topics.deadLetter().name(), topics.deadLetter().valueSerde().deserializer(),
        d -> mqttTopic.equals(d.getMqttTopic()) && d.getReason() == reason, DEADLINE).value();
  }

  @Test
  @Order(1)
  void anOverheatReportedByAliasOpensSafeEnvelopeBreachOnTheMappedDevice() throws Exception {
    // When the edge node is born and its chiller reports 15.0 °C three times by alias (SAF-01 envelope 4..12)
    send("birth");
    for (int i = 0; i < 3; i++) {
      send("data 15.0");
    }

    // Then the telemetry reaches Kafka under chiller-01 with the names declared in the birth
    Telemetry t = awaitTelemetry(x -> Double.valueOf(15.0).equals(x.getMetrics().get("supply_temp_c")));
    assertEquals("hq", t.getSite());
    assertEquals(1.0, t.getMetrics().get("running"));
    // And SAF-01 opens on chiller-01
    Incident incident = kafka.waitForValue(topics.incidents().name(), topics.incidents().valueSerde().deserializer(),
        i -> i.getPolicyId().equals("SAF-01") && i.getDeviceId().equals(DEVICE)
            && i.getStatus() == IncidentStatus.OPEN, DEADLINE).value();
    assertEquals("hq", incident.getSite());
  }

  @Test
  @Order(2)
  void aRestartedGatewayResolvesTheAliasesWithoutARebirth() throws Exception {
    // Given the gateway restarts (its metric tables only in fleet.sparkplug-aliases)
    gateway.close();
    gateway = startGateway();

    // When the edge node goes on with DDATA by alias, no rebirth
    send("data 9.5");

    // Then the data resolves to its names
    awaitTelemetry(x -> Double.valueOf(9.5).equals(x.getMetrics().get("supply_temp_c")));
  }

  @Test
  @Order(3)
  void malformedUnbornAndUnknownAliasPayloadsAreDeadLetteredEachWithItsReason() throws Exception {
    MosquittoPub.publish(mosquitto.uri(), DDATA, "not protobuf {".getBytes(StandardCharsets.UTF_8));
    byte[] data = SparkplugB.Payload.newBuilder().setTimestamp(System.currentTimeMillis()).setSeq(0)
        .addMetrics(SparkplugB.Payload.Metric.newBuilder().setAlias(1).setDoubleValue(5.0)).build().toByteArray();
    MosquittoPub.publish(mosquitto.uri(), "spBv1.0/hq/DDATA/edge-9/pump", data);
    byte[] unknownAlias = SparkplugB.Payload.newBuilder().setTimestamp(System.currentTimeMillis())
        .addMetrics(SparkplugB.Payload.Metric.newBuilder().setAlias(77).setDoubleValue(5.0)).build().toByteArray();
    MosquittoPub.publish(mosquitto.uri(), DDATA, unknownAlias);

    awaitDeadLetter(DDATA, DeadLetterReason.SPARKPLUG_MALFORMED);
    awaitDeadLetter("spBv1.0/hq/DDATA/edge-9/pump", DeadLetterReason.SPARKPLUG_NO_BIRTH);
    DeadLetter unknown = awaitDeadLetter(DDATA, DeadLetterReason.SPARKPLUG_UNKNOWN_ALIAS);
    assertTrue(unknown.getDetail().contains("alias 77"), unknown.getDetail());
  }

  @Test
  @Order(4)
  void deviceDeathIsAnOfflineEventThatRaisesHeartbeatLossAtOnce() throws Exception {
    // When the edge node reports its chiller dead
    send("death");

    // Then an offline event of chiller-01 reaches Kafka
    DeviceEvent offline = kafka.waitForValue(topics.events().name(), topics.events().valueSerde().deserializer(),
        e -> e.getDeviceId().equals(DEVICE) && e.getType().equals("offline"), DEADLINE).value();
    assertEquals("DDEATH", offline.getAttributes().get("sparkplug"));
    // And heartbeat loss is raised by that event, without waiting three expected intervals (a raise by the silence
    // punctuator carries no receive time)
    Violation lost = kafka.waitForValue(topics.violations().name(), topics.violations().valueSerde().deserializer(),
        (Violation v) -> v.getPolicyId().equals("SEC-14") && v.getDeviceId().equals(DEVICE)
            && v.getStatus() == ViolationStatus.RAISED, DEADLINE).value();
    assertEquals(offline.getReceivedAt(), lost.getReceivedAt(), lost.toString());
  }
}
