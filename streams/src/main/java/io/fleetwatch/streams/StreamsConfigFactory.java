package io.fleetwatch.streams;

import io.fleetwatch.schemas.Topics;
import io.fleetwatch.streams.topology.DeadLetterDeserializationHandler;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Kafka Streams properties of the fleetwatch streams app: exactly-once v2, a short commit interval for low
 * detection latency, a poll timeout no longer than the commit interval, explicit internal resource naming, the dead-letter deserialization handler,
 * {@code application.server} set to the API's advertised address ({@link StreamsAppConfig#advertisedApiAddress()}),
 * and the {@code kafka.*} client overrides applied last.
 */
public final class StreamsConfigFactory {
  /** Kafka Streams' own {@code poll.ms} default, kept when the commit interval is at least as long. */
  static final long DEFAULT_POLL_MS = 100;

  private StreamsConfigFactory() {}

  public static Properties properties(StreamsAppConfig config, Topics topics) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toAbsolutePath().toString());
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, config.replicationFactor());
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitInterval().toMillis());
    // The stream thread checks the commit interval between polls, and a poll without new records blocks for
    // poll.ms (default 100 ms): with a shorter commit interval, records processed just before the input went quiet
    // would wait for that poll, not for the commit interval. A shorter poll only costs idle wake-ups.
    props.put(StreamsConfig.POLL_MS_CONFIG, Math.min(config.commitInterval().toMillis(), DEFAULT_POLL_MS));
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
    // Where the other instances forward API requests for this instance's partitions (interactive queries).
    config.advertisedApiAddress().ifPresent(address -> props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, address));
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterDeserializationHandler.class.getName());
    props.put(DeadLetterDeserializationHandler.DEAD_LETTER_TOPIC_CONFIG, topics.deadLetter().name());
    // Records wait for the commit anyway under exactly-once; don't add batching delay on top of it.
    props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
    config.kafka().forEach(props::put);
    return props;
  }
}
