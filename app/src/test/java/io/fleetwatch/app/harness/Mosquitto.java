package io.fleetwatch.app.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Eclipse Mosquitto broker (Debian's {@code /usr/sbin/mosquitto}) run as a child process for integration
 * tests, on 127.0.0.1 with anonymous access and no queue limit ({@code max_queued_messages 0}): the default limit
 * of 1000 silently drops QoS 1 messages when a subscriber lags.
 *
 * <p>{@link #stop()} and {@link #start()} restart it on the same port (broker-restart faults); with
 * {@link Builder#persistence(boolean)} sessions and queued messages survive the restart. The temporary folder
 * with the generated {@code mosquitto.conf}, the log and the persistence file is deleted on {@link #close()}.
 * A missing binary fails the test with the package to install; it is never skipped.
 */
public final class Mosquitto implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Mosquitto.class);
    private static final Path DEFAULT_BINARY = Path.of("/usr/sbin/mosquitto");

    private final Path binary;
    private final int port;
    private final boolean persistence;
    private final int maxInflightMessages;
    private final Duration autosaveInterval;
    private final List<String> security;
    private final Duration startTimeout;
    private final Path directory;
    private Process process;

    private Mosquitto(Builder builder) {
        this.binary = builder.binary;
        this.port = builder.port == 0 ? Ports.free() : builder.port;
        this.persistence = builder.persistence;
        this.maxInflightMessages = builder.maxInflightMessages;
        this.autosaveInterval = builder.autosaveInterval;
        this.security = builder.security;
        this.startTimeout = builder.startTimeout;
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("mosquitto binary not found at " + binary
                    + ": install it with `apt-get install -y mosquitto mosquitto-clients` (Debian/Ubuntu package"
                    + " `mosquitto`); the MQTT integration tests need a real broker");
        }
        try {
            this.directory = Files.createTempDirectory("fleetwatch-mosquitto-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a folder for mosquitto", e);
        }
    }

    /** Defaults: {@code /usr/sbin/mosquitto}, a free port, no persistence, 100 in-flight messages per client. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds and starts a broker with the defaults. */
    public static Mosquitto started() {
        return builder().build().start();
    }

    /** Starts the process and waits until the port accepts connections; does nothing if it is running. */
    public synchronized Mosquitto start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        Path config = writeConfig();
        Path log = directory.resolve("mosquitto.log");
        long startedAt = System.nanoTime();
        try {
            process = new ProcessBuilder(binary.toString(), "-c", config.toString())
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + binary, e);
        }
        try {
            long deadline = startedAt + startTimeout.toNanos();
            while (!Ports.accepts(port)) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("mosquitto exited with code " + process.exitValue()
                            + " before listening on port " + port + "; log:\n" + readLog());
                }
                if (System.nanoTime() - deadline >= 0) {
                    process.destroyForcibly();
                    throw new IllegalStateException("mosquitto did not listen on port " + port + " within "
                            + startTimeout + "; log:\n" + readLog());
                }
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted while starting mosquitto", e);
        }
        LOG.info("mosquitto (pid {}) listening on {} after {} ms", process.pid(), uri(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt));
        return this;
    }

    /** Stops the process (SIGTERM, so persistence is saved; SIGKILL after 10 s). The port stays reserved for us. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        Process stopping = process;
        process = null;
        stopping.destroy();
        try {
            if (!stopping.waitFor(10, TimeUnit.SECONDS)) {
                LOG.warn("mosquitto (pid {}) ignored SIGTERM for 10 s; killing it", stopping.pid());
                stopping.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping.destroyForcibly();
        }
        LOG.info("mosquitto on {} stopped", uri());
    }

    /** Kills the process without letting it save state, like a crash. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        Process killing = process;
        process = null;
        try {
            killing.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("mosquitto on {} killed (SIGKILL)", uri());
    }

    /** Stops the broker and deletes its folder. */
    @Override
    public synchronized void close() {
        stop();
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            LOG.warn("Cannot delete {}: {}", directory, e.toString());
        }
    }

    /** {@code tcp://127.0.0.1:port}, stable across restarts. */
    public String uri() {
        return "tcp://" + Ports.LOOPBACK + ":" + port;
    }

    /** The listener port. */
    public int port() {
        return port;
    }

    /** The persistence file (it exists once the broker saved), e.g. for the time of the last autosave. */
    public Path persistenceFile() {
        return directory.resolve("mosquitto.db");
    }

    /** Whether the process is running. */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The broker's log so far (for failure messages). */
    public String readLog() {
        try {
            Path log = directory.resolve("mosquitto.log");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read the mosquitto log: " + e + ")";
        }
    }

    private Path writeConfig() {
        List<String> lines = new ArrayList<>(List.of(
                "listener " + port + " " + Ports.LOOPBACK));
        // Listener options (TLS files) must follow the listener line; the default is an open test broker.
        lines.addAll(security.isEmpty() ? List.of("allow_anonymous true") : security);
        lines.addAll(List.of(
                // 0 = no limit: the default (1000) drops QoS 1 messages for a lagging subscriber.
                "max_queued_messages 0",
                "max_queued_bytes 0",
                "max_inflight_messages " + maxInflightMessages,
                // When started as root mosquitto would switch to the `mosquitto` user and lose access to our folder.
                "user " + System.getProperty("user.name"),
                "log_dest stderr",
                "log_type error",
                "log_type warning",
                "log_type notice",
                "persistence " + persistence));
        if (persistence) {
            lines.add("persistence_location " + directory + "/");
            lines.add("persistence_file mosquitto.db");
            if (autosaveInterval != null) {
                lines.add("autosave_interval " + autosaveInterval.toSeconds());
                lines.add("autosave_on_changes false");
            }
        }
        Path config = directory.resolve("mosquitto.conf");
        try {
            Files.write(config, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + config, e);
        }
        return config;
    }

    /** Options of a {@link Mosquitto}. */
    public static final class Builder {
        private Path binary = DEFAULT_BINARY;
        private int port;
        private boolean persistence;
        private int maxInflightMessages = 100;
        private Duration autosaveInterval;
        private Duration startTimeout = Duration.ofSeconds(20);
        private List<String> security = List.of();

        private Builder() {
        }

        /** The mosquitto executable; default {@code /usr/sbin/mosquitto}. */
        public Builder binary(Path binary) {
            this.binary = binary;
            return this;
        }

        /** Listener port; 0, the default, picks a free one at {@link #build()}. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Whether sessions and queued messages survive {@link Mosquitto#stop()} / {@link Mosquitto#start()}. */
        public Builder persistence(boolean persistence) {
            this.persistence = persistence;
            return this;
        }

        /** QoS 1/2 messages in flight per client; default 100. */
        public Builder maxInflightMessages(int maxInflightMessages) {
            this.maxInflightMessages = maxInflightMessages;
            return this;
        }

        /**
         * With persistence, how often the broker writes its in-memory state (sessions, queued messages) to the
         * persistence file ({@code autosave_interval}, whole seconds, time-based); default mosquitto's own, 1800 s.
         * It also saves on a clean stop, but a {@link Mosquitto#kill()} loses what changed since the last save.
         */
        public Builder autosaveInterval(Duration autosaveInterval) {
            if (autosaveInterval.toSeconds() < 1) {
                throw new IllegalArgumentException("autosaveInterval must be at least 1 s: " + autosaveInterval);
            }
            this.autosaveInterval = autosaveInterval;
            return this;
        }

        /**
         * Listener security lines instead of {@code allow_anonymous true}, e.g. {@code cafile}, {@code certfile},
         * {@code keyfile}, {@code require_certificate}, {@code password_file}, {@code allow_anonymous false}.
         */
        public Builder security(List<String> lines) {
            this.security = List.copyOf(lines);
            return this;
        }

        /** Deadline for {@link Mosquitto#start()}; default 20 s. */
        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = startTimeout;
            return this;
        }

        /** Checks the binary and picks the port; the process starts with {@link Mosquitto#start()}. */
        public Mosquitto build() {
            return new Mosquitto(this);
        }
    }
}
