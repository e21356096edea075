package io.fleetwatch.simulator;

/** Where the simulator's messages go: MQTT in production ({@code mqtt.MqttPublisher}), a list in tests. */
public interface MessageSink extends AutoCloseable {

  /** Opens the connections; fails if one cannot be made. */
  void start() throws Exception;

  /**
   * Publishes one message; may block briefly for flow control, never throws.
   *
   * @param shard the device's index in the fleet, so one device's messages always use one connection (order)
   */
  void publish(int shard, String topic, byte[] payload);

  /** Messages the broker accepted (QoS 1) or that were written (QoS 0). */
  long published();

  /** Publishes that failed or were not sent because the broker did not take them in time. */
  long notPublished();

  @Override
  void close();
}
