package io.fleetwatch.app.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.app.harness.KafkaProbe;
import io.fleetwatch.app.harness.Mosquitto;
import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.embedded.EmbeddedKafka;
import io.fleetwatch.embedded.TopicProvisioner;
import io.fleetwatch.gateway.Gateway;
import io.fleetwatch.gateway.GatewayConfig;
import io.fleetwatch.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway against Debian's mosquitto configured for production: TLS with a private CA, no anonymous access,
 * username/password, and client certificates. Devices are played by {@code mosquitto_pub} over TLS.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MqttTransportSecurityIT {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final String USER = "gateway";
  private static final String PASSWORD = "s3cret-Pa55";

  private TestPki pki;
  private EmbeddedKafka kafka;
  private final Topics topics = Topics.withDefaultPrefix();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    pki = TestPki.create(dir);
    kafka = EmbeddedKafka.builder().build().start();
    try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      new TopicProvisioner(admin, 1, (short) 1).ensure(topics, Duration.ofSeconds(30));
    }
  }

  @AfterAll
  void stop() {
    if (kafka != null) {
      kafka.close();
    }
  }

  private List<String> tlsListener(boolean requireCertificate) throws Exception {
    List<String> lines = new ArrayList<>(List.of(
        "cafile " + pki.caCert, "certfile " + pki.serverCert, "keyfile " + pki.serverKey,
        "tls_version tlsv1.2", "require_certificate " + requireCertificate, "allow_anonymous false"));
    if (requireCertificate) {
      lines.add("use_identity_as_username true");
    } else {
      lines.add("password_file " + pki.passwordFile(USER, PASSWORD));
    }
    return lines;
  }

  private GatewayConfig.Builder gatewayOn(Mosquitto broker, String clientId) {
    return GatewayConfig.builder()
        .mqttServerUri("ssl://127.0.0.1:" + broker.port())
        .mqttClientId(clientId)
        .kafkaBootstrapServers(kafka.bootstrapServers())
        .topicPrefix(topics.prefix());
  }

  @Test
  void forwardsOverTlsWithUsernameAndPassword() throws Exception {
    try (Mosquitto broker = Mosquitto.builder().security(tlsListener(false)).build().start();
        Gateway gateway = new Gateway(gatewayOn(broker, "gw-password")
            .mqttCredentials(USER, PASSWORD)
            .tls(new GatewayConfig.TlsStores(pki.trustStore, TestPki.STORE_PASSWORD, null, null))
            .build(), new SimpleMeterRegistry())) {
      gateway.start();
      assertTrue(gateway.awaitReady(DEADLINE), "gateway did not connect over TLS with a password");

      // When a device publishes over TLS with credentials
      assertEquals(0, publish(broker, "fleet/hq/tls-dev-1/telemetry", "-u", USER, "-P", PASSWORD));

      // Then the record reaches Kafka
      awaitTelemetryFrom("tls-dev-1");
    }
  }

  @Test
  void refusesAnonymousDevicesAndAWrongPassword() throws Exception {
    try (Mosquitto broker = Mosquitto.builder().security(tlsListener(false)).build().start();
        Gateway gateway = new Gateway(gatewayOn(broker, "gw-wrong")
            .mqttCredentials(USER, "not-the-password")
            .tls(new GatewayConfig.TlsStores(pki.trustStore, TestPki.STORE_PASSWORD, null, null))
            .build(), new SimpleMeterRegistry())) {
      // Anonymous publishers are refused by the broker
      assertNotEquals(0, publish(broker, "fleet/hq/anon-1/telemetry"));

      // A gateway with a wrong password never becomes ready, and keeps retrying without failing
      gateway.start();
      assertFalse(gateway.awaitReady(Duration.ofSeconds(5)), "connected with a wrong password");
      assertTrue(broker.readLog().contains("not authorised") || broker.readLog().contains("not authorized"),
          "broker did not log the refused connection: " + broker.readLog());
    }
  }

  @Test
  void authenticatesWithAClientCertificate() throws Exception {
    try (Mosquitto broker = Mosquitto.builder().security(tlsListener(true)).build().start();
        Gateway gateway = new Gateway(gatewayOn(broker, "gw-cert")
            .tls(new GatewayConfig.TlsStores(pki.trustStore, TestPki.STORE_PASSWORD, pki.clientKeyStore,
                TestPki.STORE_PASSWORD))
            .build(), new SimpleMeterRegistry())) {
      gateway.start();
      assertTrue(gateway.awaitReady(DEADLINE), "gateway did not connect with its client certificate");

      assertEquals(0, publish(broker, "fleet/hq/cert-dev-1/telemetry", "--cert", pki.dir.resolve("client.crt")
          .toString(), "--key", pki.dir.resolve("client.key").toString()));
      awaitTelemetryFrom("cert-dev-1");
    }
  }

  @Test
  void aGatewayWithoutTheClientCertificateIsRefused() throws Exception {
    try (Mosquitto broker = Mosquitto.builder().security(tlsListener(true)).build().start();
        Gateway gateway = new Gateway(gatewayOn(broker, "gw-nocert")
            .tls(new GatewayConfig.TlsStores(pki.trustStore, TestPki.STORE_PASSWORD, null, null))
            .build(), new SimpleMeterRegistry())) {
      gateway.start();
      assertFalse(gateway.awaitReady(Duration.ofSeconds(5)), "connected without a client certificate");
    }
  }

  private void awaitTelemetryFrom(String deviceId) {
    new KafkaProbe(kafka.bootstrapServers()).waitForValue(topics.telemetry().name(),
        topics.telemetry().valueSerde().deserializer(), (Telemetry t) -> t.getDeviceId().equals(deviceId), DEADLINE);
  }

  /** mosquitto_pub over TLS trusting the test CA; returns its exit code. */
  private int publish(Mosquitto broker, String topic, String... auth) throws Exception {
    List<String> command = new ArrayList<>(List.of("/usr/bin/mosquitto_pub", "-h", "127.0.0.1",
        "-p", Integer.toString(broker.port()), "--cafile", pki.caCert.toString(), "-V", "mqttv5", "-q", "1",
        "-t", topic, "-m", "{\"ts\":" + System.currentTimeMillis() + ",\"metrics\":{\"supply_temp_c\":7.0}}"));
    command.addAll(List.of(auth));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("mosquitto_pub did not finish within 20 s");
    }
    p.getInputStream().readAllBytes();
    return p.exitValue();
  }
}
