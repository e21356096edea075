package io.fleetwatch.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka broker (KRaft, combined broker and controller) running inside this JVM, for the demo and
 * for tests.
 *
 * <p>The log directory is formatted once and reused afterwards, so topics and records survive {@link #stop()} /
 * {@link #start()} and a new instance on the same {@linkplain Builder#dataDirectory(Path) data directory}.
 * Ports are fixed when the instance is built (0 picks a free port then), so a restart comes back on the same
 * {@link #bootstrapServers()}: tests use that to simulate a Kafka outage. Internal topics (offsets, transaction
 * state, share-coordinator state) use replication factor 1 and min ISR 1; automatic topic creation is off.
 *
 * <p>This class drives Kafka's internal server classes ({@code KafkaRaftServer}, {@code StorageTool}); it is
 * pinned to the Kafka version of the build.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int NODE_ID = 1;
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";

    private final String host;
    private final int port;
    private final int controllerPort;
    private final Path dataDirectory;
    private final boolean ownsDataDirectory;
    private final Duration startTimeout;
    private final Map<String, String> overrides;

    private KafkaRaftServer server;
    private boolean closed;

    private EmbeddedKafka(Builder builder) {
        this.host = builder.host;
        this.port = builder.port == 0 ? LocalPorts.free(builder.host) : builder.port;
        int requestedControllerPort = builder.controllerPort == 0 ? LocalPorts.free(builder.host) : builder.controllerPort;
        while (requestedControllerPort == this.port) {
            requestedControllerPort = LocalPorts.free(builder.host);
        }
        this.controllerPort = requestedControllerPort;
        this.startTimeout = builder.startTimeout;
        this.overrides = Map.copyOf(builder.overrides);
        try {
            if (builder.dataDirectory == null) {
                this.dataDirectory = Files.createTempDirectory("fleetwatch-kafka-");
                this.ownsDataDirectory = true;
            } else {
                this.dataDirectory = Files.createDirectories(builder.dataDirectory.toAbsolutePath());
                this.ownsDataDirectory = false;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Kafka data directory", e);
        }
    }

    /** A builder with the defaults: 127.0.0.1, free ports, a temporary data directory, 60 s start deadline. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Formats the data directory if it has never been formatted, starts the broker and waits until it answers an
     * Admin {@code describeCluster} with itself. Does nothing when already running.
     *
     * @throws IllegalStateException if the broker does not start or does not answer before the start deadline
     */
    public synchronized EmbeddedKafka start() {
        if (closed) {
            throw new IllegalStateException("EmbeddedKafka is closed");
        }
        if (server != null) {
            return this;
        }
        long startedAt = System.nanoTime();
        long deadline = startedAt + startTimeout.toNanos();
        Properties properties = brokerProperties();
        formatIfNeeded(properties);
        KafkaRaftServer candidate = new KafkaRaftServer(KafkaConfig.fromProps(properties), Time.SYSTEM);
        try {
            candidate.startup();
        } catch (RuntimeException e) {
            shutDown(candidate);
            throw new IllegalStateException("Kafka broker failed to start on " + bootstrapServers()
                    + " (controller port " + controllerPort + ", data " + dataDirectory + "): " + e.getMessage(), e);
        }
        server = candidate;
        try {
            awaitClusterAnswers(deadline);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
        LOG.info("Kafka broker ready on {} in {} ms (data {})", bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt), dataDirectory);
        return this;
    }

    /** Shuts the broker down and waits for it; the data directory and ports are kept for a later {@link #start()}. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        long stoppingAt = System.nanoTime();
        KafkaRaftServer stopping = server;
        server = null;
        shutDown(stopping);
        LOG.info("Kafka broker on {} stopped in {} ms", bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppingAt));
    }

    /** Stops the broker and deletes the data directory if this instance created it. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        stop();
        closed = true;
        if (ownsDataDirectory) {
            LocalPorts.deleteRecursively(dataDirectory, LOG);
        }
    }

    /** {@code host:port} of the PLAINTEXT listener, stable across restarts. */
    public String bootstrapServers() {
        return host + ":" + port;
    }

    /** The PLAINTEXT (client) port. */
    public int port() {
        return port;
    }

    /** The KRaft controller port. */
    public int controllerPort() {
        return controllerPort;
    }

    /** The log directory (also the KRaft metadata directory). */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /** Whether the broker is currently started. */
    public synchronized boolean isRunning() {
        return server != null;
    }

    private Properties brokerProperties() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("process.roles", "broker,controller");
        config.put("node.id", Integer.toString(NODE_ID));
        config.put("controller.quorum.voters", NODE_ID + "@" + host + ":" + controllerPort);
        config.put("listeners", BROKER_LISTENER + "://" + host + ":" + port + ","
                + CONTROLLER_LISTENER + "://" + host + ":" + controllerPort);
        config.put("advertised.listeners", BROKER_LISTENER + "://" + host + ":" + port);
        config.put("controller.listener.names", CONTROLLER_LISTENER);
        config.put("inter.broker.listener.name", BROKER_LISTENER);
        config.put("listener.security.protocol.map",
                BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        config.put("log.dirs", dataDirectory.toString());
        config.put("auto.create.topics.enable", "false");
        config.put("num.partitions", "1");
        config.put("default.replication.factor", "1");
        config.put("offsets.topic.replication.factor", "1");
        config.put("offsets.topic.num.partitions", "10");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("transaction.state.log.num.partitions", "10");
        config.put("share.coordinator.state.topic.replication.factor", "1");
        config.put("share.coordinator.state.topic.min.isr", "1");
        config.put("share.coordinator.state.topic.num.partitions", "10");
        config.put("group.initial.rebalance.delay.ms", "0");
        // Transactions v2: the first produce of a transaction to a partition makes the partition leader add it to
        // the transaction, and the coordinator answers CONCURRENT_TRANSACTIONS while the markers of the producer's
        // previous transaction are still being written. The broker retries that itself, every
        // add.partitions.to.txn.retry.backoff.ms (default 20) for at most add.partitions.to.txn.retry.backoff.max.ms
        // (default 100), then hands the error to the producer, which backs off retry.backoff.ms (100, growing) and
        // gets OUT_OF_ORDER_SEQUENCE_NUMBER for the batches it had in flight behind it. Right after start the
        // markers often take longer than 100 ms, so the stream thread's first commits stalled for hundreds of ms.
        // Retrying on the broker every 5 ms for up to 2 s keeps the wait as short as the markers take; the cost is
        // a few more in-process coordinator calls while a commit completes.
        config.put("add.partitions.to.txn.retry.backoff.ms", "5");
        config.put("add.partitions.to.txn.retry.backoff.max.ms", "2000");
        // One broker serves the demo; the default 128 MiB cleaner buffer would be most of a small heap.
        config.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
        config.putAll(overrides);
        Properties properties = new Properties();
        properties.putAll(config);
        return properties;
    }

    private void formatIfNeeded(Properties properties) {
        if (Files.exists(dataDirectory.resolve("meta.properties"))) {
            LOG.debug("Reusing formatted Kafka data directory {}", dataDirectory);
            return;
        }
        String clusterId = Uuid.randomUuid().toString();
        Path propertiesFile = null;
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try {
            propertiesFile = Files.createTempFile("fleetwatch-kafka-format-", ".properties");
            try (OutputStream out = Files.newOutputStream(propertiesFile)) {
                properties.store(out, "fleetwatch embedded Kafka");
            }
            int exitCode;
            try (PrintStream printer = new PrintStream(output, true, StandardCharsets.UTF_8)) {
                exitCode = StorageTool.execute(
                        new String[] {"format", "-t", clusterId, "-c", propertiesFile.toString()}, printer);
            }
            String printed = output.toString(StandardCharsets.UTF_8).strip();
            if (exitCode != 0) {
                throw new IllegalStateException("formatting the Kafka data directory " + dataDirectory
                        + " failed with exit code " + exitCode + ": " + printed);
            }
            LOG.info("Formatted Kafka data directory {} for cluster {}", dataDirectory, clusterId);
            LOG.debug("StorageTool: {}", printed);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot format the Kafka data directory " + dataDirectory, e);
        } catch (RuntimeException e) {
            if (e instanceof IllegalStateException) {
                throw e;
            }
            throw new IllegalStateException("formatting the Kafka data directory " + dataDirectory + " failed: "
                    + e.getMessage() + " " + output.toString(StandardCharsets.UTF_8).strip(), e);
        } finally {
            if (propertiesFile != null) {
                try {
                    Files.deleteIfExists(propertiesFile);
                } catch (IOException e) {
                    LOG.warn("Cannot delete {}: {}", propertiesFile, e.toString());
                }
            }
        }
    }

    private void awaitClusterAnswers(long deadline) {
        Map<String, Object> adminConfig = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000,
                AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 50,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        Throwable lastFailure = null;
        try (Admin admin = Admin.create(adminConfig)) {
            while (System.nanoTime() - deadline < 0) {
                try {
                    Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(2_000))
                            .nodes().get(2, TimeUnit.SECONDS);
                    if (!nodes.isEmpty()) {
                        return;
                    }
                } catch (ExecutionException e) {
                    lastFailure = e.getCause();
                } catch (TimeoutException e) {
                    lastFailure = e;
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the Kafka broker on " + bootstrapServers(), e);
        }
        throw new IllegalStateException("Kafka broker on " + bootstrapServers() + " did not answer describeCluster within "
                + startTimeout + (lastFailure == null ? "" : "; last failure: " + lastFailure), lastFailure);
    }

    private static void shutDown(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Kafka broker shutdown failed: {}", e.toString(), e);
        }
    }

    /** Options of an {@link EmbeddedKafka}; every option has a default. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private int controllerPort;
        private Path dataDirectory;
        private Duration startTimeout = Duration.ofSeconds(60);
        private final Map<String, String> overrides = new LinkedHashMap<>();

        private Builder() {
        }

        /** Address both listeners bind to and the broker advertises; default 127.0.0.1. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** Client (PLAINTEXT) port; 0, the default, picks a free port once, at {@link #build()}. */
        public Builder port(int port) {
            this.port = checkPort(port, "port");
            return this;
        }

        /** KRaft controller port; 0, the default, picks a free port once, at {@link #build()}. */
        public Builder controllerPort(int controllerPort) {
            this.controllerPort = checkPort(controllerPort, "controllerPort");
            return this;
        }

        /**
         * Persistent log directory: formatted on first use, reused afterwards and kept on close. Without one, a
         * temporary directory is used and deleted on {@link EmbeddedKafka#close()}.
         */
        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = dataDirectory;
            return this;
        }

        /** How long {@link EmbeddedKafka#start()} may take before it fails; default 60 s. */
        public Builder startTimeout(Duration startTimeout) {
            if (startTimeout.isNegative() || startTimeout.isZero()) {
                throw new IllegalArgumentException("startTimeout must be positive: " + startTimeout);
            }
            this.startTimeout = startTimeout;
            return this;
        }

        /** Sets or overrides one broker configuration property (applied last). */
        public Builder brokerProperty(String key, String value) {
            overrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Creates the instance (ports fixed, data directory created); call {@link EmbeddedKafka#start()} next. */
        public EmbeddedKafka build() {
            return new EmbeddedKafka(this);
        }

        private static int checkPort(int port, String name) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException(name + " must be 0..65535: " + port);
            }
            return port;
        }
    }
}
