package io.fleetwatch.app.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads a topic from the beginning until the records seen so far satisfy a condition, or fails when a deadline
 * passes: how end-to-end tests wait for pipeline output without sleeping.
 *
 * <p>Each call uses a fresh consumer assigned to every partition (no consumer group, so no rebalance delay and
 * no committed offsets left behind) with {@code isolation.level=read_committed}, so records of aborted
 * exactly-once transactions are not seen.
 */
public final class KafkaProbe {

    private final String bootstrapServers;
    private final Map<String, Object> extraConfig;

    /** A probe for the cluster at {@code bootstrapServers}. */
    public KafkaProbe(String bootstrapServers) {
        this(bootstrapServers, Map.of());
    }

    /** A probe with additional consumer settings (for example security), applied last. */
    public KafkaProbe(String bootstrapServers, Map<String, Object> extraConfig) {
        this.bootstrapServers = bootstrapServers;
        this.extraConfig = Map.copyOf(extraConfig);
    }

    /**
     * Consumes {@code topic} from the beginning until {@code until} holds for all records seen so far.
     *
     * @return the records seen, in partition order then offset order per partition (arrival order across partitions)
     * @throws AssertionError if the condition does not hold within {@code timeout}, naming the topic and the count seen
     */
    public <V> List<ConsumerRecord<byte[], V>> waitFor(String topic, Deserializer<V> valueDeserializer,
            Predicate<List<ConsumerRecord<byte[], V>>> until, Duration timeout) {
        return waitFor(topic, new ByteArrayDeserializer(), valueDeserializer, until, timeout);
    }

    /** Like {@link #waitFor(String, Deserializer, Predicate, Duration)} with a key deserializer too. */
    public <K, V> List<ConsumerRecord<K, V>> waitFor(String topic, Deserializer<K> keyDeserializer,
            Deserializer<V> valueDeserializer, Predicate<List<ConsumerRecord<K, V>>> until, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ConsumerRecord<K, V>> seen = new ArrayList<>();
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(consumerConfig(), keyDeserializer, valueDeserializer)) {
            assignAllPartitions(consumer, topic, deadline, timeout);
            while (true) {
                for (ConsumerRecord<K, V> record : consumer.poll(Duration.ofMillis(100))) {
                    seen.add(record);
                }
                if (until.test(Collections.unmodifiableList(seen))) {
                    return List.copyOf(seen);
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw new AssertionError("topic " + topic + ": condition not met within " + timeout + " after "
                            + seen.size() + " records" + (seen.isEmpty() ? "" : "; last: " + describe(seen.get(seen.size() - 1))));
                }
            }
        }
    }

    /** Waits until {@code topic} holds at least {@code count} records and returns them. */
    public <V> List<ConsumerRecord<byte[], V>> waitForCount(String topic, Deserializer<V> valueDeserializer, int count,
            Duration timeout) {
        return waitFor(topic, valueDeserializer, records -> records.size() >= count, timeout);
    }

    /** Waits until a record whose value matches {@code match} appears on {@code topic} and returns it. */
    public <V> ConsumerRecord<byte[], V> waitForValue(String topic, Deserializer<V> valueDeserializer,
            Predicate<V> match, Duration timeout) {
        List<ConsumerRecord<byte[], V>> records = waitFor(topic, valueDeserializer,
                seen -> seen.stream().anyMatch(r -> match.test(r.value())), timeout);
        return records.stream().filter(r -> match.test(r.value())).findFirst().orElseThrow();
    }

    private <K, V> void assignAllPartitions(KafkaConsumer<K, V> consumer, String topic, long deadline, Duration timeout) {
        while (true) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(1));
            if (partitions != null && !partitions.isEmpty()) {
                List<TopicPartition> assignment = partitions.stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition()))
                        .toList();
                consumer.assign(assignment);
                consumer.seekToBeginning(assignment);
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("topic " + topic + " does not exist after " + timeout);
            }
        }
    }

    private Properties consumerConfig() {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "fleetwatch-kafka-probe");
        config.putAll(extraConfig);
        return config;
    }

    private static String describe(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset() + " value=" + record.value();
    }
}
