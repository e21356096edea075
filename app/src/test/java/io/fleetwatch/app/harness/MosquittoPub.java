package io.fleetwatch.app.harness;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Publishes with Debian's {@code mosquitto_pub}: a client independent of the code under test. Fails with a clear
 * message when the {@code mosquitto-clients} package is missing.
 */
public final class MosquittoPub {
  private static final Path BINARY = Path.of("/usr/bin/mosquitto_pub");

  private MosquittoPub() {}

  /** Publishes {@code payload} once at QoS 1 and waits for the client to exit successfully. */
  public static void publish(String brokerUri, String topic, byte[] payload) throws IOException, InterruptedException {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(BINARY + " not found: apt-get install -y mosquitto-clients");
    }
    URI uri = URI.create(brokerUri);
    Path file = Files.createTempFile("payload", ".bin");
    try {
      Files.write(file, payload);
      List<String> command = new ArrayList<>(List.of(BINARY.toString(), "-h", uri.getHost(),
          "-p", Integer.toString(uri.getPort()), "-V", "mqttv5", "-q", "1", "-t", topic, "-f", file.toString()));
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("mosquitto_pub did not finish within 20 s");
      }
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IllegalStateException("mosquitto_pub exited " + p.exitValue() + ": " + output);
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  public static void publish(String brokerUri, String topic, String payload) throws IOException, InterruptedException {
    publish(brokerUri, topic, payload.getBytes(StandardCharsets.UTF_8));
  }
}
