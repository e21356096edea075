package io.fleetwatch.app.gateway;

import io.fleetwatch.embedded.TopicProvisioner;
import io.fleetwatch.gateway.GatewayConfig;
import io.fleetwatch.schemas.Topics;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** Topics and gateway settings shared by the gateway's integration tests. */
final class GatewayFixtures {
  /** Partitions of the data topics: several, so per-partition ordering and spreading are exercised. */
  static final int PARTITIONS = 4;

  private GatewayFixtures() {}

  /** Creates the fleet.* topics on the broker. */
  static void createTopics(String bootstrapServers) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      new TopicProvisioner(admin, PARTITIONS, (short) 1).ensure(Topics.withDefaultPrefix(), Duration.ofSeconds(30));
    }
  }

  /** Gateway settings for the two brokers, with its own client id (its persistent session). */
  static GatewayConfig.Builder config(String mqttUri, String bootstrapServers, String clientId) {
    return GatewayConfig.builder()
        .mqttServerUri(mqttUri)
        .mqttClientId(clientId)
        .kafkaBootstrapServers(bootstrapServers);
  }
}
