package io.fleetwatch.gateway.sparkplug;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.gateway.kafka.CapturingProducer;
import io.fleetwatch.gateway.kafka.KafkaForwarder;
import io.fleetwatch.schemas.DeviceChannel;
import io.fleetwatch.gateway.mapping.ParseResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Metric tables read back from the compacted topic: ready once read to the end, and kept up to date afterwards. */
class KafkaAliasJournalTest {
  private static final String TOPIC = "fleet.sparkplug-aliases";
  private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

  private final CapturingProducer producer = new CapturingProducer();
  private final KafkaForwarder forwarder = new KafkaForwarder(producer, KafkaForwarder.Observer.NONE,
      Duration.ofMillis(1), Duration.ofMillis(5), List.of());
  private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
  private final SparkplugDecoder decoder = new SparkplugDecoder(SparkplugIdentity.defaults(), 64 * 1024,
      Duration.ofMinutes(5));
  private final KafkaAliasJournal journal = new KafkaAliasJournal(TOPIC, forwarder, () -> consumer,
      decoder::restore);

  KafkaAliasJournalTest() {
    forwarder.start();
  }

  @AfterEach
  void close() {
    journal.close(Duration.ofSeconds(2));
    forwarder.close(Duration.ofSeconds(1));
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + " within 10 s");
      }
      Thread.sleep(10);
    }
  }

  @Test
  void becomesReadyAfterReadingTheTopicToItsEndAndAppliesBirthsOfOtherGatewaysLater() throws Exception {
    // Given the topic holds the node's birth
    consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, null, null, null)));
    consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
    consumer.updateEndOffsets(Map.of(PARTITION, 1L));
    consumer.schedulePollTask(() -> consumer.addRecord(
        new ConsumerRecord<>(TOPIC, 0, 0, "g/e", Payloads.nbirth(1))));

    // When the journal starts, it is ready once it read that record
    assertFalse(journal.ready());
    journal.start();
    await(journal::ready, "ready");
    assertEquals(1, decoder.tables());

    // And a device birth another gateway of the share group writes later is applied as it comes
    consumer.schedulePollTask(() -> consumer.addRecord(
        new ConsumerRecord<>(TOPIC, 0, 1, "g/e/d", Payloads.dbirth(1))));
    await(() -> decoder.tables() == 2, "the later birth applied");
    List<ParseResult> data = decoder.decode("spBv1.0/g/DDATA/e/d", Payloads.ddata(7, 3.5, true), Payloads.T0)
        .records();
    assertEquals(DeviceChannel.TELEMETRY, ((ParseResult.Accepted) data.get(0)).channel());
  }

  @Test
  void writesEachBirthKeyedByItsScopeThroughTheForwarder() throws Exception {
    journal.write(new SparkplugDecoder.Birth("g/e/d", Payloads.dbirth(1)));

    CapturingProducer.Sent sent = producer.next();
    assertEquals(TOPIC, sent.record().topic());
    assertEquals("g/e/d", sent.record().key());
    assertArrayEquals(Payloads.dbirth(1), sent.record().value());
    sent.succeed();
    assertTrue(forwarder.awaitIdle(Duration.ofSeconds(5)));
  }
}
