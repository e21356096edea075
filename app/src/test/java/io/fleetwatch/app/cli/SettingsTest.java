package io.fleetwatch.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetwatch.streams.StreamsAppConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

  @Test
  void streamsReadsPropertyStyleKeysFromTheFileAndTheEnvironmentWins(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("streams.properties");
    Files.writeString(file, """
        kafka.bootstrap.servers=file:9092
        streams.commit.interval.ms=250
        http.port=9000
        kafka.security.protocol=SASL_SSL
        """);

    StreamsAppConfig config = StreamsAppConfig.from(Settings.forStreams(file,
        Map.of("FLEETWATCH_HTTP_PORT", "9100", "FLEETWATCH_KAFKA_SASL_MECHANISM", "PLAIN", "PATH", "/bin")));

    assertEquals("file:9092", config.bootstrapServers());
    assertEquals(Duration.ofMillis(250), config.commitInterval());
    assertEquals(9100, config.httpPort());
    assertEquals("SASL_SSL", config.kafka().get("security.protocol"));
    assertEquals("PLAIN", config.kafka().get("sasl.mechanism"));
  }

  @Test
  void streamsAcceptsTheGatewaysBootstrapVariable() {
    StreamsAppConfig config = StreamsAppConfig.from(Settings.forStreams(null,
        Map.of("FLEETWATCH_KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9092")));

    assertEquals("k1:9092,k2:9092", config.bootstrapServers());
  }

  @Test
  void aMissingConfigFileIsAClearError(@TempDir Path dir) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Settings.file(dir.resolve("nope.properties")));
    assertEquals(true, e.getMessage().startsWith("--config: cannot read"), e.getMessage());
  }

  @Test
  void oldVariableNamesAreReadAsTheCurrentOnesAndTheCurrentNameWins() {
    // Given a deployment still using the old names, one of them next to its new name
    Map<String, String> env = Map.of("FLEETWATCH_KAFKA_BOOTSTRAP", "old:9092", "FLEETWATCH_GATEWAY_HTTP_PORT", "8181",
        "FLEETWATCH_GATEWAY_HTTP_HOST", "10.0.0.1", "FLEETWATCH_HTTP_HOST", "127.0.0.1", "PATH", "/bin");

    // When the environment is read
    Map<String, String> current = RenamedVariables.current(env);

    // Then every old name is read under its new name, and a new name set as well wins
    assertEquals(Map.of("FLEETWATCH_KAFKA_BOOTSTRAP_SERVERS", "old:9092", "FLEETWATCH_HTTP_PORT", "8181",
        "FLEETWATCH_HTTP_HOST", "127.0.0.1", "PATH", "/bin"), current);
    assertEquals("old:9092", StreamsAppConfig.from(Settings.forStreams(null, current)).bootstrapServers());
    // and each old name gets one warning naming its replacement
    assertEquals(java.util.List.of(
        "FLEETWATCH_GATEWAY_HTTP_HOST is deprecated: set FLEETWATCH_HTTP_HOST instead (both are set; FLEETWATCH_HTTP_HOST is used)",
        "FLEETWATCH_GATEWAY_HTTP_PORT is deprecated: set FLEETWATCH_HTTP_PORT instead",
        "FLEETWATCH_KAFKA_BOOTSTRAP is deprecated: set FLEETWATCH_KAFKA_BOOTSTRAP_SERVERS instead"),
        RenamedVariables.warnings(env));
  }

  @Test
  void theCurrentNamesRaiseNoWarning() {
    assertEquals(java.util.List.of(), RenamedVariables.warnings(Map.of("FLEETWATCH_KAFKA_BOOTSTRAP_SERVERS", "k:9092",
        "FLEETWATCH_HTTP_PORT", "8081")));
  }
}
