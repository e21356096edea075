package io.fleetwatch.gateway.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.gateway.mapping.PayloadParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonSourcesConfigTest {
  private final PayloadParser contract = PayloadParser.withDefaults();

  private static Properties props(Map<String, String> settings) {
    Properties p = new Properties();
    p.putAll(settings);
    return p;
  }

  @Test
  void nothingConfiguredMeansNoSources() {
    assertEquals(List.of(), JsonSourcesConfig.fromConfig(Map.of(), null, contract));
  }

  @Test
  void buildsSenmlAndMappedSourcesFromTheShippedFiles() {
    List<PayloadSource> sources = JsonSourcesConfig.fromConfig(Map.of(), props(Map.of(
        "senml.topics", "senml/{site}/{device}, lwm2m/{site}/#",
        "senml.units.file", "../examples/senml/units.yaml",
        "mappings.file", "../examples/mappings/bacnet-building.yaml")), contract);

    assertEquals(List.of("senml", "mapped"), sources.stream().map(PayloadSource::name).toList());
    assertEquals(List.of("senml/+/+", "lwm2m/+/#"), sources.get(0).subscriptions());
    assertEquals(List.of("bacnet/+/+/present-value"), sources.get(1).subscriptions());
  }

  @Test
  void environmentWinsOverTheFile() {
    JsonSourcesConfig config = JsonSourcesConfig.fromEnvironment(Map.of("FLEETWATCH_SENML_TOPICS", "a/{site}"),
        props(Map.of("senml.topics", "b/{site}")));

    assertEquals("a/{site}", config.senmlTopics().get(0).text());
  }

  @Test
  void badSettingsNameTheirKey(@TempDir Path dir) throws IOException {
    assertEquals("senml.topics: 'senml/{device}' has no {site} segment; every record needs a site",
        assertThrows(IllegalArgumentException.class, () -> JsonSourcesConfig.fromEnvironment(Map.of(),
            props(Map.of("senml.topics", "senml/{device}")))).getMessage());
    assertEquals("mappings.file: /no/such/file.yaml is not a readable file",
        assertThrows(IllegalArgumentException.class, () -> JsonSourcesConfig.fromEnvironment(Map.of(),
            props(Map.of("mappings.file", "/no/such/file.yaml")))).getMessage());
    assertEquals("senml.units.file is set but senml.topics is not",
        assertThrows(IllegalArgumentException.class, () -> JsonSourcesConfig.fromEnvironment(Map.of(),
            props(Map.of("senml.units.file", "../examples/senml/units.yaml")))).getMessage());

    Path broken = Files.writeString(dir.resolve("m.yaml"), "apiVersion: fleetwatch.io/v1\nkind: PayloadMappings\n");
    String message = assertThrows(IllegalArgumentException.class, () -> JsonSourcesConfig.fromConfig(Map.of(),
        props(Map.of("mappings.file", broken.toString())), contract)).getMessage();
    assertTrue(message.startsWith("mappings.file: " + broken + " has 1 error:"), message);
    assertTrue(message.endsWith(broken + ":1: mappings: required field is missing"), message);
  }
}
