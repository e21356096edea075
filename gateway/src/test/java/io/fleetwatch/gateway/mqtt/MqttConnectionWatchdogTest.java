package io.fleetwatch.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.gateway.GatewayConfig;
import io.fleetwatch.gateway.GatewayMetrics;
import io.fleetwatch.gateway.kafka.CapturingProducer;
import io.fleetwatch.gateway.kafka.GatewayRecords;
import io.fleetwatch.gateway.kafka.KafkaForwarder;
import io.fleetwatch.gateway.mapping.MqttTopicParser;
import io.fleetwatch.gateway.mapping.PayloadParser;
import io.fleetwatch.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A connect attempt that neither succeeds nor fails is abandoned and followed by a new one. */
class MqttConnectionWatchdogTest {

  @Test
  void abandonsAConnectAttemptTheBrokerNeverAnswersAndTriesAgain() throws Exception {
    // Given a "broker" that accepts TCP connections and never sends CONNACK
    List<Socket> accepted = new CopyOnWriteArrayList<>();
    Semaphore connections = new Semaphore(0);
    try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(silent.accept());
            connections.release();
          }
        } catch (IOException closed) {
          // test over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      GatewayConfig config = GatewayConfig.builder()
          .mqttServerUri("tcp://127.0.0.1:" + silent.getLocalPort())
          .mqttClientId("watchdog-test")
          .build();
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      GatewayMetrics metrics = new GatewayMetrics(registry);
      KafkaForwarder forwarder = new KafkaForwarder(new CapturingProducer(), KafkaForwarder.Observer.NONE,
          Duration.ofMillis(1), Duration.ofMillis(5), List.of());
      // A watchdog well inside Paho's own 10 s connection timeout, so only the watchdog can explain a quick retry
      try (MqttConnection connection = new MqttConnection(config, metrics, Duration.ofMillis(500))) {
        connection.start(new InboundMessageHandler(MqttTopicParser.withDefaultRoot(), PayloadParser.withDefaults(),
            new GatewayRecords(Topics.withDefaultPrefix(), 64 * 1024), forwarder, connection.acks(), metrics,
            Clock.systemUTC(), 10));

        // Then a first attempt, and a second one long before Paho would have given up on the first
        assertTrue(connections.tryAcquire(5, TimeUnit.SECONDS), "no connect attempt");
        assertTrue(connections.tryAcquire(6, TimeUnit.SECONDS), "the unanswered attempt was not abandoned");
        assertFalse(connection.ready());
        assertTrue(closedByPeer(accepted.get(0)), "the abandoned attempt's socket is closed by the client");
      } finally {
        forwarder.close(Duration.ofMillis(100));
        for (Socket s : accepted) {
          s.close();
        }
      }
    }
  }

  /** Reads past the CONNECT packet until end of stream (the client closed it), waiting at most 5 s. */
  private static boolean closedByPeer(Socket socket) throws IOException {
    socket.setSoTimeout(5_000);
    try {
      byte[] buffer = new byte[256];
      while (true) {
        if (socket.getInputStream().read(buffer) < 0) {
          return true;
        }
      }
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (java.net.SocketException e) {
      return true; // reset by the client
    }
  }
}
