package io.fleetwatch.streams.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.Asset;
import io.fleetwatch.avro.BusinessService;
import io.fleetwatch.avro.Stakeholder;
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
  void readsServicesStakeholdersAndIotSsfLevelsOfTheDemoFleet() throws Exception {
    Registry registry = AssetRegistryFile.readRegistry(Path.of("..", "examples", "demo-fleet", "assets.yaml"));

    BusinessService cooling = registry.services().stream().filter(s -> s.getId().equals("datacenter-cooling"))
        .findFirst().orElseThrow();
    assertEquals(1800, cooling.getRtoSeconds());
    assertEquals("JPY", cooling.getCurrency());
    assertFalse(cooling.getManualFallback());
    Asset chiller = registry.assets().stream().filter(a -> a.getDeviceId().equals("chiller-01")).findFirst()
        .orElseThrow();
    assertEquals(3, chiller.getRecoveryDifficulty());
    assertEquals(4, chiller.getEconomicImpact());
    assertTrue(chiller.getStakeholders().stream()
        .anyMatch(r -> r.getRole().equals("manufacturer-psirt") && r.getStakeholderId().equals("acme-psirt")));
    Stakeholder psirt = registry.stakeholders().stream().filter(s -> s.getId().equals("acme-psirt")).findFirst()
        .orElseThrow();
    assertEquals("https://acme.example/.well-known/security.txt", psirt.getSecurityTxt());
  }

  private static final String SERVICE = "services:\\n  - {id: svc, name: S, rto: PT1H, rpo: PT5M, costPerHour: 10,"
      + " currency: EUR}\\n";
  private static final String STAKEHOLDER = "stakeholders:\\n  - {id: p, name: P, role: owner, email: a@b.example}\\n";

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      bad rto                 | services:\\n  - {id: s, name: S, rto: 4h, rpo: PT1H, costPerHour: 1, currency: EUR}\\nassets: []\\n | r.yaml:4: services[0].rto: must be an ISO-8601 duration
      bad currency            | services:\\n  - {id: s, name: S, rto: PT4H, rpo: PT1H, costPerHour: 1, currency: euro}\\nassets: []\\n | r.yaml:4: services[0].currency: must be an ISO 4217 code
      negative cost           | services:\\n  - {id: s, name: S, rto: PT4H, rpo: PT1H, costPerHour: -5, currency: EUR}\\nassets: []\\n | r.yaml:4: services[0].costPerHour: must not be negative
      unknown role            | stakeholders:\\n  - {id: p, name: P, role: janitor, email: a@b.example}\\nassets: []\\n | r.yaml:4: stakeholders[0].role: unknown role 'janitor'
      no contact point        | stakeholders:\\n  - {id: p, name: P, role: owner}\\nassets: []\\n | r.yaml:4: stakeholders[0]: needs at least one contact point
      level out of range      | assets:\\n  - {deviceId: d, site: s, assetClass: m, ssf: {recoveryDifficulty: 5}}\\n | r.yaml:4: assets[0].ssf.recoveryDifficulty: must be a level 1..4
      unknown service ref     | SERVICE assets:\\n  - {deviceId: d, site: s, assetClass: m, services: [nope]}\\n | r.yaml:6: assets[0].services: unknown service 'nope'
      unknown stakeholder ref | STAKEHOLDER assets:\\n  - {deviceId: d, site: s, assetClass: m, stakeholders: {owner: nope}}\\n | r.yaml:6: assets[0].stakeholders.owner: unknown stakeholder 'nope'
      role not known          | assets:\\n  - {deviceId: d, site: s, assetClass: m, stakeholders: {janitor: x}}\\n | r.yaml:4: assets[0].stakeholders.janitor: unknown field
      """)
  void namesFileLineAndFieldOfRegistryErrors(String name, String body, String expected) {
    String text = HEADER + body.replace("SERVICE ", SERVICE).replace("STAKEHOLDER ", STAKEHOLDER).replace("\\n", "\n");
    RegistryException e = assertThrows(RegistryException.class,
        () -> AssetRegistryFile.readRegistry("r.yaml", new StringReader(text)));

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
