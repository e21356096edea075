package io.fleetwatch.bench;

import io.fleetwatch.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The hidden commands the benches start as child processes for the production shape: each prints
 * {@value #READY} on its standard output once it serves, and stops cleanly on SIGTERM.
 */
final class BenchChildCommands {
  static final String READY = "fleetwatch-bench-child-ready";

  private BenchChildCommands() {
  }

  /** Blocks until the JVM is asked to stop, then runs {@code close}. */
  private static void serveUntilStopped(AutoCloseable resource) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stopped.countDown();
      try {
        closed.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "bench-child-stop"));
    System.out.println(READY);
    System.out.flush();
    stopped.await();
    try {
      resource.close();
    } catch (Exception e) {
      System.err.println("close failed: " + e);
    } finally {
      closed.countDown();
    }
  }

  /** {@code fleetwatch bench kafka-broker}: the single-node KRaft broker of the benches in its own JVM. */
  @Command(name = "kafka-broker", hidden = true, mixinStandardHelpOptions = true,
      description = "Single-node Kafka (KRaft) on 127.0.0.1 for the production-shape benches (internal).")
  static final class KafkaBroker implements Callable<Integer> {
    @Option(names = "--port", required = true, description = "Client port.")
    int port;

    @Option(names = "--data-dir", required = true, description = "Log directory.")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
      EmbeddedKafka kafka = EmbeddedKafka.builder().host("127.0.0.1").port(port).dataDirectory(dataDir).build().start();
      serveUntilStopped(kafka);
      return 0;
    }
  }

  /** {@code fleetwatch bench floor-streams}: {@link FloorStreams} in its own JVM. */
  @Command(name = "floor-streams", hidden = true, mixinStandardHelpOptions = true,
      description = "The benches' pass-through floor topology for the production shape (internal).")
  static final class Floor implements Callable<Integer> {
    @Option(names = "--bootstrap", required = true, description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--topic-prefix", defaultValue = "fleet.", description = "Topic prefix.")
    String topicPrefix;

    @Option(names = "--inputs", required = true, split = ",", description = "Input topics.")
    List<String> inputs;

    @Option(names = "--output", required = true, description = "Output topic.")
    String output;

    @Option(names = "--state-dir", required = true, description = "State directory.")
    Path stateDir;

    @Option(names = "--offset-reset", defaultValue = "latest", description = "earliest or latest.")
    String offsetReset;

    @Option(names = "--commit-interval", defaultValue = "PT0.1S", description = "Exactly-once commit interval.")
    Duration commitInterval;

    @Override
    public Integer call() throws Exception {
      FloorStreams floor = new FloorStreams(FloorStreams.APPLICATION_ID, bootstrap, topicPrefix, inputs, output,
          stateDir, offsetReset, commitInterval);
      floor.start();
      floor.awaitRunning(Duration.ofMinutes(2));
      serveUntilStopped(floor);
      return 0;
    }
  }
}
