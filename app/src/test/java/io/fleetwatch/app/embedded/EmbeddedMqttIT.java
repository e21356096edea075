package io.fleetwatch.app.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.ConsoleAppender;
import io.fleetwatch.app.harness.MqttRecorder;
import io.fleetwatch.embedded.EmbeddedMqtt;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link EmbeddedMqtt} with a real MQTT 5 client (Eclipse Paho). */
class EmbeddedMqttIT {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMqttIT.class);
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path temp;

    @Test
    void deliversAQos1MessageBackToItsPublisher() throws Exception {
        try (EmbeddedMqtt mqtt = EmbeddedMqtt.builder().build()) {
            long startCalled = System.nanoTime();
            mqtt.start();
            LOG.info("EmbeddedMqtt: start() {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startCalled));
            assertTrue(mqtt.uri().startsWith("tcp://127.0.0.1:"));

            try (MqttRecorder client = MqttRecorder.connect(mqtt.uri(), "self-loop").subscribe("fleet/#", 1)) {
                client.publish("fleet/site-a/dev-1/telemetry", "{\"ts\":1}", 1);

                MqttRecorder.Received received = client.next(WAIT);
                assertEquals("fleet/site-a/dev-1/telemetry", received.topic());
                assertEquals("{\"ts\":1}", received.text());
                assertEquals(1, received.qos());
            }
        }
    }

    @Test
    void leavesTheApplicationLoggingConfigurationInPlace() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        try (EmbeddedMqtt mqtt = EmbeddedMqtt.builder().build().start()) {
            // HiveMQ's logging bootstrap would reset logback to its own root INFO console configuration.
            assertEquals(Level.WARN, context.getLogger("com.hivemq").getEffectiveLevel());
            assertEquals(Level.WARN, context.getLogger("kafka").getEffectiveLevel());
            assertEquals(Level.INFO, context.getLogger("io.fleetwatch").getEffectiveLevel());
            assertEquals(Level.WARN, context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getLevel());
            ConsoleAppender<?> appender = assertInstanceOf(ConsoleAppender.class,
                    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR"));
            assertEquals("System.err", appender.getTarget());
            assertNotNull(mqtt.uri());
        }
    }

    @Test
    void keepsAPersistentSessionAndItsQueuedMessageAcrossARestart() throws Exception {
        Path data = temp.resolve("mqtt");
        try (EmbeddedMqtt mqtt = EmbeddedMqtt.builder().dataDirectory(data).build().start()) {
            // Given a persistent session subscribed at QoS 1, offline while a message is published to it
            try (MqttRecorder subscriber = MqttRecorder.connectPersistent(mqtt.uri(), "persistent-sub", true)) {
                subscriber.subscribe("fleet/+/+/event", 1);
            }
            try (MqttRecorder publisher = MqttRecorder.connect(mqtt.uri(), "publisher")) {
                publisher.publish("fleet/site-a/dev-2/event", "queued", 1);
            }

            // When the broker restarts on the same port and data directory
            mqtt.stop();
            assertFalse(mqtt.isRunning());
            long restartCalled = System.nanoTime();
            mqtt.start();
            LOG.info("EmbeddedMqtt: restart start() {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartCalled));

            // Then the session resumes and receives the queued message
            try (MqttRecorder subscriber = MqttRecorder.connectPersistent(mqtt.uri(), "persistent-sub", false)) {
                MqttRecorder.Received received = subscriber.next(WAIT);
                assertEquals("queued", received.text());
            }
        }
        assertTrue(Files.isDirectory(data.resolve("data")), "a given data directory is kept on close");
    }

    @Test
    void admitsOnlyTheNamedClientUntilItAdmitsAll() throws Exception {
        try (EmbeddedMqtt mqtt = EmbeddedMqtt.builder().admitOnly("gateway").build().start()) {
            // Given a broker that admits only the gateway: a device is refused with "server unavailable"
            assertFalse(mqtt.admitsAll());
            MqttException refused = assertThrows(MqttException.class, () -> MqttRecorder.connect(mqtt.uri(), "device"));
            assertEquals(0x88, refused.getReasonCode(), refused.toString());

            try (MqttRecorder gateway = MqttRecorder.connectPersistent(mqtt.uri(), "gateway", true)) {
                gateway.subscribe("fleet/+/+/+", 1);

                // When the broker admits all, once the gateway is subscribed
                mqtt.admitAll();

                // Then the device connects and what it publishes reaches the gateway
                try (MqttRecorder device = MqttRecorder.connect(mqtt.uri(), "device")) {
                    device.publish("fleet/site-a/dev-3/telemetry", "{\"ts\":1}", 1);
                }
                assertEquals("{\"ts\":1}", gateway.next(WAIT).text());
                assertTrue(mqtt.admitsAll());
            }
        }
    }

    @Test
    void announcesAReceiveMaximumThatLetsAPublisherKeepManyMessagesInFlight() throws Exception {
        try (EmbeddedMqtt mqtt = EmbeddedMqtt.builder().build().start()) {
            MqttAsyncClient client = new MqttAsyncClient(mqtt.uri(), "receive-maximum", new MemoryPersistence());
            try {
                IMqttToken connected = client.connect(new MqttConnectionOptions());
                connected.waitForCompletion(WAIT.toMillis());
                assertEquals(EmbeddedMqtt.SERVER_RECEIVE_MAXIMUM,
                        connected.getResponseProperties().getReceiveMaximum());
                client.disconnect().waitForCompletion(WAIT.toMillis());
            } finally {
                client.close();
            }
        }
    }

    @Test
    void doesNotDiscardABurstForASubscriberThatIsOffline() throws Exception {
        int burst = 5_000;
        try (EmbeddedMqtt mqtt = EmbeddedMqtt.builder().build().start()) {
            // Given an offline persistent subscriber (HiveMQ's default queue would keep only 1000 of these)
            try (MqttRecorder subscriber = MqttRecorder.connectPersistent(mqtt.uri(), "lagging", true)) {
                subscriber.subscribe("burst", 1);
            }
            // When a burst is published
            try (MqttRecorder publisher = MqttRecorder.connect(mqtt.uri(), "burster")) {
                for (int i = 0; i < burst; i++) {
                    publisher.publish("burst", Integer.toString(i), 1);
                }
            }
            // Then all of it is delivered when the subscriber comes back
            try (MqttRecorder subscriber = MqttRecorder.connectPersistent(mqtt.uri(), "lagging", false)) {
                assertEquals(burst, subscriber.next(burst, Duration.ofSeconds(60)).size());
            }
        }
    }
}
