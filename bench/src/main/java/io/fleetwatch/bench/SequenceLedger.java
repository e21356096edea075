package io.fleetwatch.bench;

import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.schemas.AvroSerde;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a topic from the beginning on a background thread and records the (device id, sequence number) of every
 * record of one {@linkplain SequencePublisher publisher site}, counting duplicates: how the ingest benchmark and the
 * gateway's fault tests tell what reached Kafka.
 *
 * <p>Input: a topic and a {@link Decoder} ({@link #TELEMETRY} for the gateway's Avro telemetry, {@link #SHELL_BRIDGE}
 * for {@code mosquitto_sub -F '%t %p' | kcat -K ' '} records). Output: {@link #seen()}, {@link #records()}, the latest
 * record timestamp (the broker's append time when the topic uses {@code LogAppendTime}). A consumer without a group,
 * assigned every partition; the topic must exist.
 */
public final class SequenceLedger implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SequenceLedger.class);

  /** Where the device id and the sequence number are in a record. */
  @FunctionalInterface
  public interface Decoder {
    /** The record's (site, device, seq), or {@code null} when it is not one of the publisher's messages. */
    Entry decode(byte[] key, byte[] value);
  }

  /** One decoded record. */
  public record Entry(String site, String deviceId, long seq) {}

  /**
   * Gateway output: Avro {@link Telemetry} with site, device id and seq, or, when seq is empty (Sparkplug B, whose
   * own seq does not reach the contract), the metric {@value SparkplugPayloads#SEQ_METRIC}. Reads only the fields it
   * needs of the current schema (as cheap as the shell bridge's decoder, so the counting costs both bridges alike); a
   * record written with another schema version is decoded whole.
   */
  public static final Decoder TELEMETRY = new Decoder() {
    private final AvroSerde<Telemetry> serde = AvroSerde.of(Telemetry.class);
    private final byte[] header = singleObjectHeader(Telemetry.getClassSchema());

    @Override
    public Entry decode(byte[] key, byte[] value) {
      if (value != null && value.length > header.length
          && Arrays.equals(value, 0, header.length, header, 0, header.length)) {
        try {
          // Field order of Telemetry: deviceId, site, ts, receivedAt, seq (union null|long), metrics, ...
          BinaryDecoder in = DecoderFactory.get().binaryDecoder(value, header.length, value.length - header.length,
              null);
          String deviceId = in.readString();
          String site = in.readString();
          in.readLong();
          in.readLong();
          if (in.readIndex() == 1) {
            return new Entry(site, deviceId, in.readLong());
          }
          for (long block = in.readMapStart(); block != 0; block = in.mapNext()) {
            for (long i = 0; i < block; i++) {
              boolean isSeq = in.readString(null).toString().equals(SparkplugPayloads.SEQ_METRIC);
              double v = in.readDouble();
              if (isSeq) {
                return new Entry(site, deviceId, (long) v);
              }
            }
          }
          return null;
        } catch (IOException e) {
          throw new SerializationException("truncated telemetry record", e);
        }
      }
      Telemetry t = serde.deserialize("", value);
      Double metricSeq = t.getMetrics().get(SparkplugPayloads.SEQ_METRIC);
      return t.getSeq() != null ? new Entry(t.getSite(), t.getDeviceId(), t.getSeq())
          : metricSeq != null ? new Entry(t.getSite(), t.getDeviceId(), metricSeq.longValue()) : null;
    }
  };

  /** Avro single-object encoding header: marker C3 01, then the schema's 64-bit parsing fingerprint, little-endian. */
  static byte[] singleObjectHeader(Schema schema) {
    return ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN).put((byte) 0xC3).put((byte) 0x01)
        .putLong(SchemaNormalization.parsingFingerprint64(schema)).array();
  }

  /** Shell bridge output: key = MQTT topic {@code fleet/site/device/telemetry}, value = the JSON payload. */
  public static final Decoder SHELL_BRIDGE = (key, value) -> {
    if (key == null || value == null) {
      return null;
    }
    String[] topic = new String(key, StandardCharsets.UTF_8).split("/");
    if (topic.length != 4) {
      return null;
    }
    String json = new String(value, StandardCharsets.UTF_8);
    int at = json.indexOf("\"seq\":");
    if (at < 0) {
      return null;
    }
    int from = at + 6;
    int to = from;
    while (to < json.length() && Character.isDigit(json.charAt(to))) {
      to++;
    }
    return to == from ? null : new Entry(topic[1], topic[2], Long.parseLong(json.substring(from, to)));
  };

  private final String topic;
  private final String site;
  private final Decoder decoder;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final SequenceSet seen = new SequenceSet();
  private final AtomicLong records = new AtomicLong();
  private final AtomicLong others = new AtomicLong();
  private final AtomicLong undecodable = new AtomicLong();
  private final AtomicLong reordered = new AtomicLong();
  private final Map<String, Long> highestSeq = new java.util.HashMap<>();
  private final Thread thread;
  private volatile long latestTimestamp;
  private volatile long lastNewNanos = System.nanoTime();
  private volatile boolean running = true;
  private volatile RuntimeException failure;

  private SequenceLedger(String bootstrapServers, String topic, String site, Decoder decoder,
      Map<String, Object> extraConfig) {
    this.topic = Objects.requireNonNull(topic, "topic");
    this.site = Objects.requireNonNull(site, "site");
    this.decoder = Objects.requireNonNull(decoder, "decoder");
    Map<String, Object> config = new java.util.HashMap<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000,
        ConsumerConfig.CLIENT_ID_CONFIG, "fleetwatch-sequence-ledger-" + site));
    config.putAll(extraConfig);
    this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.thread = new Thread(this::run, "sequence-ledger-" + site);
    this.thread.setDaemon(true);
  }

  /**
   * Starts reading {@code topic} from the beginning, keeping the records of publisher site {@code site}.
   *
   * @throws IllegalStateException if the topic has no partitions within 30 s
   */
  public static SequenceLedger start(String bootstrapServers, String topic, String site, Decoder decoder) {
    return start(bootstrapServers, topic, site, decoder, Map.of());
  }

  /** Like {@link #start(String, String, String, Decoder)} with extra consumer settings (security). */
  public static SequenceLedger start(String bootstrapServers, String topic, String site, Decoder decoder,
      Map<String, Object> extraConfig) {
    SequenceLedger ledger = new SequenceLedger(bootstrapServers, topic, site, decoder, extraConfig);
    try {
      ledger.assign();
    } catch (RuntimeException e) {
      ledger.consumer.close();
      throw e;
    }
    ledger.thread.start();
    return ledger;
  }

  private void assign() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(5));
      if (partitions != null && !partitions.isEmpty()) {
        List<TopicPartition> assignment = partitions.stream()
            .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(assignment);
        consumer.seekToBeginning(assignment);
        return;
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new IllegalStateException("topic " + topic + " has no partitions after 30 s");
      }
    }
  }

  private void run() {
    try {
      while (running) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          Entry entry;
          try {
            entry = decoder.decode(record.key(), record.value());
          } catch (RuntimeException e) {
            undecodable.incrementAndGet();
            continue;
          }
          if (entry == null || !site.equals(entry.site())) {
            others.incrementAndGet();
            continue;
          }
          records.incrementAndGet();
          if (seen.add(entry.deviceId(), entry.seq())) {
            lastNewNanos = System.nanoTime();
            Long highest = highestSeq.get(entry.deviceId());
            if (highest != null && entry.seq() < highest) {
              reordered.incrementAndGet();
            } else {
              highestSeq.put(entry.deviceId(), entry.seq());
            }
          }
          if (record.timestamp() > latestTimestamp) {
            latestTimestamp = record.timestamp();
          }
        }
        synchronized (this) {
          notifyAll();
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      failure = e;
      LOG.error("reading {} failed", topic, e);
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  /**
   * Waits until every pair of {@code expected} was seen.
   *
   * @return whether that happened within {@code timeout}
   */
  public boolean awaitAll(SequenceSet expected, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      checkAlive();
      if (seen.size() >= expected.size() && expected.missingFrom(seen) == 0) {
        return true;
      }
      if (!pause(deadline)) {
        return false;
      }
    }
  }

  /**
   * Waits until at least {@code count} distinct pairs were seen.
   *
   * @return whether that happened within {@code timeout}
   */
  public boolean awaitDistinct(long count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (seen.size() < count) {
      checkAlive();
      if (!pause(deadline)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Waits until {@code count} distinct pairs were seen or nothing new arrived for {@code quiet} (for QoS 0, where
   * nothing says how many should arrive), at most until {@code timeout}.
   */
  public void awaitDistinctOrQuiet(long count, Duration quiet, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (seen.size() < count && System.nanoTime() - lastNewNanos < quiet.toNanos()) {
      checkAlive();
      if (!pause(deadline)) {
        return;
      }
    }
  }

  private boolean pause(long deadline) throws InterruptedException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      return false;
    }
    synchronized (this) {
      wait(Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(left))));
    }
    return true;
  }

  private void checkAlive() {
    if (failure != null) {
      throw new IllegalStateException("reading " + topic + " failed: " + failure.getMessage(), failure);
    }
  }

  /** Distinct (device, seq) pairs of the site seen so far. */
  public SequenceSet seen() {
    return seen;
  }

  /** Records of the site read so far, duplicates included. */
  public long records() {
    return records.get();
  }

  /** Records of other sites or without a sequence number. */
  public long others() {
    return others.get();
  }

  /**
   * First copies of messages that landed after a later message of the same device (per-device order broken; a
   * device's records share a partition, so this is their order in Kafka).
   */
  public long reordered() {
    return reordered.get();
  }

  /** Records that could not be decoded. */
  public long undecodable() {
    return undecodable.get();
  }

  /** Largest record timestamp of the site's records (epoch ms), 0 before any. */
  public long latestTimestamp() {
    return latestTimestamp;
  }

  /** A summary against what the publisher saw acknowledged. */
  public DeliveryReport report(String label, SequencePublisher publisher) {
    SequenceSet acked = publisher.acknowledged();
    return new DeliveryReport(label, publisher.published(), publisher.acknowledgedCount(), records(), seen.size(),
        seen.duplicates(), acked.missingFrom(seen), reordered(), acked.sampleMissingFrom(seen, 10));
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
