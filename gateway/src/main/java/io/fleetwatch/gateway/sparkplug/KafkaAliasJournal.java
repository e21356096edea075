package io.fleetwatch.gateway.sparkplug;

import io.fleetwatch.gateway.kafka.KafkaForwarder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Sparkplug B metric tables in a compacted Kafka topic ({@code <prefix>sparkplug-aliases}, key
 * {@code group/edge node[/device]}, value the birth payload as received).
 *
 * <p>Writes go through the gateway's {@link KafkaForwarder} (ordered with the gateway's other records, retried until
 * Kafka acknowledges them), ahead of the birth message's own records; the MQTT acknowledgement of the birth waits for
 * its contract records, not for this one. Reads: a consumer without a group assigns every partition, reads from the
 * beginning, reports {@link #ready()} once it reached the end offsets found at start, then keeps reading so births
 * written by other gateways of the share group are applied as they come ({@code restore}, which ignores a birth older
 * than the table in use).
 */
public final class KafkaAliasJournal implements AliasJournal {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaAliasJournal.class);
  private static final Duration POLL = Duration.ofMillis(200);

  private final String topic;
  private final KafkaForwarder forwarder;
  private final Supplier<Consumer<String, byte[]>> consumers;
  private final BiConsumer<String, byte[]> restore;
  private final Thread reader;
  private volatile Consumer<String, byte[]> consumer;
  private volatile boolean ready;
  private volatile boolean running = true;

  /**
   * @param topic the compacted topic
   * @param forwarder the gateway's Kafka sender
   * @param consumerSettings consumer settings (bootstrap servers, security)
   * @param restore applies one birth read back: scope key and birth payload
   */
  public KafkaAliasJournal(String topic, KafkaForwarder forwarder, Map<String, Object> consumerSettings,
      BiConsumer<String, byte[]> restore) {
    this(topic, forwarder, kafkaConsumer(consumerSettings), restore);
  }

  /** As above, reading through the consumers {@code consumers} makes (e.g. a {@code MockConsumer}). */
  KafkaAliasJournal(String topic, KafkaForwarder forwarder, Supplier<Consumer<String, byte[]>> consumers,
      BiConsumer<String, byte[]> restore) {
    this.topic = Objects.requireNonNull(topic, "topic");
    this.forwarder = Objects.requireNonNull(forwarder, "forwarder");
    this.consumers = Objects.requireNonNull(consumers, "consumers");
    this.restore = Objects.requireNonNull(restore, "restore");
    this.reader = new Thread(this::read, "fleetwatch-gateway-sparkplug-aliases");
    this.reader.setDaemon(true);
  }

  private static Supplier<Consumer<String, byte[]>> kafkaConsumer(Map<String, Object> consumerSettings) {
    Map<String, Object> settings = new HashMap<>(consumerSettings);
    return () -> new KafkaConsumer<>(settings, new StringDeserializer(), new ByteArrayDeserializer());
  }

  @Override
  public void write(SparkplugDecoder.Birth birth) {
    forwarder.submit(new ProducerRecord<>(topic, birth.scopeKey(), birth.payload()), metadata -> { });
  }

  @Override
  public void start() {
    reader.start();
  }

  @Override
  public boolean ready() {
    return ready;
  }

  private void read() {
    try (Consumer<String, byte[]> c = consumers.get()) {
      consumer = c;
      List<TopicPartition> partitions = partitions(c);
      if (partitions == null) {
        return;
      }
      c.assign(partitions);
      c.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = c.endOffsets(partitions);
      long restored = 0;
      while (running) {
        if (!ready && reached(c, end)) {
          ready = true;
          LOG.info("Sparkplug metric tables loaded from {}: {} births", topic, restored);
        }
        ConsumerRecords<String, byte[]> records = c.poll(POLL);
        for (ConsumerRecord<String, byte[]> r : records) {
          if (r.key() != null && r.value() != null) {
            restore.accept(r.key(), r.value());
            restored++;
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.error("reading the Sparkplug metric tables from {} failed; Sparkplug data stays unresolved until the"
          + " gateway restarts", topic, e);
    }
  }

  /** The topic's partitions, waiting (with a warning every 10 s) until the topic exists; {@code null} when closing. */
  private List<TopicPartition> partitions(Consumer<String, byte[]> c) {
    long warnAt = 0;
    while (running) {
      List<PartitionInfo> infos;
      try {
        infos = c.partitionsFor(topic, Duration.ofSeconds(5));
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        infos = List.of();
      }
      if (infos != null && !infos.isEmpty()) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : infos) {
          partitions.add(new TopicPartition(topic, info.partition()));
        }
        return partitions;
      }
      if (System.nanoTime() - warnAt > 0) {
        LOG.warn("Sparkplug metric table topic {} not found; the gateway subscribes once it can read it", topic);
        warnAt = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
    return null;
  }

  private static boolean reached(Consumer<String, byte[]> c, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (c.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close(Duration timeout) {
    running = false;
    Consumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    try {
      reader.join(Math.max(1, timeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
