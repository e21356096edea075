package io.fleetwatch.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.gateway.kafka.CapturingProducer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GatewayLifecycleTest {

  private static int closedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void startReturnsAndCloseCompletesWhileTheBrokerIsDown() throws Exception {
    GatewayConfig config = GatewayConfig.builder()
        .mqttServerUri("tcp://127.0.0.1:" + closedPort())
        .mqttClientId("gateway-lifecycle-test")
        .build();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    // A hang guard, not a performance assertion: start() must not wait for the broker.
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      try (Gateway gateway = new Gateway(config, registry, new CapturingProducer(), Clock.systemUTC())) {
        gateway.start();
        assertFalse(gateway.isReady());
        assertFalse(gateway.awaitReady(Duration.ofMillis(200)));
        assertEquals(0.0, registry.get(GatewayMetrics.MQTT_CONNECTED).gauge().value());
        assertEquals(0.0, registry.get(GatewayMetrics.INFLIGHT).gauge().value());
      }
    });
  }

  @Test
  void isLiveButNotReadyWhileItCannotReachTheBrokerAndNeitherOnceClosed() throws Exception {
    GatewayConfig config = GatewayConfig.builder()
        .mqttServerUri("tcp://127.0.0.1:" + closedPort())
        .mqttClientId("gateway-readiness-test")
        .build();
    Gateway gateway = new Gateway(config, new SimpleMeterRegistry(), new CapturingProducer(), Clock.systemUTC());
    try {
      assertEquals(Gateway.Readiness.NOT_STARTED, gateway.readiness());
      assertTrue(gateway.isLive());

      gateway.start();
      assertEquals(Gateway.Readiness.MQTT_DISCONNECTED, gateway.readiness());
      assertTrue(gateway.isLive(), "reconnecting by itself is live");
      assertFalse(gateway.isReady());
    } finally {
      gateway.close();
    }
    assertEquals(Gateway.Readiness.CLOSED, gateway.readiness());
    assertFalse(gateway.isLive());
  }

  @Test
  void refusesToStartAfterClose() throws Exception {
    Gateway gateway = new Gateway(GatewayConfig.builder().build(), new SimpleMeterRegistry(), new CapturingProducer(),
        Clock.systemUTC());
    gateway.close();

    assertThrows(IllegalStateException.class, gateway::start);
  }
}
