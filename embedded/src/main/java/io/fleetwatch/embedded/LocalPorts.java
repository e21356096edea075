package io.fleetwatch.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Local TCP ports and directories for the embedded brokers: picks a free port on a bind address, waits with a
 * deadline until a port accepts connections, and deletes temporary directories.
 */
final class LocalPorts {

    private static final Duration POLL_INTERVAL = Duration.ofMillis(50);

    private LocalPorts() {
    }

    /** A port that was free on {@code host} a moment ago (the OS may hand it out again; bind soon). */
    static int free(String host) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free TCP port on " + host, e);
        }
    }

    /** Whether a TCP connection to {@code host:port} succeeds right now. */
    static boolean accepts(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Waits until {@code host:port} accepts TCP connections.
     *
     * @return whether it did before {@code deadlineNanos} (a {@link System#nanoTime()} value)
     */
    static boolean awaitAccepting(String host, int port, long deadlineNanos) throws InterruptedException {
        while (true) {
            if (accepts(host, port)) {
                return true;
            }
            if (System.nanoTime() - deadlineNanos >= 0) {
                return false;
            }
            Thread.sleep(POLL_INTERVAL.toMillis());
        }
    }

    /** Deletes a directory tree; failures are reported, not thrown, because this runs on close. */
    static void deleteRecursively(Path root, org.slf4j.Logger log) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    log.warn("Cannot delete {}: {}", path, e.toString());
                }
            });
        } catch (IOException e) {
            log.warn("Cannot delete directory {}: {}", root, e.toString());
        }
    }
}
