package io.fleetwatch.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {

  private static Properties props(String... keyValues) {
    Properties p = new Properties();
    for (int i = 0; i < keyValues.length; i += 2) {
      p.setProperty(keyValues[i], keyValues[i + 1]);
    }
    return p;
  }

  @Test
  void usesDefaultsWhenNothingIsSet() {
    GatewayConfig c = GatewayConfig.fromEnvironment(Map.of(), null);

    assertEquals("tcp://127.0.0.1:1883", c.mqttServerUri());
    assertEquals("fleetwatch-gateway", c.mqttClientId());
    assertEquals("fleet", c.topicRoot());
    assertEquals(1000, c.receiveMaximum());
    assertEquals(Duration.ofHours(1), c.sessionExpiry());
    assertEquals(64 * 1024, c.maxPayloadBytes());
    assertEquals(Duration.ofMinutes(5), c.maxFutureSkew());
    assertTrue(c.eventTypes().contains("interlock"));
    assertEquals("127.0.0.1:9092", c.kafkaBootstrapServers());
    assertEquals("fleet.", c.topicPrefix());
    assertEquals("fleet/+/+/+", c.subscriptionFilter());
    assertNull(c.shareGroup());
    assertNull(c.tls());
  }

  @Test
  void environmentWinsOverPropertiesFile() {
    GatewayConfig c = GatewayConfig.fromEnvironment(
        Map.of("FLEETWATCH_MQTT_URI", "tcp://broker:1883", "FLEETWATCH_MQTT_RECEIVE_MAXIMUM", "50"),
        props("mqtt.uri", "tcp://file:1883", "mqtt.client.id", "gw-2", "mqtt.receive.maximum", "10"));

    assertEquals("tcp://broker:1883", c.mqttServerUri());
    assertEquals("gw-2", c.mqttClientId());
    assertEquals(50, c.receiveMaximum());
  }

  @Test
  void sparkplugIsOffByDefaultAndReadFromItsOwnKeys() {
    assertFalse(GatewayConfig.fromEnvironment(Map.of(), null).sparkplug().enabled());

    GatewayConfig c = GatewayConfig.fromEnvironment(Map.of("FLEETWATCH_SPARKPLUG_ENABLED", "true",
        "FLEETWATCH_MQTT_SHARE_GROUP", "gateways"), props("sparkplug.group.filter", "plant-1",
        "sparkplug.identity.file", "/etc/fleetwatch/sparkplug-ids.txt"));

    assertTrue(c.sparkplug().enabled());
    assertEquals("spBv1.0/plant-1/#", c.sparkplug().subscription());
    assertEquals("$share/gateways/spBv1.0/plant-1/#", c.shared(c.sparkplug().subscription()));
    assertEquals(java.nio.file.Path.of("/etc/fleetwatch/sparkplug-ids.txt"), c.sparkplug().identityFile());
  }

  @Test
  void rejectsBadSparkplugSettingsNamingTheKey() {
    IllegalArgumentException enabled = assertThrows(IllegalArgumentException.class,
        () -> GatewayConfig.fromEnvironment(Map.of(), props("sparkplug.enabled", "yes")));
    IllegalArgumentException filter = assertThrows(IllegalArgumentException.class,
        () -> GatewayConfig.fromEnvironment(Map.of(), props("sparkplug.group.filter", "a/b")));

    assertTrue(enabled.getMessage().contains("sparkplug.enabled"), enabled.getMessage());
    assertTrue(filter.getMessage().contains("sparkplug.group.filter"), filter.getMessage());
  }

  @Test
  void sharedSubscriptionUsesTheShareGroup() {
    GatewayConfig c = GatewayConfig.fromEnvironment(Map.of("FLEETWATCH_MQTT_SHARE_GROUP", "gateways"),
        props("mqtt.topic.root", "plants"));

    assertEquals("$share/gateways/plants/+/+/+", c.subscriptionFilter());
  }

  @Test
  void passesKafkaSettingsThroughByPrefix() {
    GatewayConfig c = GatewayConfig.fromEnvironment(
        Map.of("FLEETWATCH_KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "FLEETWATCH_KAFKA_BOOTSTRAP_SERVERS", "k:9093"),
        props("kafka.sasl.mechanism", "SCRAM-SHA-512", "kafka.sasl.jaas.config", "secret-jaas",
            "kafka.bootstrap.servers", "file:9092"));

    assertEquals("k:9093", c.kafkaBootstrapServers());
    assertEquals(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
        "sasl.jaas.config", "secret-jaas"), c.kafkaOverrides());
  }

  @Test
  void acceptsTheStreamsAppBootstrapVariableAsAlias() {
    GatewayConfig c = GatewayConfig.fromEnvironment(Map.of("FLEETWATCH_KAFKA_BOOTSTRAP", "k1:9092,k2:9092"), null);

    assertEquals("k1:9092,k2:9092", c.kafkaBootstrapServers());
    assertEquals(Map.of(), c.kafkaOverrides());
  }

  @Test
  void readsEventTypesAndDurations() {
    GatewayConfig c = GatewayConfig.fromEnvironment(Map.of(), props("gateway.event.types", "boot, tamper ,door",
        "gateway.max.future.skew.seconds", "60", "mqtt.session.expiry.seconds", "0",
        "gateway.max.payload.bytes", "1024"));

    assertEquals(Set.of("boot", "tamper", "door"), c.eventTypes());
    assertEquals(Duration.ofSeconds(60), c.maxFutureSkew());
    assertEquals(Duration.ZERO, c.sessionExpiry());
    assertEquals(1024, c.maxPayloadBytes());
  }

  @Test
  void readsTlsStores() {
    GatewayConfig c = GatewayConfig.fromEnvironment(Map.of("FLEETWATCH_MQTT_TLS_TRUSTSTORE_PASSWORD", "changeit"),
        props("mqtt.uri", "ssl://broker:8883", "mqtt.tls.truststore.path", "/etc/fw/ca.p12"));

    assertEquals(Path.of("/etc/fw/ca.p12"), c.tls().trustStore());
    assertEquals("changeit", c.tls().trustStorePassword());
    assertNull(c.tls().keyStore());
  }

  @Test
  void rejectsOutOfRangeReceiveMaximumNamingTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GatewayConfig.fromEnvironment(Map.of(), props("mqtt.receive.maximum", "70000")));

    assertTrue(e.getMessage().contains("mqtt.receive.maximum"), e.getMessage());
    assertTrue(e.getMessage().contains("FLEETWATCH_MQTT_RECEIVE_MAXIMUM"), e.getMessage());
  }

  @Test
  void rejectsNonNumericValueNamingTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GatewayConfig.fromEnvironment(Map.of("FLEETWATCH_GATEWAY_MAX_PAYLOAD_BYTES", "64k"), null));

    assertTrue(e.getMessage().contains("gateway.max.payload.bytes"), e.getMessage());
  }

  @Test
  void rejectsBadUriNamingTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GatewayConfig.fromEnvironment(Map.of(), props("mqtt.uri", "http://broker")));

    assertTrue(e.getMessage().contains("mqtt.uri"), e.getMessage());
  }

  @Test
  void rejectsTlsStoresWithPlainTcpUri() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GatewayConfig.fromEnvironment(Map.of(), props("mqtt.tls.truststore.path", "/ca.p12")));

    assertTrue(e.getMessage().contains("mqtt.uri"), e.getMessage());
  }

  @Test
  void rejectsKafkaOverridesThatWouldWeakenDelivery() {
    IllegalArgumentException acks = assertThrows(IllegalArgumentException.class,
        () -> GatewayConfig.fromEnvironment(Map.of(), props("kafka.acks", "1")));
    IllegalArgumentException idempotence = assertThrows(IllegalArgumentException.class,
        () -> GatewayConfig.fromEnvironment(Map.of("FLEETWATCH_KAFKA_ENABLE_IDEMPOTENCE", "false"), null));

    assertTrue(acks.getMessage().contains("kafka.acks"), acks.getMessage());
    assertTrue(idempotence.getMessage().contains("kafka.enable.idempotence"), idempotence.getMessage());
  }

  @Test
  void rejectsBadTopicPrefixAndShareGroup() {
    IllegalArgumentException prefix = assertThrows(IllegalArgumentException.class,
        () -> GatewayConfig.builder().topicPrefix("fleet/").build());
    IllegalArgumentException group = assertThrows(IllegalArgumentException.class,
        () -> GatewayConfig.builder().shareGroup("a/b").build());

    assertTrue(prefix.getMessage().contains("topic.prefix"), prefix.getMessage());
    assertTrue(group.getMessage().contains("mqtt.share.group"), group.getMessage());
  }

  @Test
  void redactsSecretsInToString() {
    GatewayConfig c = GatewayConfig.builder()
        .mqttServerUri("ssl://broker:8883")
        .mqttCredentials("gateway", "hunter2")
        .tls(new GatewayConfig.TlsStores(Path.of("/ca.p12"), "storepass", Path.of("/me.p12"), "keypass"))
        .kafkaOverrides(Map.of("sasl.jaas.config", "org.x required password=\"pw\";", "ssl.key.password", "kp",
            "security.protocol", "SASL_SSL"))
        .build();

    String text = c.toString();

    for (String secret : new String[] {"hunter2", "storepass", "keypass", "pw\"", "kp,"}) {
      assertFalse(text.contains(secret), () -> "leaks " + secret + ": " + text);
    }
    assertTrue(text.contains("mqttUsername=gateway"), text);
    assertTrue(text.contains("security.protocol=SASL_SSL"), text);
  }

  @Test
  void builderRoundTripsThroughToBuilder() {
    GatewayConfig c = GatewayConfig.builder().mqttClientId("gw-1").receiveMaximum(10).build();

    assertEquals(c, c.toBuilder().build());
  }
}
