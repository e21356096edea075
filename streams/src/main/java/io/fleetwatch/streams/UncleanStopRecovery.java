package io.fleetwatch.streams;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Objects;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a restart after a crash (SIGKILL, power loss) of the streams app safe for its global stores.
 *
 * <p>Under exactly-once, Kafka Streams re-initialises a task store found without a valid checkpoint, but a global
 * store whose RocksDB was left open by a crash fails the global thread ("didn't find a valid state, since under EOS
 * it has the risk of getting uncommitted data in stores") and with it the whole client. Global stores have no
 * changelog: they are rebuilt from their source topics. So: {@link #starting()} leaves a marker next to the
 * application's state directory; {@link #stoppedCleanly()} removes it after a clean close; a start that finds the
 * marker knows the previous run did not stop cleanly and deletes the global stores' directory
 * ({@code <state.dir>/<application.id>/global}) so they are rebuilt. Task stores are left to Kafka Streams.
 */
final class UncleanStopRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(UncleanStopRecovery.class);

  private final Path marker;
  private final Path globalStores;

  /**
   * @param stateDir Kafka Streams {@code state.dir}
   * @param applicationId Kafka Streams {@code application.id}
   */
  UncleanStopRecovery(Path stateDir, String applicationId) {
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(applicationId, "applicationId");
    this.marker = stateDir.resolve(applicationId + ".running");
    this.globalStores = stateDir.resolve(applicationId).resolve("global");
  }

  /** Before the client starts: wipes the global stores if the previous run did not stop cleanly; sets the marker. */
  void starting() {
    try {
      if (Files.exists(marker) && Files.exists(globalStores)) {
        LOG.warn("The previous run of this streams app did not stop cleanly ({} is still there): deleting the global"
            + " stores in {}; they are rebuilt from their topics", marker, globalStores);
        deleteRecursively(globalStores);
      }
      Files.createDirectories(marker.getParent());
      Files.writeString(marker, Long.toString(ProcessHandle.current().pid()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the state directory " + marker.getParent(), e);
    }
  }

  /** After a clean close: removes the marker. */
  void stoppedCleanly() {
    try {
      Files.deleteIfExists(marker);
    } catch (IOException e) {
      LOG.warn("cannot remove {}: the next start will rebuild the global stores", marker, e);
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
