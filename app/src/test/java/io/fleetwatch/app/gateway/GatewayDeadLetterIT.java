package io.fleetwatch.app.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.app.harness.KafkaProbe;
import io.fleetwatch.app.harness.Mosquitto;
import io.fleetwatch.app.harness.MosquittoPub;
import io.fleetwatch.app.harness.MqttRecorder;
import io.fleetwatch.avro.DeadLetter;
import io.fleetwatch.avro.DeadLetterReason;
import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.embedded.EmbeddedKafka;
import io.fleetwatch.gateway.Gateway;
import io.fleetwatch.schemas.AvroSerde;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Malformed input through real mosquitto and Kafka: each lands on {@code fleet.deadletter} with its reason, the raw
 * bytes and the MQTT topic, while valid telemetry published between them still reaches {@code fleet.telemetry}.
 */
class GatewayDeadLetterIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int MAX_PAYLOAD = 1024;

  @Test
  void deadLettersMalformedInputWithItsReasonWhileValidTelemetryFlows() throws Exception {
    long now = System.currentTimeMillis();
    // MQTT topic (unique per case, it is the dead letter's key) -> payload, expected reason
    Map<String, byte[]> payloads = new LinkedHashMap<>();
    Map<String, DeadLetterReason> reasons = new HashMap<>();
    bad(payloads, reasons, "fleet/dl/not-json/telemetry", utf8("not json {"), DeadLetterReason.MALFORMED_JSON);
    bad(payloads, reasons, "fleet/dl/oversize/telemetry",
        utf8("{\"ts\":" + now + ",\"metrics\":{\"t\":1},\"pad\":\"" + "x".repeat(2 * MAX_PAYLOAD) + "\"}"),
        DeadLetterReason.OVERSIZE);
    bad(payloads, reasons, "fleet/dl/bad id!/telemetry", utf8("{\"ts\":" + now + ",\"metrics\":{\"t\":1}}"),
        DeadLetterReason.BAD_IDENTIFIER);
    bad(payloads, reasons, "fleet/dl/channel/logs", utf8("{\"ts\":" + now + "}"), DeadLetterReason.UNKNOWN_CHANNEL);
    bad(payloads, reasons, "fleet/dl/utf8/telemetry", new byte[] {'{', (byte) 0xff, '}'},
        DeadLetterReason.INVALID_UTF8);
    bad(payloads, reasons, "fleet/dl/array/telemetry", utf8("[1,2]"), DeadLetterReason.NOT_AN_OBJECT);
    bad(payloads, reasons, "fleet/dl/no-metrics/telemetry", utf8("{\"ts\":" + now + "}"),
        DeadLetterReason.MISSING_FIELD);
    bad(payloads, reasons, "fleet/dl/future/telemetry",
        utf8("{\"ts\":" + (now + Duration.ofDays(1).toMillis()) + ",\"metrics\":{\"t\":1}}"),
        DeadLetterReason.FUTURE_TIMESTAMP);
    bad(payloads, reasons, "fleet/dl/dance/event", utf8("{\"ts\":" + now + ",\"type\":\"dance\"}"),
        DeadLetterReason.UNKNOWN_EVENT_TYPE);

    try (EmbeddedKafka kafka = EmbeddedKafka.builder().build().start();
        Mosquitto mosquitto = Mosquitto.started()) {
      GatewayFixtures.createTopics(kafka.bootstrapServers());
      try (Gateway gateway = new Gateway(GatewayFixtures.config(mosquitto.uri(), kafka.bootstrapServers(), "gw-dl")
              .maxPayloadBytes(MAX_PAYLOAD).build(), new SimpleMeterRegistry());
          MqttRecorder device = MqttRecorder.connect(mosquitto.uri(), "dl-device")) {
        gateway.start();
        assertTrue(gateway.awaitReady(Duration.ofSeconds(30)), "gateway ready");

        // Given each malformed message (raw bytes, from Debian's mosquitto_pub) followed by a valid one
        int seq = 0;
        for (Map.Entry<String, byte[]> bad : payloads.entrySet()) {
          MosquittoPub.publish(mosquitto.uri(), bad.getKey(), bad.getValue());
          device.publish("fleet/dl/good/telemetry", "{\"ts\":" + now + ",\"seq\":" + seq++ + ",\"metrics\":{\"t\":1}}", 1);
        }
        int good = seq;

        // Then every malformed one is dead-lettered with its reason, raw bytes and topic
        KafkaProbe probe = new KafkaProbe(kafka.bootstrapServers());
        List<ConsumerRecord<String, DeadLetter>> letters = probe.waitFor("fleet.deadletter", new StringDeserializer(),
            AvroSerde.of(DeadLetter.class), seen -> seen.size() >= payloads.size(), WAIT);
        Map<String, DeadLetter> byTopic = letters.stream()
            .collect(Collectors.toMap(ConsumerRecord::key, ConsumerRecord::value, (x, y) -> x));
        assertEquals(payloads.keySet(), byTopic.keySet());
        for (Map.Entry<String, byte[]> bad : payloads.entrySet()) {
          DeadLetter letter = byTopic.get(bad.getKey());
          assertEquals(reasons.get(bad.getKey()), letter.getReason(), bad.getKey() + ": " + letter.getDetail());
          assertEquals(bad.getKey(), letter.getMqttTopic());
          assertEquals(bad.getValue().length, letter.getPayloadSize());
          byte[] stored = new byte[letter.getPayload().remaining()];
          letter.getPayload().duplicate().get(stored);
          byte[] expected = bad.getValue().length > MAX_PAYLOAD
              ? Arrays.copyOf(bad.getValue(), MAX_PAYLOAD) : bad.getValue();
          assertArrayEquals(expected, stored, bad.getKey());
          assertFalse(letter.getDetail().isBlank(), "detail of " + bad.getKey());
        }

        // And the valid telemetry between them all reached its topic
        List<ConsumerRecord<byte[], Telemetry>> telemetry = probe.waitFor("fleet.telemetry",
            AvroSerde.of(Telemetry.class), seen -> seen.stream().map(r -> r.value().getSeq()).distinct().count() >= good,
            WAIT);
        assertEquals(good, telemetry.stream().map(r -> r.value().getSeq()).distinct().count());
      }
    }
  }

  private static void bad(Map<String, byte[]> payloads, Map<String, DeadLetterReason> reasons, String topic,
      byte[] payload, DeadLetterReason reason) {
    payloads.put(topic, payload);
    reasons.put(topic, reason);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
