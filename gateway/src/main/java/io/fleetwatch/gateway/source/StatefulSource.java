package io.fleetwatch.gateway.source;

import java.time.Duration;

/**
 * A {@link PayloadSource} with state to load before the gateway subscribes (e.g. Sparkplug B metric tables kept in
 * Kafka) and resources to release. The gateway calls {@link #start()} when it starts, subscribes to the MQTT broker
 * only once every such source is {@link #ready()}, and calls {@link #close()} when it stops.
 */
public interface StatefulSource extends AutoCloseable {

  /** Starts loading in the background; returns at once. */
  void start();

  /** Whether the state is loaded, so messages can be decoded. */
  boolean ready();

  /** Releases the source's resources within {@code timeout}. */
  void close(Duration timeout);

  @Override
  default void close() {
    close(Duration.ofSeconds(2));
  }
}
