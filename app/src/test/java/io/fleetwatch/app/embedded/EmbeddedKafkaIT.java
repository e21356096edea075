package io.fleetwatch.app.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.fleetwatch.app.harness.KafkaProbe;
import io.fleetwatch.embedded.EmbeddedKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link EmbeddedKafka} against itself: a real in-process KRaft broker, written to and read back. */
class EmbeddedKafkaIT {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaIT.class);
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path temp;

    @Test
    void acknowledgesIdempotentWritesAndServesThemBack() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().build()) {
            // Given a freshly started broker
            long startCalled = System.nanoTime();
            kafka.start();
            long started = System.nanoTime();

            // When a topic is created and an idempotent acks=all producer writes to it
            createTopic(kafka, "probe", 3);
            try (KafkaProducer<String, String> producer = producer(kafka)) {
                RecordMetadata first = producer.send(new ProducerRecord<>("probe", "device-0", "value-0")).get();
                long firstAck = System.nanoTime();
                LOG.info("EmbeddedKafka: start() {} ms, start() to first acknowledged write {} ms",
                        TimeUnit.NANOSECONDS.toMillis(started - startCalled),
                        TimeUnit.NANOSECONDS.toMillis(firstAck - startCalled));
                assertEquals(0, first.offset());
                for (int i = 1; i < 100; i++) {
                    producer.send(new ProducerRecord<>("probe", "device-" + (i % 7), "value-" + i)).get();
                }
            }

            // Then a consumer reads every record back
            List<ConsumerRecord<byte[], String>> records =
                    new KafkaProbe(kafka.bootstrapServers()).waitForCount("probe", new StringDeserializer(), 100, WAIT);
            assertEquals(IntStream.range(0, 100).mapToObj(i -> "value-" + i).sorted().toList(),
                    records.stream().map(ConsumerRecord::value).sorted().toList());
            assertTrue(kafka.bootstrapServers().startsWith("127.0.0.1:"));
        }
    }

    @Test
    void keepsRecordsAcrossStopAndStartOnTheSameDirectoryAndPort() throws Exception {
        Path data = temp.resolve("kafka");
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDirectory(data).build()) {
            // Given records written before an outage
            kafka.start();
            String bootstrap = kafka.bootstrapServers();
            createTopic(kafka, "durable", 1);
            try (KafkaProducer<String, String> producer = producer(kafka)) {
                producer.send(new ProducerRecord<>("durable", "k", "before-restart")).get();
            }

            // When the broker stops and starts again
            kafka.stop();
            assertFalse(kafka.isRunning());
            long restartCalled = System.nanoTime();
            kafka.start();
            try (KafkaProducer<String, String> producer = producer(kafka)) {
                producer.send(new ProducerRecord<>("durable", "k", "after-restart")).get();
            }
            LOG.info("EmbeddedKafka: restart (start() on a formatted directory) to first acknowledged write {} ms",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartCalled));

            // Then it is reachable at the same address and still holds the earlier record
            assertEquals(bootstrap, kafka.bootstrapServers());
            List<ConsumerRecord<byte[], String>> records =
                    new KafkaProbe(bootstrap).waitForCount("durable", new StringDeserializer(), 2, WAIT);
            assertEquals(List.of("before-restart", "after-restart"), records.stream().map(ConsumerRecord::value).toList());
        }
        assertTrue(Files.exists(data.resolve("meta.properties")), "a given data directory is kept on close");
    }

    @Test
    void reusesAFormattedDirectoryInANewInstance() throws Exception {
        Path data = temp.resolve("kafka");
        try (EmbeddedKafka first = EmbeddedKafka.builder().dataDirectory(data).build().start()) {
            createTopic(first, "kept", 1);
            try (KafkaProducer<String, String> producer = producer(first)) {
                producer.send(new ProducerRecord<>("kept", "k", "first-instance")).get();
            }
        }
        try (EmbeddedKafka second = EmbeddedKafka.builder().dataDirectory(data).build().start()) {
            List<ConsumerRecord<byte[], String>> records =
                    new KafkaProbe(second.bootstrapServers()).waitForCount("kept", new StringDeserializer(), 1, WAIT);
            assertEquals("first-instance", records.get(0).value());
        }
    }

    @Test
    void deletesItsTemporaryDirectoryOnClose() {
        EmbeddedKafka kafka = EmbeddedKafka.builder().build().start();
        Path data = kafka.dataDirectory();
        assertTrue(Files.exists(data.resolve("meta.properties")));
        kafka.close();
        assertFalse(Files.exists(data));
    }

    @Test
    void retriesTransactionPartitionAddsOnTheBrokerWhileMarkersAreWritten() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().build().start();
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
            Config config = admin.describeConfigs(List.of(broker)).all().get(30, TimeUnit.SECONDS).get(broker);
            assertEquals("5", config.get("add.partitions.to.txn.retry.backoff.ms").value());
            assertEquals("2000", config.get("add.partitions.to.txn.retry.backoff.max.ms").value());
        }
    }

    private static void createTopic(EmbeddedKafka kafka, String name, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafka kafka) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }
}
