package io.fleetwatch.streams.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.Asset;
import io.fleetwatch.streams.policy.RegistrySchedules;
import io.fleetwatch.streams.policy.Version;
import java.io.StringReader;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Registry {@code approvedChanges:} and {@code maintenanceWindows:}: how they attach to assets, what they cover, and
 * the loader's errors (file:line: field: why); ids with the composite-key separator {@code |} are rejected.
 */
class RegistrySchedulesFileTest {
  private static final String FLEET = """
      apiVersion: fleetwatch.io/v1
      kind: AssetRegistry
      models:
        - {model: S-1500, minimumFirmware: 2.9.0}
      assets:
        - {deviceId: plc-01, site: plant-a, assetClass: plc, model: S-1500}
        - {deviceId: plc-02, site: plant-a, assetClass: plc, model: S-1500}
        - {deviceId: elevator-01, site: hq, assetClass: elevator-controller, model: EC-7}
      """;

  private static List<Asset> read(String text) throws RegistryException {
    return AssetRegistryFile.readRegistry("r.yaml", new StringReader(text)).assets();
  }

  private static Asset asset(List<Asset> assets, String deviceId) {
    return assets.stream().filter(a -> a.getDeviceId().equals(deviceId)).findFirst().orElseThrow();
  }

  @Test
  void anApprovalByModelAttachesToEveryAssetOfThatModelAndCoversOnlyItsVersionsAndValidity() throws Exception {
    List<Asset> assets = read(FLEET + """
        approvedChanges:
          - model: S-1500
            fromFirmware: 4.6.0
            toFirmware: 4.5.2
            validFrom: 2025-11-25T00:00:00Z
            validUntil: 2025-11-26T00:00:00+09:00
            reference: CHG-1042
          - {deviceId: elevator-01}
        """);

    Asset plc = asset(assets, "plc-02");
    assertEquals(1, asset(assets, "plc-01").getApprovedChanges().size());
    assertEquals(1, plc.getApprovedChanges().size());
    Instant inside = Instant.parse("2025-11-25T10:00:00Z");
    assertEquals("CHG-1042", RegistrySchedules.approval(plc, Version.parse("4.6.0"), Version.parse("4.5.2"), inside)
        .getReference());
    assertNull(RegistrySchedules.approval(plc, Version.parse("4.6.0"), Version.parse("2.8.0"), inside),
        "another target version is not approved");
    assertNull(RegistrySchedules.approval(plc, Version.parse("4.6.0"), Version.parse("4.5.2"),
        Instant.parse("2025-11-25T15:00:00Z")), "validUntil is exclusive (15:00Z is 00:00+09:00)");
    assertNull(RegistrySchedules.approval(plc, Version.parse("4.6.0"), Version.parse("4.5.2"),
        Instant.parse("2025-11-24T23:59:59Z")), "not yet valid");
    assertNotNull(RegistrySchedules.approval(asset(assets, "elevator-01"), Version.parse("9.0"), Version.parse("1.0"),
        inside), "no versions and no bounds: any change at any time");
  }

  @Test
  void windowsBySiteAndByDeviceCoverExplicitIntervalsAndWeeklyLocalTimes() throws Exception {
    List<Asset> assets = read(FLEET + """
        maintenanceWindows:
          - {site: plant-a, from: 2025-11-29T22:00:00Z, until: 2025-11-30T04:00:00Z, reference: WO-889}
          - deviceId: elevator-01
            weekly: {days: [sat, Sunday], start: "23:00", duration: PT3H, timeZone: Asia/Tokyo}
        """);

    Asset plc = asset(assets, "plc-01");
    assertEquals(1, plc.getMaintenanceWindows().size());
    assertTrue(RegistrySchedules.inMaintenanceWindow(plc, Instant.parse("2025-11-29T22:00:00Z")));
    assertFalse(RegistrySchedules.inMaintenanceWindow(plc, Instant.parse("2025-11-30T04:00:00Z")), "until exclusive");
    Asset elevator = asset(assets, "elevator-01");
    assertEquals(List.of("SATURDAY", "SUNDAY"), elevator.getMaintenanceWindows().get(0).getDays());
    // Saturday 2025-11-29 23:00 Tokyo = 14:00Z, for three hours: past local midnight into Sunday
    assertFalse(RegistrySchedules.inMaintenanceWindow(elevator, Instant.parse("2025-11-29T13:59:59Z")));
    assertTrue(RegistrySchedules.inMaintenanceWindow(elevator, Instant.parse("2025-11-29T14:00:00Z")));
    assertTrue(RegistrySchedules.inMaintenanceWindow(elevator, Instant.parse("2025-11-29T16:59:59Z")));
    assertFalse(RegistrySchedules.inMaintenanceWindow(elevator, Instant.parse("2025-11-29T17:00:00Z")));
    // Sunday's window starting 23:00 Tokyo closes Monday 02:00 Tokyo; Monday opens none
    assertTrue(RegistrySchedules.inMaintenanceWindow(elevator, Instant.parse("2025-11-30T16:30:00Z")));
    assertFalse(RegistrySchedules.inMaintenanceWindow(elevator, Instant.parse("2025-12-01T14:30:00Z")));
    assertFalse(RegistrySchedules.inMaintenanceWindow(null, Instant.parse("2025-11-29T22:00:00Z")),
        "an unregistered device has no windows");
  }

  @Test
  void theDemoFleetSchedulesPlantAMaintenanceAndApprovesTheCh400Rollback() throws Exception {
    List<Asset> assets = AssetRegistryFile.read(java.nio.file.Path.of("..", "examples", "demo-fleet", "assets.yaml"));

    // Sunday 2025-11-30 03:00 Tokyo = Saturday 18:00Z
    assertTrue(RegistrySchedules.inMaintenanceWindow(asset(assets, "plc-01"), Instant.parse("2025-11-29T18:00:00Z")));
    assertFalse(RegistrySchedules.inMaintenanceWindow(asset(assets, "chiller-01"),
        Instant.parse("2025-11-29T18:00:00Z")), "hq has no scheduled window");
    assertNotNull(RegistrySchedules.approval(asset(assets, "chiller-11"), Version.parse("3.2.0"),
        Version.parse("3.1.0"), Instant.parse("2026-01-15T00:00:00Z")));
    assertTrue(asset(assets, "chiller-01").getApprovedChanges().isEmpty(), "CH-200 has no approval");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "approvedChanges:\n  - {model: S-1500, deviceId: plc-01}\n"
          + "=r.yaml:10: approvedChanges[0]: give exactly one of deviceId and model",
      "approvedChanges:\n  - {deviceId: plc-09}\n"
          + "=r.yaml:10: approvedChanges[0].deviceId: unknown device 'plc-09' (not in assets:)",
      "approvedChanges:\n  - {model: XX-1}\n"
          + "=r.yaml:10: approvedChanges[0].model: unknown model 'XX-1' (not in models: nor on any asset)",
      "approvedChanges:\n  - {model: S-1500, toFirmware: latest}\n"
          + "=r.yaml:10: approvedChanges[0].toFirmware: must be a version like 2.4.0, got 'latest'",
      "approvedChanges:\n  - model: S-1500\n    validFrom: 2025-11-26T00:00:00Z\n    validUntil: 2025-11-25T00:00:00Z\n"
          + "=r.yaml:12: approvedChanges[0].validUntil: must be after validFrom",
      "approvedChanges:\n  - {model: S-1500, validFrom: tomorrow}\n"
          + "=r.yaml:10: approvedChanges[0].validFrom: must be a date-time with offset like 2025-11-29T22:00:00Z",
      "maintenanceWindows:\n  - {site: nowhere, from: 2025-11-29T22:00:00Z, until: 2025-11-30T04:00:00Z}\n"
          + "=r.yaml:10: maintenanceWindows[0].site: unknown site 'nowhere' (no asset has it)",
      "maintenanceWindows:\n  - {site: hq, from: 2025-11-29T22:00:00Z}\n"
          + "=r.yaml:10: maintenanceWindows[0].until: required field is missing",
      "maintenanceWindows:\n  - {site: hq, from: 2025-11-29T22:00:00Z, until: 2025-11-29T21:00:00Z}\n"
          + "=r.yaml:10: maintenanceWindows[0].until: must be after from",
      "maintenanceWindows:\n  - site: hq\n    weekly: {days: [caturday], start: '02:00', duration: PT1H, "
          + "timeZone: UTC}\n"
          + "=r.yaml:11: maintenanceWindows[0].weekly.days: unknown day 'caturday'",
      "maintenanceWindows:\n  - site: hq\n    weekly: {days: [mon], start: '2am', duration: PT1H, timeZone: UTC}\n"
          + "=r.yaml:11: maintenanceWindows[0].weekly.start: must be a local time like 02:00, got '2am'",
      "maintenanceWindows:\n  - site: hq\n    weekly: {days: [mon], start: '02:00', duration: P8D, timeZone: UTC}\n"
          + "=r.yaml:11: maintenanceWindows[0].weekly.duration: must be more than zero and at most P7D",
      "maintenanceWindows:\n  - site: hq\n    weekly: {days: [mon], start: '02:00', duration: PT1H, "
          + "timeZone: Mars/Base}\n"
          + "=r.yaml:11: maintenanceWindows[0].weekly.timeZone: unknown time zone 'Mars/Base'",
      "maintenanceWindows:\n  - site: hq\n    from: 2025-11-29T22:00:00Z\n    weekly: {days: [mon], start: '02:00', "
          + "duration: PT1H, timeZone: UTC}\n"
          + "=r.yaml:12: maintenanceWindows[0].weekly: give either from/until or weekly",
  })
  void namesFileLineAndFieldOfScheduleErrors(String caseText) {
    String[] parts = caseText.split("=r.yaml", 2);
    RegistryException e = assertThrows(RegistryException.class, () -> read(FLEET + parts[0]));

    assertTrue(e.getMessage().startsWith("r.yaml" + parts[1]), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "assets:\n  - {deviceId: 'plc|01', site: s, assetClass: plc}\n=r.yaml:4: assets[0].deviceId",
      "assets:\n  - {deviceId: plc-01, site: 'plant|a', assetClass: plc}\n=r.yaml:4: assets[0].site",
      "assets:\n  - {deviceId: plc-01, site: s, assetClass: plc, model: 'S|1500'}\n=r.yaml:4: assets[0].model",
      "assets:\n  - {deviceId: plc-01, site: s, assetClass: plc, stakeholders: {owner: 'own|er'}}\n"
          + "=r.yaml:4: assets[0].stakeholders.owner",
      "stakeholders:\n  - {id: 'ops|1', name: Ops, role: owner, email: a@b.example}\nassets: []\n"
          + "=r.yaml:4: stakeholders[0].id",
      "models:\n  - {model: 'S|1500', minimumFirmware: 2.9.0}\nassets: []\n=r.yaml:4: models[0].model",
  })
  void rejectsIdsContainingTheCompositeKeySeparator(String caseText) {
    String[] parts = caseText.split("=r.yaml", 2);
    RegistryException e = assertThrows(RegistryException.class, () -> read(
        "apiVersion: fleetwatch.io/v1\nkind: AssetRegistry\n" + parts[0]));

    assertTrue(e.getMessage().startsWith("r.yaml" + parts[1] + ": must not contain '|' (the separator of composite "
        + "store keys), got '"), e.getMessage());
  }
}
