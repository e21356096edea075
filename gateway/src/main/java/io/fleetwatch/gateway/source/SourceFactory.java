package io.fleetwatch.gateway.source;

import java.util.Optional;

/**
 * Builds one kind of {@link PayloadSource} from the gateway's settings: the source when its settings enable it, empty
 * otherwise. Listed in {@link PayloadSources#FACTORIES}; adding a kind of source is one line there.
 */
@FunctionalInterface
public interface SourceFactory {

  /**
   * @throws IllegalArgumentException naming the setting when the source's settings are invalid
   */
  Optional<PayloadSource> create(SourceContext context);
}
