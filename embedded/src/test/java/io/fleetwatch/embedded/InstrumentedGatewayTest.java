package io.fleetwatch.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.gateway.GatewayConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class InstrumentedGatewayTest {

  @Test
  void bindsTheGatewayProducersKafkaClientMetricsAndUnbindsThemOnClose() {
    // Given a registry and a gateway configuration (nothing listens there: the producer only registers metrics)
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    GatewayConfig config = GatewayConfig.builder().mqttServerUri("tcp://127.0.0.1:1").mqttClientId("gw-test")
        .kafkaBootstrapServers("127.0.0.1:1").build();

    // When the instrumented gateway is created
    InstrumentedGateway instrumented = InstrumentedGateway.create(config, registry);

    // Then the producer's send rate and request latency are meters, tagged with the producer's client id
    assertEquals("gw-test-producer", registry.get("kafka.producer.record.send.rate").gauge().getId().getTag("client.id"));
    registry.get("kafka.producer.request.latency.avg").gauge();
    // and the gateway's own meters are there too
    registry.get("fleetwatch.gateway.inflight").gauge();

    instrumented.close();
    assertTrue(registry.find("kafka.producer.record.send.rate").meters().isEmpty(), "client metrics left bound");
  }
}
