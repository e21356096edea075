package io.fleetwatch.streams.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.Asset;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class AssetRegistryFileTest {

  private static final String HEADER = "apiVersion: fleetwatch.io/v1\nkind: AssetRegistry\n";

  @Test
  void readsTheDemoFleetWithChiller01AtHq() throws Exception {
    List<Asset> assets = AssetRegistryFile.read(Path.of("..", "examples", "demo-fleet", "assets.yaml"));

    Asset chiller = assets.stream().filter(a -> a.getDeviceId().equals("chiller-01")).findFirst().orElseThrow();
    assertEquals("hq", chiller.getSite());
    assertEquals("chiller", chiller.getAssetClass());
    assertEquals(List.of("hvac-hq", "datacenter-cooling"), chiller.getServices());
    assertFalse(chiller.getSafetyFunction());
    assertTrue(assets.stream().anyMatch(a -> a.getSafetyFunction()));
  }

  @Test
  void readsOptionalFieldsAsNullOrDefaults() throws Exception {
    List<Asset> assets = AssetRegistryFile.read("r.yaml", new StringReader(HEADER
        + "assets:\n  - deviceId: d1\n    site: s1\n    assetClass: meter\n"));

    assertEquals(1, assets.size());
    assertEquals(null, assets.get(0).getZone());
    assertEquals(List.of(), assets.get(0).getServices());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      missing site            | assets:\\n  - deviceId: d1\\n    assetClass: meter\\n                 | r.yaml:4: assets[0].site: required field is missing
      bad device id           | assets:\\n  - deviceId: 'a/b'\\n    site: s\\n    assetClass: m\\n     | r.yaml:4: assets[0].deviceId: must match
      unknown field           | assets:\\n  - deviceId: d1\\n    site: s\\n    colour: red\\n         | r.yaml:6: assets[0].colour: unknown field
      bad boolean             | assets:\\n  - deviceId: d1\\n    site: s\\n    assetClass: m\\n    safetyFunction: maybe\\n | r.yaml:7: assets[0].safetyFunction: must be true or false
      assets not a list       | assets: {}\\n                                                          | r.yaml:3: assets: must be a list
      services not a list     | assets:\\n  - deviceId: d1\\n    site: s\\n    assetClass: m\\n    services: x\\n | r.yaml:7: assets[0].services: must be a list
      duplicate device        | assets:\\n  - {deviceId: d1, site: s, assetClass: m}\\n  - {deviceId: d1, site: s, assetClass: m}\\n | r.yaml:5: assets[1].deviceId: duplicate device 'd1' (first at line 4)
      broken yaml             | assets: [\\n                                                           | r.yaml:4: not valid YAML
      """)
  void namesFileLineAndFieldOfEachError(String name, String body, String expected) {
    RegistryException e = assertThrows(RegistryException.class,
        () -> AssetRegistryFile.read("r.yaml", new StringReader(HEADER + body.replace("\\n", "\n"))));

    assertTrue(e.getMessage().startsWith(expected), name + ": " + e.getMessage());
  }

  @Test
  void rejectsAnUnsupportedApiVersion() {
    RegistryException e = assertThrows(RegistryException.class, () -> AssetRegistryFile.read("r.yaml",
        new StringReader("apiVersion: fleetwatch.io/v9\nkind: AssetRegistry\nassets: []\n")));

    assertTrue(e.getMessage().startsWith("r.yaml:1: apiVersion: unsupported version 'fleetwatch.io/v9'"),
        e.getMessage());
  }

  @Test
  void rejectsAnEmptyFile() {
    assertThrows(RegistryException.class, () -> AssetRegistryFile.read("r.yaml", new StringReader("")));
  }
}
