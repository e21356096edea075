package io.fleetwatch.streams.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.DeviceModel;
import io.fleetwatch.avro.Sbom;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCatalogueTest {
  @TempDir Path dir;

  private Path registry(String models) throws Exception {
    Files.copy(Path.of("../examples/advisories/ch-200-3.1.0.cdx.json"), dir.resolve("ch-200-3.1.0.cdx.json"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Path file = dir.resolve("registry.yaml");
    Files.writeString(file, """
        apiVersion: fleetwatch.io/v1
        kind: AssetRegistry
        stakeholders:
          - id: acme-psirt
            name: ACME PSIRT
            role: manufacturer-psirt
            psirtUrl: https://acme.example/psirt
            csafProviderMetadata: https://acme.example/.well-known/csaf/provider-metadata.json
          - id: tinyhttpd-maint
            name: tinyhttpd maintainers
            role: component-supplier
            email: security@tinyhttpd.example
            components: [pkg:generic/tinyhttpd]
        """ + models + """
        assets:
          - deviceId: chiller-01
            site: hq
            assetClass: chiller
            model: CH-200
        """);
    return file;
  }

  @Test
  void aModelCarriesMinimumFirmwareSupportEndStakeholdersAndItsCycloneDxSboms() throws Exception {
    Registry r = AssetRegistryFile.readRegistry(registry("""
        models:
          - model: CH-200
            vendor: acme
            minimumFirmware: 2.4.0
            supportEndsOn: 2029-12-31
            stakeholders: {manufacturer-psirt: acme-psirt}
            sboms:
              - firmware: 3.1.0
                file: ch-200-3.1.0.cdx.json
        """));

    DeviceModel m = r.models().get(0);
    assertEquals("2.4.0", m.getMinimumFirmware());
    assertEquals(LocalDate.parse("2029-12-31"), m.getSupportEndsOn());
    assertEquals("acme-psirt", m.getStakeholders().get(0).getStakeholderId());
    assertEquals(List.of("CH-200@3.1.0"), m.getSboms());
    Sbom sbom = r.sboms().get(0);
    assertEquals("CycloneDX 1.5", sbom.getFormat());
    assertEquals(List.of("pkg:generic/tinyhttpd@2.3.0", "cpe:2.3:a:example:libmqttlite@1.4.0",
        "pkg:generic/zlib@1.3.1"), sbom.getComponents().stream().map(i -> i.getKey() + "@" + i.getVersion()).toList());
    assertEquals(List.of("pkg:generic/tinyhttpd"), r.stakeholders().get(1).getComponents());
    assertEquals("https://acme.example/psirt", r.stakeholders().get(0).getPsirtUrl());
  }

  @Test
  void errorsNameTheFieldOrTheSbomJsonPath() throws Exception {
    RegistryException date = assertThrows(RegistryException.class, () -> AssetRegistryFile.readRegistry(registry("""
        models:
          - model: CH-200
            supportEndsOn: end of 2029
        """)));
    assertTrue(date.getMessage().contains(": models[0].supportEndsOn: must be a date like 2029-12-31"),
        date.getMessage());
    Files.writeString(dir.resolve("bad.cdx.json"), "{\"bomFormat\": \"SPDX\"}");
    RegistryException sbom = assertThrows(RegistryException.class, () -> AssetRegistryFile.readRegistry(registry("""
        models:
          - model: CH-200
            sboms: [{firmware: 3.1.0, file: bad.cdx.json}]
        """)));
    assertTrue(sbom.getMessage().endsWith("bad.cdx.json: $.bomFormat: must be CycloneDX"), sbom.getMessage());
    RegistryException who = assertThrows(RegistryException.class, () -> AssetRegistryFile.readRegistry(registry("""
        models:
          - model: CH-200
            stakeholders: {manufacturer-psirt: nobody}
        """)));
    assertTrue(who.getMessage().contains("unknown stakeholder 'nobody'"), who.getMessage());
  }

  @Test
  void aModelCarriesTheNamesAdvisoriesUseForItProductNamesModelNumbersAndCpes() throws Exception {
    Registry r = AssetRegistryFile.readRegistry(registry("""
        models:
          - model: CH-200
            vendor: ACME Controls Inc.
            productNames: [CH-200 firmware, ChillMaster 200]
            modelNumbers: [CH200-EU, CH200-JP]
            cpes: ["cpe:2.3:o:acme:ch-200_firmware:*:*:*:*:*:*:*:*"]
        """));

    DeviceModel model = r.models().get(0);
    assertEquals(List.of("CH-200 firmware", "ChillMaster 200"), model.getProductNames());
    assertEquals(List.of("CH200-EU", "CH200-JP"), model.getModelNumbers());
    assertEquals(List.of("cpe:2.3:o:acme:ch-200_firmware:*:*:*:*:*:*:*:*"), model.getCpes());
  }

  @Test
  void aModelCpeThatIsNoCpeNamesTheField() {
    RegistryException e = assertThrows(RegistryException.class, () -> AssetRegistryFile.readRegistry(registry("""
        models:
          - model: CH-200
            cpes: ["acme ch-200"]
        """)));

    assertTrue(e.getMessage().contains("models[0].cpes[0]: not a CPE: 'acme ch-200'"), e.getMessage());
  }
}
