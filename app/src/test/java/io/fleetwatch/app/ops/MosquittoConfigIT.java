package io.fleetwatch.app.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.app.harness.Ports;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.yaml.snakeyaml.Yaml;

/**
 * The broker configuration of docker-compose.yml ({@code deploy/mosquitto/}) run by Debian's mosquitto: only the
 * listener address and file paths are adapted. Passwords are the ones the compose services use.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MosquittoConfigIT {
  private static final Path DEPLOY = OpsFiles.ROOT.resolve("deploy/mosquitto");
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  private Process broker;
  private Path dir;
  private int port;
  private String gatewayPassword;
  private String simulatorPassword;

  @BeforeAll
  @SuppressWarnings("unchecked")
  void startBrokerWithTheShippedConfiguration() throws Exception {
    Map<String, Object> compose = new Yaml().load(Files.readString(OpsFiles.COMPOSE));
    Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
    gatewayPassword = ((Map<String, Object>) services.get("gateway").get("environment")).get("FLEETWATCH_MQTT_PASSWORD").toString();
    simulatorPassword = ((Map<String, Object>) services.get("simulator").get("environment")).get("FLEETWATCH_MQTT_PASSWORD").toString();

    dir = Files.createTempDirectory("mosquitto-config-it");
    port = Ports.free();
    List<String> conf = new ArrayList<>();
    for (String line : Files.readAllLines(DEPLOY.resolve("mosquitto.conf"))) {
      String l = line.strip();
      if (l.startsWith("listener ")) {
        conf.add("listener " + port + " " + Ports.LOOPBACK);
      } else if (l.startsWith("password_file ")) {
        conf.add("password_file " + DEPLOY.resolve("passwd"));
      } else if (l.startsWith("acl_file ")) {
        conf.add("acl_file " + DEPLOY.resolve("acl"));
      } else if (l.startsWith("persistence")) {
        conf.add(l.startsWith("persistence_location ") ? "persistence_location " + dir + "/" : l);
      } else {
        conf.add(line);
      }
    }
    Path file = dir.resolve("mosquitto.conf");
    Files.write(file, conf);
    broker = new ProcessBuilder("/usr/sbin/mosquitto", "-c", file.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!Ports.accepts(port)) {
      assertTrue(broker.isAlive(), "mosquitto exited: " + Files.readString(dir.resolve("mosquitto.log")));
      assertTrue(System.nanoTime() < deadline, "mosquitto did not listen within " + DEADLINE);
      TimeUnit.MILLISECONDS.sleep(50); // poll interval; bounded by the deadline
    }
  }

  @AfterAll
  void stopBroker() throws Exception {
    if (broker != null) {
      broker.destroy();
      broker.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void refusesAnonymousClients() throws Exception {
    assertNotEquals(0, pub(null, null, "fleet/hq/chiller-01/telemetry").exitCode);
  }

  @Test
  void refusesAWrongPassword() throws Exception {
    assertNotEquals(0, pub("simulator", "not-the-password", "fleet/hq/chiller-01/telemetry").exitCode);
  }

  @Test
  void theGatewayUserReceivesWhatTheSimulatorUserPublishes() throws Exception {
    // Given the gateway subscribed to every device topic
    Process sub = sub("gateway", gatewayPassword, "fleet/+/+/+");
    // When the simulator publishes (retried until the subscription is in place, within the deadline)
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (sub.isAlive() && System.nanoTime() < deadline) {
      assertEquals(0, pub("simulator", simulatorPassword, "fleet/hq/chiller-01/telemetry").exitCode);
      sub.waitFor(200, TimeUnit.MILLISECONDS);
    }
    // Then the gateway got it
    assertTrue(sub.waitFor(1, TimeUnit.SECONDS), "the gateway user received nothing within " + DEADLINE);
    assertEquals("fleet/hq/chiller-01/telemetry {\"ts\":1}",
        new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
  }

  @Test
  void theSimulatorUserCannotReadDeviceTopics() throws Exception {
    // mosquitto accepts the subscription but the ACL delivers nothing: the subscriber times out
    Process sub = sub("simulator", simulatorPassword, "fleet/+/+/+");
    for (int i = 0; i < 3; i++) {
      pub("simulator", simulatorPassword, "fleet/hq/chiller-01/telemetry");
    }
    assertTrue(sub.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS));
    assertEquals("", new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
  }

  private record Result(int exitCode, String output) {}

  private Result pub(String user, String password, String topic) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/mosquitto_pub", "-h", Ports.LOOPBACK, "-p",
        Integer.toString(port), "-V", "mqttv5", "-q", "1", "-t", topic, "-m", "{\"ts\":1}"));
    if (user != null) {
      cmd.addAll(List.of("-u", user, "-P", password));
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    assertTrue(p.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS), "mosquitto_pub hung");
    return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  /** A subscriber that exits after one message or after 3 s without one. */
  private Process sub(String user, String password, String filter) throws Exception {
    return new ProcessBuilder("/usr/bin/mosquitto_sub", "-h", Ports.LOOPBACK, "-p", Integer.toString(port),
        "-V", "mqttv5", "-q", "1", "-u", user, "-P", password, "-t", filter, "-C", "1", "-W", "3", "-v").start();
  }
}
