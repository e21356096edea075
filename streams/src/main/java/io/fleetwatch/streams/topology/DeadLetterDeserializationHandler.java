package io.fleetwatch.streams.topology;

import io.fleetwatch.avro.DeadLetter;
import io.fleetwatch.avro.DeadLetterReason;
import io.fleetwatch.avro.Evidence;
import io.fleetwatch.schemas.AvroSerde;
import io.fleetwatch.schemas.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Input: any record a source of the topology cannot decode. Output: a {@link DeadLetter} (reason
 * {@code UNDECODABLE_RECORD}, component {@code streams}, source topic/partition/offset, raw value bytes) on
 * the dead-letter topic, keyed by the source topic. Rule: dead-letter and resume, never fail the thread.
 *
 * <p>Uses the dead-letter-queue support of the handler API (KIP-1034): the record goes out through the task's
 * own producer, so under exactly-once it commits together with the input offset. Kafka Streams 4.4 cannot
 * send such records from global-table threads ({@code fleet.assets}, {@code fleet.incidents}); there the
 * record is logged (WARN, here and by Kafka Streams) and skipped.
 *
 * <p>Configuration (taken from the streams properties): {@value #DEAD_LETTER_TOPIC_CONFIG} (default
 * {@code fleet.deadletter}), {@value #MAX_PAYLOAD_BYTES_CONFIG} (default 65536; longer payloads are
 * truncated, {@code payloadSize} keeps the original size).
 */
public final class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {
  public static final String DEAD_LETTER_TOPIC_CONFIG = "fleetwatch.deadletter.topic";
  public static final String MAX_PAYLOAD_BYTES_CONFIG = "fleetwatch.deadletter.max.payload.bytes";
  /** A Micrometer {@code MeterRegistry} object (not a string) for {@value #DEAD_LETTERS}; optional. */
  public static final String METER_REGISTRY_CONFIG = "fleetwatch.deadletter.meter.registry";
  /** Counter of dead letters written by the streams app, tag {@code reason} (undecodable_record). */
  public static final String DEAD_LETTERS = "fleetwatch.streams.deadletters";
  static final int DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;
  public static final String COMPONENT = "streams";

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);
  private static final SkippedRecordLog SKIPPED = new SkippedRecordLog(LOG, 10, TimeUnit.SECONDS);

  private final AvroSerde<DeadLetter> serde = AvroSerde.of(DeadLetter.class);
  private String deadLetterTopic = Topics.DEFAULT_PREFIX + "deadletter";
  private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
  private Counter deadLetters;

  @Override
  public void configure(Map<String, ?> configs) {
    Object topic = configs.get(DEAD_LETTER_TOPIC_CONFIG);
    if (topic != null && !topic.toString().isBlank()) {
      deadLetterTopic = topic.toString();
    }
    if (configs.get(METER_REGISTRY_CONFIG) instanceof MeterRegistry registry) {
      deadLetters = Counter.builder(DEAD_LETTERS).description("Dead letters written by the streams app")
          .tag("reason", DeadLetterReason.UNDECODABLE_RECORD.name().toLowerCase(java.util.Locale.ROOT))
          .register(registry);
    }
    Object max = configs.get(MAX_PAYLOAD_BYTES_CONFIG);
    if (max != null) {
      try {
        maxPayloadBytes = Integer.parseInt(max.toString().strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(MAX_PAYLOAD_BYTES_CONFIG + ": expected an integer, got '" + max + "'", e);
      }
      if (maxPayloadBytes < 0) {
        throw new IllegalArgumentException(MAX_PAYLOAD_BYTES_CONFIG + ": must be >= 0, got " + maxPayloadBytes);
      }
    }
  }

  public String deadLetterTopic() {
    return deadLetterTopic;
  }

  @Override
  public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
      Exception exception) {
    SKIPPED.warn("Undecodable record dead-lettered to {}: topic={} partition={} offset={} processor={}: {}",
        deadLetterTopic, record.topic(), record.partition(), record.offset(), context.processorNodeId(),
        exception.toString());
    try {
      Response response = Response.resume(List.of(deadLetter(record, exception)));
      if (deadLetters != null) {
        deadLetters.increment();
      }
      return response;
    } catch (RuntimeException e) {
      LOG.error("Cannot build the dead letter for topic={} partition={} offset={}; record skipped",
          record.topic(), record.partition(), record.offset(), e);
      return Response.resume();
    }
  }

  ProducerRecord<byte[], byte[]> deadLetter(ConsumerRecord<byte[], byte[]> record, Exception exception) {
    byte[] raw = record.value() == null ? new byte[0] : record.value();
    byte[] payload = raw.length > maxPayloadBytes ? Arrays.copyOf(raw, maxPayloadBytes) : raw;
    DeadLetter letter = DeadLetter.newBuilder()
        .setReason(DeadLetterReason.UNDECODABLE_RECORD)
        .setDetail(String.valueOf(exception.getMessage()))
        .setMqttTopic(null)
        .setPayload(ByteBuffer.wrap(payload))
        .setPayloadSize(raw.length)
        .setReceivedAt(Instant.now())
        .setComponent(COMPONENT)
        .setSource(new Evidence(record.topic(), record.partition(), record.offset()))
        .build();
    byte[] key = record.topic().getBytes(StandardCharsets.UTF_8);
    return new ProducerRecord<>(deadLetterTopic, null, key, serde.serialize(deadLetterTopic, letter));
  }
}
