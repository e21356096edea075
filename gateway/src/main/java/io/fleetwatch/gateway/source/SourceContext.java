package io.fleetwatch.gateway.source;

import io.fleetwatch.gateway.GatewayConfig;
import io.fleetwatch.gateway.kafka.KafkaForwarder;
import io.fleetwatch.schemas.Topics;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link SourceFactory} may use: the gateway's settings, its topic catalogue, its Kafka forwarder (for records a
 * source writes besides the contract records, e.g. Sparkplug B metric tables) and its clock.
 *
 * @param config gateway settings
 * @param topics topic catalogue
 * @param forwarder the gateway's Kafka sender (ordered, retried, never dropped while running)
 * @param clock receive-time source
 */
public record SourceContext(GatewayConfig config, Topics topics, KafkaForwarder forwarder, Clock clock) {
  public SourceContext {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(forwarder, "forwarder");
    Objects.requireNonNull(clock, "clock");
  }

  /**
   * Settings for a Kafka consumer of a source (no group: it assigns partitions itself): the bootstrap servers and the
   * {@code kafka.*} pass-through settings (security, SASL, TLS), so it reaches Kafka the way the producer does.
   */
  public Map<String, Object> consumerSettings(String clientId) {
    Map<String, Object> settings = new HashMap<>(config.kafkaOverrides());
    settings.keySet().removeIf(k -> !isClientCommon(k));
    settings.put("bootstrap.servers", config.kafkaBootstrapServers());
    settings.put("client.id", clientId);
    settings.put("enable.auto.commit", "false");
    settings.put("auto.offset.reset", "earliest");
    // a missing topic must stay missing (and be reported), not be created uncompacted by the metadata request
    settings.put("allow.auto.create.topics", "false");
    return settings;
  }

  /** Connection settings shared by producers and consumers; producer-only keys would only draw warnings. */
  private static boolean isClientCommon(String key) {
    return key.startsWith("security.") || key.startsWith("sasl.") || key.startsWith("ssl.")
        || key.equals("client.dns.lookup") || key.startsWith("reconnect.") || key.equals("request.timeout.ms");
  }
}
