package io.fleetwatch.streams.api;

import io.fleetwatch.avro.IncidentCommand;

/**
 * Where the HTTP API's write endpoints send responders' commands ({@code fleet.incident-commands}, key incident id),
 * and the bearer token they require.
 */
public interface IncidentCommandSink {
  /** Publishes the command; returns once Kafka acknowledged it. */
  void submit(IncidentCommand command) throws Exception;

  /** Bearer token the write endpoints require, or {@code null} when they are open. */
  String requiredToken();
}
