package io.fleetwatch.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import com.hivemq.configuration.service.InternalConfigurations;
import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An MQTT 5 broker (HiveMQ Community Edition, embedded) running inside this JVM for the demo and for tests,
 * listening on one TCP address without TLS and accepting anonymous clients.
 *
 * <p>The broker's message queue limit is lifted deliberately ({@link Builder#maxQueuedMessages(long)}, default
 * unbounded): HiveMQ's default of 1000 silently discards QoS 1 messages when a subscriber lags. With a
 * {@linkplain Builder#dataDirectory(Path) data directory} sessions and queued messages are persisted there (file
 * persistence) and survive a restart; without one the broker keeps them in memory (several times cheaper per message:
 * no single-writer persistence threads, no Xodus or RocksDB) and uses a temporary folder deleted on close.
 *
 * <p>Throughput settings (HiveMQ's defaults suit many small clients, not one gateway draining a whole fleet): the
 * server Receive Maximum announced in CONNACK is {@value #SERVER_RECEIVE_MAXIMUM} (HiveMQ: 10 unacknowledged QoS 1
 * messages per publisher), and a subscriber gets up to {@value #INFLIGHT_WINDOW} messages in flight, polled from its
 * queue in batches of as many (HiveMQ: 50, which held one persistent subscriber to about 1,000 msgs/s here). Both are
 * still capped by the Receive Maximum the subscriber announces (the gateway's {@code mqtt.receive.maximum}).
 *
 * <p>Admission: a broker built with {@link Builder#admitOnly(String) admitOnly(clientId)} refuses every other client
 * (CONNACK "server unavailable") until {@link #admitAll()}, so no device can publish, and have a message acknowledged,
 * before the subscriber that must receive it has its persistent session and subscription.
 *
 * <p>HiveMQ's own logging bootstrap is disabled so it logs through the application's SLF4J/logback configuration
 * instead of replacing it.
 */
public final class EmbeddedMqtt implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMqtt.class);
    /**
     * Receive Maximum announced to clients: QoS 1 messages a publisher may have unacknowledged. 100 rather than
     * HiveMQ's 10 costs less CPU per message; 1000 flooded the subscriber's queue (lower throughput end to end).
     */
    public static final int SERVER_RECEIVE_MAXIMUM = 100;
    /** Messages in flight to one subscriber, and the batch polled from its queue at once. */
    static final int INFLIGHT_WINDOW = 1000;

    private final String host;
    private final int port;
    private final Path root;
    private final boolean ownsRoot;
    private final boolean persistent;
    private final long maxQueuedMessages;
    private final Duration startTimeout;
    private final String admitFirst;
    private final AtomicBoolean admitsAll;

    private EmbeddedHiveMQ broker;
    private boolean closed;

    private EmbeddedMqtt(Builder builder) {
        this.host = builder.host;
        this.port = builder.port == 0 ? LocalPorts.free(builder.host) : builder.port;
        this.maxQueuedMessages = builder.maxQueuedMessages;
        this.startTimeout = builder.startTimeout;
        this.admitFirst = builder.admitFirst;
        this.admitsAll = new AtomicBoolean(builder.admitFirst == null);
        this.persistent = builder.dataDirectory != null;
        try {
            if (persistent) {
                this.root = Files.createDirectories(builder.dataDirectory.toAbsolutePath());
                this.ownsRoot = false;
            } else {
                this.root = Files.createTempDirectory("fleetwatch-mqtt-");
                this.ownsRoot = true;
            }
            Files.createDirectories(root.resolve("conf"));
            Files.createDirectories(root.resolve("data"));
            Files.createDirectories(root.resolve("extensions"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the MQTT broker folders", e);
        }
    }

    /** A builder with the defaults: 127.0.0.1, a free port, in-memory persistence, no queue limit, all admitted. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Writes the broker configuration, starts the broker and waits until its port accepts connections. Does
     * nothing when already running.
     *
     * @throws IllegalStateException if the broker does not start or does not listen before the start deadline
     */
    public synchronized EmbeddedMqtt start() {
        if (closed) {
            throw new IllegalStateException("EmbeddedMqtt is closed");
        }
        if (broker != null) {
            return this;
        }
        long startedAt = System.nanoTime();
        long deadline = startedAt + startTimeout.toNanos();
        writeConfiguration();
        // Process-wide HiveMQ settings with no configuration file element; read while the broker runs.
        InternalConfigurations.MAX_INFLIGHT_WINDOW_SIZE_MESSAGES = INFLIGHT_WINDOW;
        InternalConfigurations.PUBLISH_POLL_BATCH_SIZE = INFLIGHT_WINDOW;
        EmbeddedHiveMQ candidate = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(root.resolve("conf"))
                .withDataFolder(root.resolve("data"))
                .withExtensionsFolder(root.resolve("extensions"))
                .withEmbeddedExtension(admissionExtension())
                .withoutLoggingBootstrap()
                .build();
        try {
            candidate.start().get(startTimeout.toNanos(), TimeUnit.NANOSECONDS);
            if (!LocalPorts.awaitAccepting(host, port, deadline)) {
                throw new IllegalStateException("MQTT broker started but " + host + ":" + port
                        + " does not accept connections within " + startTimeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(candidate);
            throw new IllegalStateException("interrupted while starting the MQTT broker on " + uri(), e);
        } catch (ExecutionException e) {
            closeQuietly(candidate);
            throw new IllegalStateException("MQTT broker failed to start on " + uri() + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            closeQuietly(candidate);
            throw new IllegalStateException("MQTT broker did not start on " + uri() + " within " + startTimeout, e);
        } catch (RuntimeException e) {
            closeQuietly(candidate);
            throw e;
        }
        broker = candidate;
        LOG.info("MQTT broker ready on {} in {} ms ({})", uri(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt),
                persistent ? "persistent in " + root : "in-memory");
        return this;
    }

    /** Stops the broker; with a data directory, sessions and queued messages are kept for the next start. */
    public synchronized void stop() {
        if (broker == null) {
            return;
        }
        long stoppingAt = System.nanoTime();
        EmbeddedHiveMQ stopping = broker;
        broker = null;
        closeQuietly(stopping);
        LOG.info("MQTT broker on {} stopped in {} ms", uri(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppingAt));
    }

    /** Stops the broker and deletes its folders if this instance created them. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        stop();
        closed = true;
        if (ownsRoot) {
            LocalPorts.deleteRecursively(root, LOG);
        }
    }

    /** {@code tcp://host:port}, stable across restarts. */
    public String uri() {
        return "tcp://" + host + ":" + port;
    }

    /** The TCP listener's port. */
    public int port() {
        return port;
    }

    /** The bind address. */
    public String host() {
        return host;
    }

    /**
     * Admits every client from now on (a broker built without {@link Builder#admitOnly(String)} always does). Call
     * once the client named there has its session and subscriptions: from then on devices may publish.
     */
    public void admitAll() {
        if (!admitsAll.getAndSet(true)) {
            LOG.info("MQTT broker on {} admits every client now ({} is subscribed)", uri(), admitFirst);
        }
    }

    /** Whether every client may connect (false while only the {@link Builder#admitOnly(String)} client may). */
    public boolean admitsAll() {
        return admitsAll.get();
    }

    /** Whether the broker is currently started. */
    public synchronized boolean isRunning() {
        return broker != null;
    }

    private void writeConfiguration() {
        String config = """
                <?xml version="1.0"?>
                <hivemq>
                    <listeners>
                        <tcp-listener>
                            <port>%d</port>
                            <bind-address>%s</bind-address>
                        </tcp-listener>
                    </listeners>
                    <mqtt>
                        <receive-maximum>
                            <server-receive-maximum>%d</server-receive-maximum>
                        </receive-maximum>
                        <queued-messages>
                            <max-queue-size>%d</max-queue-size>
                            <strategy>discard</strategy>
                        </queued-messages>
                    </mqtt>
                    <persistence>
                        <mode>%s</mode>
                    </persistence>
                    <anonymous-usage-statistics>
                        <enabled>false</enabled>
                    </anonymous-usage-statistics>
                </hivemq>
                """.formatted(port, host, SERVER_RECEIVE_MAXIMUM, maxQueuedMessages, persistent ? "file" : "in-memory");
        Path file = root.resolve("conf").resolve("config.xml");
        try {
            Files.writeString(file, config, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the MQTT broker configuration " + file, e);
        }
    }

    private EmbeddedExtension admissionExtension() {
        return EmbeddedExtension.builder()
                .withId("fleetwatch-admission")
                .withName("fleetwatch: anonymous clients, all admitted once the first subscriber is ready")
                .withVersion("1")
                .withPriority(0)
                .withStartPriority(1000)
                .withExtensionMain(new Admission(admitFirst, admitsAll))
                .build();
    }

    private static void closeQuietly(EmbeddedHiveMQ hivemq) {
        try {
            hivemq.close();
        } catch (ExecutionException e) {
            LOG.warn("MQTT broker shutdown failed: {}", e.getCause().toString(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("Interrupted while stopping the MQTT broker");
        }
    }

    /**
     * HiveMQ refuses every client when no authenticator is registered; the embedded broker accepts anonymous clients
     * (production deployments use an external broker with authentication), but until it admits all only the client
     * named first, refusing the others with "server unavailable" (devices retry).
     */
    private record Admission(String admitFirst, AtomicBoolean admitsAll) implements ExtensionMain {
        @Override
        public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
            SimpleAuthenticator authenticator = (authInput, authOutput) -> {
                if (admitsAll.get() || authInput.getConnectPacket().getClientId().equals(admitFirst)) {
                    authOutput.authenticateSuccessfully();
                } else {
                    authOutput.failAuthentication(ConnackReasonCode.SERVER_UNAVAILABLE,
                            "starting: the gateway is not subscribed yet, retry shortly");
                }
            };
            Services.securityRegistry().setAuthenticatorProvider(providerInput -> authenticator);
        }

        @Override
        public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
            // Nothing to release: the authenticator goes away with the broker.
        }
    }

    /** Options of an {@link EmbeddedMqtt}; every option has a default. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private Path dataDirectory;
        private long maxQueuedMessages = Long.MAX_VALUE;
        private String admitFirst;
        private Duration startTimeout = Duration.ofSeconds(60);

        private Builder() {
        }

        /** Bind address of the TCP listener; default 127.0.0.1. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** TCP port; 0, the default, picks a free port once, at {@link #build()}. */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be 0..65535: " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Folder for configuration, file persistence (sessions, queued and retained messages) and extensions, kept
         * on close. Without one, persistence is in memory and a temporary folder is deleted on close.
         */
        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = dataDirectory;
            return this;
        }

        /**
         * Per-client queue limit before the broker discards messages; default unbounded, so a lagging QoS 1
         * subscriber loses nothing (without a data directory the queue is in memory: the heap is then the bound).
         */
        public Builder maxQueuedMessages(long maxQueuedMessages) {
            if (maxQueuedMessages < 1) {
                throw new IllegalArgumentException("maxQueuedMessages must be positive: " + maxQueuedMessages);
            }
            this.maxQueuedMessages = maxQueuedMessages;
            return this;
        }

        /** How long {@link EmbeddedMqtt#start()} may take before it fails; default 60 s. */
        public Builder startTimeout(Duration startTimeout) {
            if (startTimeout.isNegative() || startTimeout.isZero()) {
                throw new IllegalArgumentException("startTimeout must be positive: " + startTimeout);
            }
            this.startTimeout = startTimeout;
            return this;
        }

        /**
         * Admits only the client {@code clientId} until {@link EmbeddedMqtt#admitAll()}; every other client is refused
         * with CONNACK "server unavailable" (0x88) meanwhile. Default: every client admitted from the start.
         */
        public Builder admitOnly(String clientId) {
            this.admitFirst = Objects.requireNonNull(clientId, "clientId");
            return this;
        }

        /** Creates the instance (port fixed, folders created); call {@link EmbeddedMqtt#start()} next. */
        public EmbeddedMqtt build() {
            return new EmbeddedMqtt(this);
        }
    }
}
