package io.fleetwatch.streams;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UncleanStopRecoveryTest {
  @TempDir Path stateDir;

  private Path globalStore() throws Exception {
    Path store = stateDir.resolve("app").resolve("global").resolve("rocksdb").resolve("incidents");
    Files.createDirectories(store);
    Files.writeString(store.resolve("000042.sst"), "data");
    return store;
  }

  @Test
  void keepsTheGlobalStoresAfterACleanStop() throws Exception {
    UncleanStopRecovery recovery = new UncleanStopRecovery(stateDir, "app");
    recovery.starting();
    Path store = globalStore();
    recovery.stoppedCleanly();

    new UncleanStopRecovery(stateDir, "app").starting();

    assertTrue(Files.exists(store.resolve("000042.sst")));
  }

  @Test
  void rebuildsTheGlobalStoresAfterARunThatDidNotStopCleanly() throws Exception {
    new UncleanStopRecovery(stateDir, "app").starting(); // then killed: no stoppedCleanly()
    Path store = globalStore();
    Path task = Files.createDirectories(stateDir.resolve("app").resolve("0_1"));

    new UncleanStopRecovery(stateDir, "app").starting();

    assertFalse(Files.exists(stateDir.resolve("app").resolve("global")), "global stores deleted");
    assertFalse(Files.exists(store));
    assertTrue(Files.exists(task), "task stores are left to Kafka Streams");
    assertTrue(Files.exists(stateDir.resolve("app.running")), "the new run is marked as running");
  }

  @Test
  void anotherApplicationsMarkerDoesNotCount() throws Exception {
    new UncleanStopRecovery(stateDir, "other").starting();
    Path store = globalStore();

    new UncleanStopRecovery(stateDir, "app").starting();

    assertTrue(Files.exists(store));
  }
}
