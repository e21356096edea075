package io.fleetwatch.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.schemas.Topics;
import io.fleetwatch.streams.topology.DeadLetterDeserializationHandler;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class StreamsAppConfigTest {

  @Test
  void readsSettingsAndPassesKafkaOverridesThrough() {
    StreamsAppConfig config = StreamsAppConfig.from(Map.of(
        StreamsAppConfig.BOOTSTRAP, "kafka-1:9093",
        StreamsAppConfig.COMMIT_INTERVAL_MS, "150",
        StreamsAppConfig.REPLICATION_FACTOR, "3",
        "kafka.security.protocol", "SASL_SSL",
        "kafka.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"s3cret\";"));
    assertEquals("kafka-1:9093", config.bootstrapServers());
    assertEquals(Duration.ofMillis(150), config.commitInterval());
    assertEquals(StreamsAppConfig.DEFAULT_APPLICATION_ID, config.applicationId());

    Properties props = StreamsConfigFactory.properties(config, Topics.withDefaultPrefix());
    assertEquals(StreamsConfig.EXACTLY_ONCE_V2, props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
    assertEquals(3, props.get(StreamsConfig.REPLICATION_FACTOR_CONFIG));
    assertEquals(150L, props.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
    assertEquals("SASL_SSL", props.get("security.protocol"));
    assertEquals(DeadLetterDeserializationHandler.class.getName(),
        props.get(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG));
    assertEquals("fleet.deadletter", props.get(DeadLetterDeserializationHandler.DEAD_LETTER_TOPIC_CONFIG));
  }

  @Test
  void pollsNoLongerThanTheCommitIntervalSoAnIdleThreadStillCommitsOnTime() {
    Properties shortInterval = StreamsConfigFactory.properties(
        StreamsAppConfig.from(Map.of(StreamsAppConfig.COMMIT_INTERVAL_MS, "30")), Topics.withDefaultPrefix());
    assertEquals(30L, shortInterval.get(StreamsConfig.POLL_MS_CONFIG));
    Properties longInterval = StreamsConfigFactory.properties(
        StreamsAppConfig.from(Map.of(StreamsAppConfig.COMMIT_INTERVAL_MS, "1000")), Topics.withDefaultPrefix());
    assertEquals(StreamsConfigFactory.DEFAULT_POLL_MS, longInterval.get(StreamsConfig.POLL_MS_CONFIG));
    Properties overridden = StreamsConfigFactory.properties(StreamsAppConfig.from(Map.of(
        StreamsAppConfig.COMMIT_INTERVAL_MS, "30", "kafka.poll.ms", "250")), Topics.withDefaultPrefix());
    assertEquals("250", overridden.get(StreamsConfig.POLL_MS_CONFIG));
  }

  @Test
  void redactsSecretsInItsTextForm() {
    StreamsAppConfig config = StreamsAppConfig.builder()
        .kafka("sasl.jaas.config", "password=\"s3cret\"").kafka("ssl.truststore.password", "hunter2").build();
    assertFalse(config.toString().contains("s3cret"), config.toString());
    assertFalse(config.toString().contains("hunter2"), config.toString());
    assertTrue(config.toString().contains("[redacted]"));
  }

  @Test
  void namesTheBadKey() {
    StreamsConfigException port = assertThrows(StreamsConfigException.class,
        () -> StreamsAppConfig.from(Map.of(StreamsAppConfig.HTTP_PORT, "eighty")));
    assertEquals("FLEETWATCH_HTTP_PORT: expected an integer, got 'eighty'", port.getMessage());
    StreamsConfigException rf = assertThrows(StreamsConfigException.class,
        () -> StreamsAppConfig.from(Map.of(StreamsAppConfig.REPLICATION_FACTOR, "0")));
    assertEquals(StreamsAppConfig.REPLICATION_FACTOR, rf.key());
    StreamsConfigException prefix = assertThrows(StreamsConfigException.class,
        () -> StreamsAppConfig.from(Map.of(StreamsAppConfig.TOPIC_PREFIX, "bad prefix/")));
    assertEquals(StreamsAppConfig.TOPIC_PREFIX, prefix.key());
  }

  @Test
  void advertisesTheApiAddressAsApplicationServer() {
    StreamsAppConfig defaults = StreamsAppConfig.from(Map.of(StreamsAppConfig.HTTP_PORT, "8091"));
    assertEquals("127.0.0.1:8091", defaults.advertisedApiAddress().orElseThrow());
    assertEquals("127.0.0.1:8091", StreamsConfigFactory.properties(defaults, Topics.withDefaultPrefix())
        .get(StreamsConfig.APPLICATION_SERVER_CONFIG));

    StreamsAppConfig explicit = StreamsAppConfig.from(Map.of(StreamsAppConfig.HTTP_HOST, "0.0.0.0",
        StreamsAppConfig.HTTP_ADVERTISED_ADDRESS, "streams-2.fleet.internal:8080"));
    assertEquals("streams-2.fleet.internal:8080", StreamsConfigFactory.properties(explicit,
        Topics.withDefaultPrefix()).get(StreamsConfig.APPLICATION_SERVER_CONFIG));

    StreamsAppConfig wildcard = StreamsAppConfig.from(Map.of(StreamsAppConfig.HTTP_HOST, "0.0.0.0"));
    String address = wildcard.advertisedApiAddress().orElseThrow();
    assertTrue(address.endsWith(":8080") && !address.startsWith("0.0.0.0"), address);

    StreamsAppConfig anyPort = StreamsAppConfig.from(Map.of(StreamsAppConfig.HTTP_PORT, "0"));
    assertTrue(anyPort.advertisedApiAddress().isEmpty());
    assertFalse(StreamsConfigFactory.properties(anyPort, Topics.withDefaultPrefix())
        .containsKey(StreamsConfig.APPLICATION_SERVER_CONFIG));
  }

  @Test
  void refusesAnAdvertisedAddressThatIsNotHostAndPort() {
    for (String bad : new String[] {"streams-2", "streams-2:", ":8080", "streams-2:http", "streams-2:0",
        "streams 2:8080", "http://streams-2:8080"}) {
      StreamsConfigException e = assertThrows(StreamsConfigException.class,
          () -> StreamsAppConfig.from(Map.of(StreamsAppConfig.HTTP_ADVERTISED_ADDRESS, bad)), bad);
      assertEquals(StreamsAppConfig.HTTP_ADVERTISED_ADDRESS, e.key());
    }
  }

  @Test
  void readsTheHeartbeatScanIntervalDefaultsToFiveSecondsAndRejectsZero() {
    assertEquals(Duration.ofSeconds(5), StreamsAppConfig.from(Map.of()).heartbeatScanInterval());
    assertEquals(Duration.ofSeconds(30), StreamsAppConfig.from(
        Map.of(StreamsAppConfig.HEARTBEAT_SCAN_INTERVAL, "PT30S")).heartbeatScanInterval());
    StreamsConfigException zero = assertThrows(StreamsConfigException.class,
        () -> StreamsAppConfig.from(Map.of(StreamsAppConfig.HEARTBEAT_SCAN_INTERVAL, "PT0S")));
    assertEquals(StreamsAppConfig.HEARTBEAT_SCAN_INTERVAL, zero.key());
    StreamsConfigException text = assertThrows(StreamsConfigException.class,
        () -> StreamsAppConfig.from(Map.of(StreamsAppConfig.HEARTBEAT_SCAN_INTERVAL, "5s")));
    assertEquals("FLEETWATCH_HEARTBEAT_SCAN_INTERVAL: expected an ISO-8601 duration such as PT2M, got '5s'",
        text.getMessage());
  }
}
