package io.fleetwatch.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetwatch.gateway.GatewayConfig;
import io.fleetwatch.gateway.source.JsonSourcesConfig;
import io.fleetwatch.schemas.config.SettingTable;
import io.fleetwatch.streams.StreamsAppConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The configuration tables of the READMEs are generated from the setting definitions: this test fails when a
 * committed table differs from them, and with {@code -Dfleetwatch.readme.write=true} it writes them instead.
 */
class ConfigReadmeTest {
  private static final Path ROOT = Path.of("..");
  /** Which tables each README holds. */
  static final Map<String, List<SettingTable>> TABLES = Map.of(
      "README.md", List.of(GatewayConfig.Definitions.TABLE, StreamsAppConfig.Definitions.TABLE),
      "gateway/README.md", List.of(GatewayConfig.Definitions.TABLE, JsonSourcesConfig.TABLE),
      "streams/README.md", List.of(StreamsAppConfig.Definitions.TABLE));

  @Test
  void everyReadmeTableIsTheOneGeneratedFromTheDefinitions() throws IOException {
    boolean write = Boolean.getBoolean("fleetwatch.readme.write");
    for (Map.Entry<String, List<SettingTable>> readme : TABLES.entrySet()) {
      Path file = ROOT.resolve(readme.getKey());
      String committed = Files.readString(file);
      String generated = committed;
      for (SettingTable table : readme.getValue()) {
        generated = table.renderInto(generated);
      }
      if (write) {
        Files.writeString(file, generated);
      } else {
        assertEquals(generated, committed, readme.getKey() + " differs from the setting definitions; regenerate "
            + "with -Dtest=ConfigReadmeTest -Dfleetwatch.readme.write=true");
      }
    }
  }

  @Test
  void theGatewayAndTheStreamsAppNameTheSharedKeysAlike() {
    // Given the keys both components read
    var gateway = GatewayConfig.Definitions.TABLE.byKey();
    var streams = StreamsAppConfig.Definitions.TABLE.byKey();
    for (String key : List.of("kafka.bootstrap.servers", "topic.prefix")) {
      // Then each has the same environment variable, alias and default in both
      assertEquals(gateway.get(key).envName(), streams.get(key).envName(), key);
      assertEquals(gateway.get(key).aliases(), streams.get(key).aliases(), key);
      assertEquals(gateway.get(key).defaultValue(), streams.get(key).defaultValue(), key);
    }
  }
}
