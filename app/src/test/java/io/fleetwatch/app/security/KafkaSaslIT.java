package io.fleetwatch.app.security;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.app.harness.KafkaProbe;
import io.fleetwatch.app.harness.Mosquitto;
import io.fleetwatch.app.harness.MosquittoPub;
import io.fleetwatch.app.harness.Ports;
import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.embedded.EmbeddedKafka;
import io.fleetwatch.embedded.TopicProvisioner;
import io.fleetwatch.gateway.Gateway;
import io.fleetwatch.gateway.GatewayConfig;
import io.fleetwatch.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The gateway writing to Kafka over SASL (PLAIN on a SASL_PLAINTEXT listener of the in-process broker), configured
 * only through the {@code kafka.*} pass-through settings operators use. The broker also keeps a PLAINTEXT listener,
 * which the test itself uses to provision topics and read what arrived.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaSaslIT {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final String USER = "gateway";
  private static final String PASSWORD = "gw-Sasl-s3cret";

  private final Topics topics = Topics.withDefaultPrefix();
  private EmbeddedKafka kafka;
  private String saslBootstrap;

  @BeforeAll
  void start() throws Exception {
    int plain = Ports.free();
    int controller = Ports.free();
    int sasl = Ports.free();
    saslBootstrap = "127.0.0.1:" + sasl;
    kafka = EmbeddedKafka.builder().port(plain).controllerPort(controller)
        .brokerProperty("listeners", "PLAINTEXT://127.0.0.1:" + plain + ",CONTROLLER://127.0.0.1:" + controller
            + ",SASL_PLAINTEXT://" + saslBootstrap)
        .brokerProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + plain + ",SASL_PLAINTEXT://" + saslBootstrap)
        .brokerProperty("listener.security.protocol.map",
            "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT")
        .brokerProperty("sasl.enabled.mechanisms", "PLAIN")
        .brokerProperty("listener.name.sasl_plaintext.plain.sasl.jaas.config",
            "org.apache.kafka.common.security.plain.PlainLoginModule required user_" + USER + "=\"" + PASSWORD + "\";")
        .build().start();
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

  private GatewayConfig gatewayConfig(Mosquitto broker, String clientId, String password) {
    return GatewayConfig.builder()
        .mqttServerUri(broker.uri())
        .mqttClientId(clientId)
        .kafkaBootstrapServers(saslBootstrap)
        .topicPrefix(topics.prefix())
        .kafkaOverrides(Map.of(
            "security.protocol", "SASL_PLAINTEXT",
            "sasl.mechanism", "PLAIN",
            "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                + USER + "\" password=\"" + password + "\";"))
        .build();
  }

  @Test
  void forwardsOverSaslWithTheRightCredentialsAndNeverShowsThePassword() throws Exception {
    try (Mosquitto broker = Mosquitto.builder().build().start()) {
      GatewayConfig config = gatewayConfig(broker, "gw-sasl", PASSWORD);
      assertFalse(config.toString().contains(PASSWORD), "the logged configuration shows the SASL password: " + config);
      try (Gateway gateway = new Gateway(config, new SimpleMeterRegistry())) {
        gateway.start();
        assertTrue(gateway.awaitReady(DEADLINE), "gateway did not become ready over SASL");

        MosquittoPub.publish(broker.uri(), "fleet/hq/sasl-dev-1/telemetry",
            "{\"ts\":" + System.currentTimeMillis() + ",\"metrics\":{\"supply_temp_c\":7.0}}");

        new KafkaProbe(kafka.bootstrapServers()).waitForValue(topics.telemetry().name(),
            topics.telemetry().valueSerde().deserializer(),
            (Telemetry t) -> t.getDeviceId().equals("sasl-dev-1"), DEADLINE);
      }
    }
  }

  @Test
  void aWrongPasswordIsRefusedByKafkaAndTheGatewayStaysNotReady() throws Exception {
    try (Mosquitto broker = Mosquitto.builder().build().start();
        Gateway gateway = new Gateway(gatewayConfig(broker, "gw-sasl-wrong", "not-the-password"),
            new SimpleMeterRegistry())) {
      gateway.start();
      assertFalse(gateway.awaitReady(Duration.ofSeconds(10)), "ready although Kafka refused its credentials");
    }
  }
}
