package io.fleetwatch.simulator.check;

import java.util.List;

/** Where the scenario check looks for incidents: the streams app's HTTP API or the incidents topic. */
public interface IncidentSource extends AutoCloseable {

  /**
   * The incidents known now (the API: all of them; the topic: those read so far). Failures to reach the source
   * are reported as an {@link java.io.IOException} so the check can retry until its deadline.
   */
  List<IncidentSighting> poll() throws java.io.IOException;

  @Override
  default void close() {
  }
}
