package io.fleetwatch.app.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What the all-in-one pipeline runs with.
 *
 * @param bindHost address every embedded server binds to (127.0.0.1 by default)
 * @param mqttPort MQTT port of the embedded broker (0 picks a free port)
 * @param kafkaPort Kafka port of the embedded broker (0 picks a free port)
 * @param httpPort port of the HTTP API and /metrics (0 picks a free port)
 * @param dataDir where Kafka, MQTT and Streams keep state across restarts; null for a temporary directory
 * @param fleet asset registry file applied at start
 * @param policies policy file or directory
 * @param simulate whether the simulator publishes the fleet's telemetry
 * @param rate simulator messages per second
 * @param partitions partitions of the topics created at start
 * @param incidentQuietPeriod how long an incident stays open after its checks cleared (PT0S: resolves at once)
 * @param incidentReopenWindow how soon after resolution a raise reopens it (PT0S: never)
 * @param apiToken bearer token of the API's write endpoints, or null
 */
public record DemoSettings(String bindHost, int mqttPort, int kafkaPort, int httpPort, Path dataDir, Path fleet,
    Path policies, boolean simulate, double rate, int partitions, Duration incidentQuietPeriod,
    Duration incidentReopenWindow, String apiToken) {

  /** Incidents resolve as soon as their checks clear and never reopen, so every transition shows at once. */
  public DemoSettings(String bindHost, int mqttPort, int kafkaPort, int httpPort, Path dataDir, Path fleet,
      Path policies, boolean simulate, double rate, int partitions) {
    this(bindHost, mqttPort, kafkaPort, httpPort, dataDir, fleet, policies, simulate, rate, partitions,
        Duration.ZERO, Duration.ZERO, null);
  }

  public DemoSettings {
    Objects.requireNonNull(bindHost, "bindHost");
    Objects.requireNonNull(fleet, "fleet");
    Objects.requireNonNull(policies, "policies");
    for (int port : new int[] {mqttPort, kafkaPort, httpPort}) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be within 0..65535, got " + port);
      }
    }
    Objects.requireNonNull(incidentQuietPeriod, "incidentQuietPeriod");
    Objects.requireNonNull(incidentReopenWindow, "incidentReopenWindow");
    if (partitions < 1) {
      throw new IllegalArgumentException("--partitions must be >= 1, got " + partitions);
    }
  }
}
