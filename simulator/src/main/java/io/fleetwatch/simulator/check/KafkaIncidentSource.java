package io.fleetwatch.simulator.check;

import io.fleetwatch.avro.Incident;
import io.fleetwatch.schemas.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code fleet.incidents} with its own consumer (no group: partitions assigned, positioned at the end when
 * created, so only incidents written from then on count). Keeps the latest state of each incident id.
 */
public final class KafkaIncidentSource implements IncidentSource {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaIncidentSource.class);

  private final KafkaConsumer<byte[], Incident> consumer;
  private final Map<String, IncidentSighting> latest = new LinkedHashMap<>();

  /**
   * @param clientConfig Kafka client settings (at least {@code bootstrap.servers}; security settings pass through)
   * @param incidents the incidents topic with its serde
   */
  public KafkaIncidentSource(Map<String, Object> clientConfig, Topic<String, Incident> incidents) {
    Properties props = new Properties();
    props.putAll(clientConfig);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), incidents.valueSerde().deserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    consumer.partitionsFor(incidents.name(), Duration.ofSeconds(30))
        .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
    if (partitions.isEmpty()) {
      consumer.close();
      throw new IllegalStateException("topic " + incidents.name() + " does not exist");
    }
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position); // fix the positions now, before the fault is injected
    LOG.info("reading {} from the end of {} partitions", incidents.name(), partitions.size());
  }

  @Override
  public List<IncidentSighting> poll() {
    for (ConsumerRecord<byte[], Incident> r : consumer.poll(Duration.ofMillis(200))) {
      Incident i = r.value();
      if (i == null) {
        continue; // tombstone
      }
      latest.put(i.getId(), new IncidentSighting(i.getId(), i.getPolicyId(), i.getDeviceId(), i.getSite(),
          i.getStatus().name().toLowerCase(java.util.Locale.ROOT), i.getDetectedAt(), i.getLastSeenAt()));
    }
    return List.copyOf(latest.values());
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(2));
  }
}
