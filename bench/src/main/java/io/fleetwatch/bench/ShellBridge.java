package io.fleetwatch.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The baseline bridge, as commonly deployed: {@code mosquitto_sub -t 'fleet/#' -q 1 -F '%t %p' | kcat -P -K ' '}
 * (the MQTT topic becomes the record key, the payload the value). {@code mosquitto_sub} acknowledges each message as
 * soon as it printed it, whether or not kcat got it into Kafka.
 */
final class ShellBridge implements AutoCloseable {
  private final List<Process> pipeline;

  private ShellBridge(List<Process> pipeline) {
    this.pipeline = pipeline;
  }

  /** The command line, for the report. */
  static String describe(String topic) {
    return "mosquitto_sub -t 'fleet/#' -q 1 -F '%t %p' | kcat -P -b <kafka> -t " + topic + " -K ' '";
  }

  static ShellBridge start(Path mosquittoSub, Path kcat, int mqttPort, String clientId, String bootstrapServers,
      String topic, Path errors) throws IOException {
    ProcessBuilder sub = new ProcessBuilder(mosquittoSub.toString(), "-h", "127.0.0.1", "-p", Integer.toString(mqttPort),
        "-i", clientId, "-t", "fleet/#", "-q", "1", "-F", "%t %p")
        .redirectError(ProcessBuilder.Redirect.appendTo(errors.toFile()));
    ProcessBuilder cat = new ProcessBuilder(kcat.toString(), "-P", "-b", bootstrapServers, "-t", topic, "-K", " ")
        .redirectOutput(ProcessBuilder.Redirect.to(new File("/dev/null")))
        .redirectError(ProcessBuilder.Redirect.appendTo(errors.toFile()));
    return new ShellBridge(ProcessBuilder.startPipeline(List.of(sub, cat)));
  }

  /** Stops mosquitto_sub; kcat then reads the end of its input, flushes to Kafka and exits. */
  @Override
  public void close() {
    if (!pipeline.get(0).isAlive() && !pipeline.get(1).isAlive()) {
      return;
    }
    try {
      pipeline.get(0).destroy();
      pipeline.get(0).waitFor(10, TimeUnit.SECONDS);
      if (!pipeline.get(1).waitFor(30, TimeUnit.SECONDS)) {
        pipeline.get(1).destroy();
        pipeline.get(1).waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      pipeline.forEach(Process::destroyForcibly);
    }
  }
}
