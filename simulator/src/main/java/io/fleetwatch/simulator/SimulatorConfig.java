package io.fleetwatch.simulator;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the fleet simulator.
 *
 * @param mqttUri broker URI, e.g. tcp://127.0.0.1:1883
 * @param topicRoot first MQTT topic segment ({@code fleet})
 * @param clientIdPrefix MQTT client id prefix; connection i uses {@code prefix-i}
 * @param connections number of MQTT connections the devices are spread over
 * @param messagesPerSecond target total telemetry rate of the fleet (each device in turn)
 * @param qos MQTT QoS of every publish (0 or 1)
 * @param maxInflight unacknowledged QoS 1 publishes allowed per connection
 * @param username MQTT username or null
 * @param password MQTT password or null (never logged)
 * @param seed random seed of the noise, for repeatable runs
 * @param stateInterval how often each device publishes its state report (spread over the interval)
 */
public record SimulatorConfig(String mqttUri, String topicRoot, String clientIdPrefix, int connections,
    double messagesPerSecond, int qos, int maxInflight, String username, char[] password, long seed,
    Duration stateInterval) {

  /** Default interval of state reports per device. */
  public static final Duration DEFAULT_STATE_INTERVAL = Duration.ofSeconds(60);

  public SimulatorConfig {
    Objects.requireNonNull(mqttUri, "mqttUri");
    Objects.requireNonNull(topicRoot, "topicRoot");
    Objects.requireNonNull(clientIdPrefix, "clientIdPrefix");
    Objects.requireNonNull(stateInterval, "stateInterval");
    if (connections < 1) {
      throw new IllegalArgumentException("simulator connections must be >= 1, got " + connections);
    }
    if (!(messagesPerSecond > 0) || Double.isInfinite(messagesPerSecond)) {
      throw new IllegalArgumentException("simulator rate must be a positive number, got " + messagesPerSecond);
    }
    if (qos != 0 && qos != 1) {
      throw new IllegalArgumentException("simulator qos must be 0 or 1, got " + qos);
    }
    if (maxInflight < 1) {
      throw new IllegalArgumentException("simulator max inflight must be >= 1, got " + maxInflight);
    }
    if (stateInterval.toMillis() < 100) {
      throw new IllegalArgumentException("simulator state interval must be at least 100 ms, got " + stateInterval);
    }
  }

  /** Defaults for a broker at {@code mqttUri}: 2 connections, 50 msg/s, QoS 1, state every 60 s. */
  public static SimulatorConfig defaults(String mqttUri) {
    return new SimulatorConfig(mqttUri, "fleet", "fleetwatch-sim", 2, 50, 1, 10, null, null, 42L,
        DEFAULT_STATE_INTERVAL);
  }

  public SimulatorConfig withRate(double rate) {
    return new SimulatorConfig(mqttUri, topicRoot, clientIdPrefix, connections, rate, qos, maxInflight, username,
        password, seed, stateInterval);
  }

  public SimulatorConfig withClientIdPrefix(String prefix) {
    return new SimulatorConfig(mqttUri, topicRoot, prefix, connections, messagesPerSecond, qos, maxInflight, username,
        password, seed, stateInterval);
  }

  public SimulatorConfig withStateInterval(Duration interval) {
    return new SimulatorConfig(mqttUri, topicRoot, clientIdPrefix, connections, messagesPerSecond, qos, maxInflight,
        username, password, seed, interval);
  }

  @Override
  public String toString() {
    return "SimulatorConfig[mqttUri=" + mqttUri + ", topicRoot=" + topicRoot + ", clientIdPrefix=" + clientIdPrefix
        + ", connections=" + connections + ", messagesPerSecond=" + messagesPerSecond + ", qos=" + qos
        + ", maxInflight=" + maxInflight + ", username=" + username + ", password="
        + (password == null ? "<none>" : "<redacted>") + ", seed=" + seed + ", stateInterval=" + stateInterval + "]";
  }
}
