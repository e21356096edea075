package io.fleetwatch.streams.api;

import io.fleetwatch.avro.IncidentCommand;
import io.fleetwatch.schemas.Topic;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/** {@link IncidentCommandSink} on an idempotent Kafka producer ({@code acks=all}); close it with the app. */
public final class KafkaIncidentCommandSink implements IncidentCommandSink, AutoCloseable {
  private final KafkaProducer<String, IncidentCommand> producer;
  private final Topic<String, IncidentCommand> topic;
  private final String token;

  /**
   * @param clientConfig Kafka client settings (bootstrap servers, security)
   * @param topic {@code fleet.incident-commands}
   * @param token bearer token of the write endpoints, or {@code null}
   */
  public KafkaIncidentCommandSink(Map<String, Object> clientConfig, Topic<String, IncidentCommand> topic,
      String token) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "fleetwatch-incident-commands");
    this.producer = new KafkaProducer<>(config, topic.keySerde().serializer(), topic.valueSerde().serializer());
    this.topic = topic;
    this.token = token;
  }

  @Override
  public void submit(IncidentCommand command) throws Exception {
    producer.send(new ProducerRecord<>(topic.name(), command.getIncidentId(), command)).get(10, TimeUnit.SECONDS);
  }

  @Override
  public String requiredToken() {
    return token;
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
