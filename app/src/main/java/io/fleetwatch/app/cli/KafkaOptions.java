package io.fleetwatch.app.cli;

import io.fleetwatch.schemas.Topics;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Option;

/**
 * Kafka connection options shared by the commands that talk to an external cluster. Client settings such as
 * {@code security.protocol} or {@code sasl.jaas.config} pass through from a properties file or {@code -X}.
 */
public final class KafkaOptions {

  @Option(names = "--bootstrap-servers",
      defaultValue = "${env:FLEETWATCH_KAFKA_BOOTSTRAP_SERVERS:-${env:FLEETWATCH_KAFKA_BOOTSTRAP:-127.0.0.1:9092}}",
      description = "Kafka bootstrap servers (env FLEETWATCH_KAFKA_BOOTSTRAP_SERVERS; default ${DEFAULT-VALUE}).")
  String bootstrapServers;

  @Option(names = "--topic-prefix", defaultValue = "${env:FLEETWATCH_TOPIC_PREFIX:-fleet.}",
      description = "Prefix of every fleetwatch topic (env FLEETWATCH_TOPIC_PREFIX; default ${DEFAULT-VALUE}).")
  String topicPrefix;

  @Option(names = "--kafka-config", paramLabel = "FILE",
      description = "Kafka client properties file (security.protocol, sasl.*, ssl.*, ...).")
  Path kafkaConfig;

  @Option(names = "-X", paramLabel = "KEY=VALUE", description = "A Kafka client property; repeatable.")
  Map<String, String> overrides = new LinkedHashMap<>();

  /** Client properties: file first, then -X, then bootstrap servers. */
  public Map<String, String> clientProperties() {
    Map<String, String> props = new LinkedHashMap<>();
    if (kafkaConfig != null) {
      Properties file = new Properties();
      try (Reader r = Files.newBufferedReader(kafkaConfig)) {
        file.load(r);
      } catch (IOException e) {
        throw new IllegalArgumentException("--kafka-config: cannot read " + kafkaConfig + ": " + e.getMessage(), e);
      }
      file.stringPropertyNames().forEach(k -> props.put(k, file.getProperty(k)));
    }
    props.putAll(overrides);
    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return props;
  }

  public Map<String, Object> clientConfig() {
    return new LinkedHashMap<>(clientProperties());
  }

  public Topics topics() {
    return new Topics(topicPrefix);
  }
}
