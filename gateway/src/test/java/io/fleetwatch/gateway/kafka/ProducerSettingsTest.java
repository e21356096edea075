package io.fleetwatch.gateway.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ProducerSettingsTest {
  @Test
  void fixesDeliveryGuaranteesWhateverTheOverrides() {
    Map<String, Object> props = ProducerSettings.forGateway("k:9092", "gw",
        Map.of("acks", "1", "enable.idempotence", "false", "security.protocol", "SSL", "linger.ms", "50"));

    assertEquals("all", props.get("acks"));
    assertEquals(true, props.get("enable.idempotence"));
    assertEquals(5, props.get("max.in.flight.requests.per.connection"));
    assertEquals("k:9092", props.get("bootstrap.servers"));
    assertEquals("SSL", props.get("security.protocol"));
    assertEquals("50", props.get("linger.ms"));
  }

  @Test
  void lingersTwentyMillisecondsByDefault() {
    Map<String, Object> props = ProducerSettings.forGateway("k:9092", "gw", Map.of());

    assertEquals(20, props.get("linger.ms"));
  }
}
