package io.fleetwatch.app.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link Mosquitto} harness with a real MQTT 5 client (Eclipse Paho). */
class MosquittoIT {

    private static final Logger LOG = LoggerFactory.getLogger(MosquittoIT.class);
    private static final Duration WAIT = Duration.ofSeconds(15);

    @Test
    void deliversBeforeAndAfterARestartOnTheSamePort() throws Exception {
        try (Mosquitto mosquitto = Mosquitto.started()) {
            // Given a client receiving its own QoS 1 publish
            try (MqttRecorder client = MqttRecorder.connect(mosquitto.uri(), "loop-1").subscribe("fleet/#", 1)) {
                client.publish("fleet/s/d/telemetry", "before", 1);
                assertEquals("before", client.next(WAIT).text());
            }

            // When the broker restarts
            String uri = mosquitto.uri();
            mosquitto.stop();
            assertFalse(mosquitto.isRunning());
            assertFalse(Ports.accepts(mosquitto.port()));
            long restartCalled = System.nanoTime();
            mosquitto.start();
            LOG.info("Mosquitto: restart start() {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartCalled));

            // Then it serves again on the same address
            assertEquals(uri, mosquitto.uri());
            try (MqttRecorder client = MqttRecorder.connect(mosquitto.uri(), "loop-2").subscribe("fleet/#", 1)) {
                client.publish("fleet/s/d/telemetry", "after", 1);
                assertEquals("after", client.next(WAIT).text());
            }
        }
    }

    @Test
    void keepsAQueuedMessageForAPersistentSessionAcrossARestart() throws Exception {
        try (Mosquitto mosquitto = Mosquitto.builder().persistence(true).build().start()) {
            // Clean start = false from the first connect: mosquitto 2.0.11 does not write sessions that began with
            // clean start = true to its persistence file, whatever their session expiry interval.
            try (MqttRecorder subscriber = MqttRecorder.connectPersistent(mosquitto.uri(), "durable", false)) {
                subscriber.subscribe("fleet/+/+/event", 1);
            }
            try (MqttRecorder publisher = MqttRecorder.connect(mosquitto.uri(), "publisher")) {
                publisher.publish("fleet/s/d/event", "queued", 1);
            }

            mosquitto.stop();
            mosquitto.start();

            try (MqttRecorder subscriber = MqttRecorder.connectPersistent(mosquitto.uri(), "durable", false)) {
                assertEquals("queued", subscriber.next(WAIT).text());
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; mosquitto log:\n" + mosquitto.readLog(), e);
            }
        }
    }

    @Test
    void queuesMoreThanTheDefaultThousandMessagesForAnOfflineSubscriber() throws Exception {
        int burst = 5_000;
        try (Mosquitto mosquitto = Mosquitto.started()) {
            try (MqttRecorder subscriber = MqttRecorder.connectPersistent(mosquitto.uri(), "lagging", true)) {
                subscriber.subscribe("burst", 1);
            }
            try (MqttRecorder publisher = MqttRecorder.connect(mosquitto.uri(), "burster")) {
                for (int i = 0; i < burst; i++) {
                    publisher.publish("burst", Integer.toString(i), 1);
                }
            }
            try (MqttRecorder subscriber = MqttRecorder.connectPersistent(mosquitto.uri(), "lagging", false)) {
                assertEquals(burst, subscriber.next(burst, Duration.ofSeconds(60)).size());
            }
        }
    }

    @Test
    void failsWithTheFixWhenTheBinaryIsMissing() {
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> Mosquitto.builder().binary(Path.of("/nonexistent/mosquitto")).build());
        assertTrue(missing.getMessage().contains("apt-get install -y mosquitto"), missing.getMessage());
    }
}
