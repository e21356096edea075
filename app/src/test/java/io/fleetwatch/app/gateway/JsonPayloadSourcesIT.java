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
import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.gateway.Gateway;
import io.fleetwatch.gateway.GatewayConfig;
import io.fleetwatch.gateway.source.JsonSourcesConfig;
import io.fleetwatch.gateway.source.TopicPattern;
import io.fleetwatch.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Devices as they are, through real brokers: a SenML (RFC 8428) pack and a BACnet gateway's vendor JSON, mapped by
 * the shipped {@code examples/mappings/bacnet-building.yaml}, published with {@code mosquitto_pub} to mosquitto and
 * taken by a gateway configured with {@code senml.topics} and {@code mappings.file}, each open SAF-01 on their chiller
 * exactly as the native contract would (supply temperature out of 4..12 °C three times); a SenML pack with a
 * conflicting base name and a BACnet point no mapping knows are dead-lettered with their own reasons.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JsonPayloadSourcesIT {
  private static final Duration DEADLINE = Duration.ofSeconds(90);

  private DemoPipeline pipeline;
  private Mosquitto mosquitto;
  private Gateway gateway;
  private Topics topics;
  private KafkaProbe kafka;

  @BeforeAll
  void start() throws Exception {
    DemoSettings settings = new DemoSettings("127.0.0.1", 0, 0, 0, null,
        Path.of("..", "examples", "demo-fleet", "assets.yaml"), Path.of("..", "policies"), false, 20, 3,
        Duration.ofSeconds(3), Duration.ZERO, null);
    pipeline = new DemoPipeline(settings, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
        .start();
    topics = pipeline.topics();
    kafka = new KafkaProbe(pipeline.bootstrapServers());
    mosquitto = Mosquitto.started();
    GatewayConfig config = GatewayConfig.builder()
        .mqttServerUri(mosquitto.uri())
        .mqttClientId("gw-json-sources")
        .kafkaBootstrapServers(pipeline.bootstrapServers())
        .topicPrefix(topics.prefix())
        .jsonSources(new JsonSourcesConfig(List.of(TopicPattern.parse("senml/{site}/{device}")), null,
            Path.of("..", "examples", "mappings", "bacnet-building.yaml")))
        .build();
    gateway = new Gateway(config, new SimpleMeterRegistry());
    gateway.start();
    assertTrue(gateway.awaitReady(DEADLINE), "the gateway did not become ready");
  }

  @AfterAll
  void stop() throws Exception {
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

  @Test
  void aSenmlPackOpensSafetyEnvelopeIncidentOnItsChillerLikeTheNativeContract() throws Exception {
    // Given chiller-01 reports its supply temperature as SenML: three readings a second apart, 15 °C (envelope 4..12)
    double base = Instant.now().minusSeconds(30).toEpochMilli() / 1000.0;
    String pack = "[{\"bn\":\"urn:dev:chiller-01:\",\"bt\":" + base + ",\"bu\":\"Cel\",\"n\":\"supply_temp_c\",\"v\":15.0},"
        + "{\"n\":\"supply_temp_c\",\"t\":1,\"v\":15.0},{\"n\":\"supply_temp_c\",\"t\":2,\"v\":15.0}]";

    // When it is published on the SenML topic
    MosquittoPub.publish(mosquitto.uri(), "senml/hq/chiller-01", pack);

    // Then the readings reach fleet.telemetry under chiller-01, and SAF-01 opens on chiller-01
    Telemetry reading = kafka.waitForValue(topics.telemetry().name(), topics.telemetry().valueSerde().deserializer(),
        t -> t.getDeviceId().equals("chiller-01") && t.getMetrics().containsKey("supply_temp_c"), DEADLINE).value();
    assertEquals(15.0, reading.getMetrics().get("supply_temp_c"));
    Incident incident = kafka.waitForValue(topics.incidents().name(), topics.incidents().valueSerde().deserializer(),
        i -> i.getPolicyId().equals("SAF-01") && "chiller-01".equals(i.getDeviceId()), DEADLINE).value();
    assertEquals("hq", incident.getSite());
  }

  @Test
  void aMappedBacnetPointOpensSafetyEnvelopeIncidentOnItsChillerLikeTheNativeContract() throws Exception {
    // Given a BACnet gateway reporting chiller-02's supply temperature in °F: 59 °F = 15 °C, three times
    Instant at = Instant.now().minusSeconds(30);
    for (int i = 0; i < 3; i++) {
      String point = "{\"objectName\":\"CH1-CHWS-T\",\"objectType\":\"analog-input\",\"objectInstance\":3,"
          + "\"presentValue\":59.0,\"units\":\"degrees-fahrenheit\",\"statusFlags\":[false,false,false,false],"
          + "\"timestamp\":\"" + at.plusSeconds(i) + "\"}";
      // When each is published on the gateway's topic
      MosquittoPub.publish(mosquitto.uri(), "bacnet/hq/chiller-02/present-value", point);
    }

    // Then the mapped readings reach fleet.telemetry in °C, and SAF-01 opens on chiller-02
    Telemetry reading = kafka.waitForValue(topics.telemetry().name(), topics.telemetry().valueSerde().deserializer(),
        t -> t.getDeviceId().equals("chiller-02") && t.getMetrics().containsKey("supply_temp_c"), DEADLINE).value();
    assertEquals(15.0, reading.getMetrics().get("supply_temp_c"), 1e-9);
    Incident incident = kafka.waitForValue(topics.incidents().name(), topics.incidents().valueSerde().deserializer(),
        i -> i.getPolicyId().equals("SAF-01") && "chiller-02".equals(i.getDeviceId()), DEADLINE).value();
    assertEquals("hq", incident.getSite());
  }

  @Test
  void aSenmlPackNamingAnotherDeviceAndAnUnmappedPointAreDeadLetteredWithTheirReasons() throws Exception {
    // When a pack changes its base name to another device mid-pack, and a BACnet point nobody mapped arrives
    MosquittoPub.publish(mosquitto.uri(), "senml/hq/chiller-01",
        "[{\"bn\":\"urn:dev:chiller-01:\",\"n\":\"supply_temp_c\",\"v\":7.0},"
            + "{\"bn\":\"urn:dev:boiler-09:\",\"n\":\"pressure_kpa\",\"v\":120}]");
    MosquittoPub.publish(mosquitto.uri(), "bacnet/hq/chiller-02/present-value",
        "{\"objectName\":\"CH1-CHWS-T\",\"presentValue\":288.7,\"units\":\"kelvins\","
            + "\"timestamp\":\"" + Instant.now() + "\"}");

    // Then each is a dead letter with its own reason
    DeadLetter senml = awaitDeadLetter("senml/hq/chiller-01", DeadLetterReason.SENML_INVALID);
    assertTrue(senml.getDetail().contains("bn"), senml.getDetail());
    DeadLetter mapped = awaitDeadLetter("bacnet/hq/chiller-02/present-value", DeadLetterReason.MAPPING_NO_MATCH);
    assertTrue(mapped.getDetail().contains("chiller-supply-temp"), mapped.getDetail());
  }

  private DeadLetter awaitDeadLetter(String mqttTopic, DeadLetterReason reason) {
    return kafka.waitForValue(topics.deadLetter().name(), topics.deadLetter().valueSerde().deserializer(),
        d -> mqttTopic.equals(d.getMqttTopic()) && d.getReason() == reason, DEADLINE).value();
  }
}
