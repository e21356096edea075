package io.fleetwatch.bench;

import io.fleetwatch.schemas.Topics;
import io.fleetwatch.streams.StreamsAppConfig;
import io.fleetwatch.streams.StreamsConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka Streams client running {@link FloorTopology} with the streams app's own Kafka Streams settings
 * ({@link StreamsConfigFactory}: exactly-once v2, the same commit interval and producer linger), under application
 * id given (the latency bench's is {@value #APPLICATION_ID}), so the floor differs from fleetwatch only in what the topology does per record.
 */
final class FloorStreams implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FloorStreams.class);
  static final String APPLICATION_ID = "fleetwatch-floor-bench";

  private final KafkaStreams streams;
  private final LongAdder processed = new LongAdder();

  /**
   * @param offsetReset where a fresh floor app starts reading: {@code earliest} (drain pre-loaded input) or
   *     {@code latest} (only what is published from now on)
   */
  FloorStreams(String applicationId, String bootstrap, String topicPrefix, List<String> inputs, String output,
      Path stateDir, String offsetReset, Duration commitInterval) {
    StreamsAppConfig config = StreamsAppConfig.builder().bootstrapServers(bootstrap).topicPrefix(topicPrefix)
        .applicationId(applicationId).stateDir(stateDir).httpPort(0).commitInterval(commitInterval).build();
    Properties props = StreamsConfigFactory.properties(config, new Topics(topicPrefix));
    // Byte serdes cannot fail to deserialize: the floor needs no dead-letter handler.
    props.remove(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG);
    props.remove(StreamsConfig.APPLICATION_SERVER_CONFIG);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), offsetReset);
    LOG.info("floor topology: {} -> {}, exactly-once v2, commit interval {} ms", inputs, output,
        config.commitInterval().toMillis());
    this.streams = new KafkaStreams(new FloorTopology(inputs, output, processed).build(), props);
  }

  /** Records processed so far. */
  long processed() {
    return processed.sum();
  }

  void start() {
    streams.start();
  }

  /** Waits until the client is RUNNING; fails when it is not within {@code timeout}. */
  FloorStreams awaitRunning(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (System.nanoTime() > deadline || !streams.state().isRunningOrRebalancing()
          && streams.state() != KafkaStreams.State.CREATED) {
        throw new IllegalStateException("the floor streams app is " + streams.state() + " after " + timeout);
      }
      Thread.sleep(50);
    }
    return this;
  }

  @Override
  public void close() {
    streams.close(Duration.ofSeconds(30));
  }
}
