package io.fleetwatch.gateway.sparkplug;

import io.fleetwatch.gateway.source.StatefulSource;

/**
 * Where the Sparkplug B births (the metric tables) are kept beyond one gateway process: written on each birth, read
 * back at start and while running, so a restarted gateway or another member of the share group resolves aliases
 * without a rebirth.
 */
public interface AliasJournal extends StatefulSource {

  /** Keeps a birth; it is handed to Kafka ahead of the birth message's own records. */
  void write(SparkplugDecoder.Birth birth);
}
