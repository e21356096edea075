package io.fleetwatch.app.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/** Loopback TCP ports for tests: a free port, and waiting with a deadline until a port accepts connections. */
public final class Ports {

    /** The address every test broker binds to. */
    public static final String LOOPBACK = "127.0.0.1";

    private Ports() {
    }

    /** A port free on 127.0.0.1 a moment ago; bind it soon. */
    public static int free() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free TCP port on " + LOOPBACK, e);
        }
    }

    /** Whether a TCP connection to 127.0.0.1:{@code port} succeeds right now. */
    public static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(LOOPBACK, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Polls until 127.0.0.1:{@code port} accepts connections or {@code timeout} passes.
     *
     * @return whether it accepted in time
     */
    public static boolean awaitAccepting(int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!accepts(port)) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(25);
        }
        return true;
    }
}
