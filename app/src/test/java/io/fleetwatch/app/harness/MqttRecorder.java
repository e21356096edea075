package io.fleetwatch.app.harness;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * An MQTT 5 test client (Eclipse Paho) that records every message it receives, so tests can publish and then
 * wait with a deadline for what arrived. One client both publishes and subscribes; use two for cross-client tests.
 */
public final class MqttRecorder implements AutoCloseable {

    /** One received message. */
    public record Received(String topic, byte[] payload, int qos, boolean duplicate) {
        /** The payload as UTF-8 text. */
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private static final long PUBLISH_RETRY_MILLIS = 5_000;

    private final MqttClient client;
    private final MqttConnectionOptions options;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

    private MqttRecorder(String serverUri, String clientId, boolean cleanStart, long sessionExpirySeconds)
            throws MqttException {
        client = new MqttClient(serverUri, clientId, new MemoryPersistence());
        options = new MqttConnectionOptions();
        options.setCleanStart(cleanStart);
        options.setSessionExpiryInterval(sessionExpirySeconds);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout(10);
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
                // Tests see the disconnect through failing publishes or missing messages.
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
                // Same: surfaced to the test by what does not arrive.
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                received.add(new Received(topic, message.getPayload(), message.getQos(), message.isDuplicate()));
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
                // Publishes are synchronous (MqttClient), nothing to track.
            }

            @Override
            public void connectComplete(boolean reconnect, String serverUri) {
                // Not needed.
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
                // No enhanced authentication in tests.
            }
        });
        client.connect(options);
    }

    /** Connects a client with a clean, non-persistent session. */
    public static MqttRecorder connect(String serverUri, String clientId) throws MqttException {
        return new MqttRecorder(serverUri, clientId, true, 0);
    }

    /** Connects a client whose session (subscriptions, queued QoS 1 messages) outlives disconnects for an hour. */
    public static MqttRecorder connectPersistent(String serverUri, String clientId, boolean cleanStart)
            throws MqttException {
        return new MqttRecorder(serverUri, clientId, cleanStart, 3600);
    }

    /** Subscribes (blocking until SUBACK). */
    public MqttRecorder subscribe(String topicFilter, int qos) throws MqttException {
        client.subscribe(topicFilter, qos);
        return this;
    }

    /**
     * Publishes and, for QoS 1, blocks until the broker's PUBACK.
     *
     * <p>Paho 1.2.5 completes a publish token before it frees the in-flight slot, so back-to-back synchronous
     * publishes can fail with "too many publishes in progress" (32202) although nothing is in flight; such a
     * publish is retried until the slot is free, for at most {@value #PUBLISH_RETRY_MILLIS} ms.
     */
    public void publish(String topic, String payload, int qos) throws MqttException {
        MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        message.setQos(qos);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PUBLISH_RETRY_MILLIS);
        while (true) {
            try {
                client.publish(topic, message);
                return;
            } catch (MqttException e) {
                if (e.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT || System.nanoTime() - deadline >= 0) {
                    throw e;
                }
                Thread.onSpinWait();
            }
        }
    }

    /** Reconnects after the broker went away, with the same session settings. */
    public void reconnect() throws MqttException {
        if (!client.isConnected()) {
            client.connect(options);
        }
    }

    /** Whether the client is connected. */
    public boolean isConnected() {
        return client.isConnected();
    }

    /**
     * Waits for the next received message.
     *
     * @throws AssertionError if none arrives within {@code timeout}
     */
    public Received next(Duration timeout) throws InterruptedException {
        Received message = received.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (message == null) {
            throw new AssertionError("no MQTT message arrived at " + client.getClientId() + " within " + timeout);
        }
        return message;
    }

    /** Waits until {@code count} messages arrived (in arrival order), failing after {@code timeout}. */
    public List<Received> next(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Received> messages = new ArrayList<>(count);
        while (messages.size() < count) {
            Received message = received.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (message == null) {
                throw new AssertionError("only " + messages.size() + " of " + count + " MQTT messages arrived at "
                        + client.getClientId() + " within " + timeout);
            }
            messages.add(message);
        }
        return messages;
    }

    /** Disconnects (if connected) and releases the client. */
    @Override
    public void close() throws MqttException {
        try {
            if (client.isConnected()) {
                client.disconnect();
            }
        } finally {
            client.close(true);
        }
    }
}
