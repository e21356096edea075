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
}
