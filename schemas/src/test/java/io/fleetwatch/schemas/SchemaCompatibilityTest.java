package io.fleetwatch.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.Asset;
import io.fleetwatch.avro.BusinessService;
import io.fleetwatch.avro.CheckState;
import io.fleetwatch.avro.DeadLetter;
import io.fleetwatch.avro.DeviceEvent;
import io.fleetwatch.avro.DeviceState;
import io.fleetwatch.avro.DeviceTwin;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.Policy;
import io.fleetwatch.avro.Stakeholder;
import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.avro.Violation;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Guards the promise that records written with any released schema stay readable: every current schema must be
 * a released snapshot (so a change forces a new snapshot) and must read data of every earlier snapshot.
 */
class SchemaCompatibilityTest {

  static Stream<Class<? extends SpecificRecord>> recordTypes() {
    return Stream.of(Telemetry.class, DeviceEvent.class, DeviceState.class, DeadLetter.class, Asset.class,
        Violation.class, Incident.class, io.fleetwatch.avro.IncidentCommand.class,
        io.fleetwatch.avro.IncidentCommandRejection.class, DeviceTwin.class, CheckState.class, Policy.class, BusinessService.class,
        Stakeholder.class, io.fleetwatch.avro.Advisory.class, io.fleetwatch.avro.KnownExploited.class,
        io.fleetwatch.avro.DeviceModel.class, io.fleetwatch.avro.Sbom.class, io.fleetwatch.avro.DeviceInventory.class,
        io.fleetwatch.avro.DeviceFinding.class, io.fleetwatch.avro.GroupSignal.class,
        io.fleetwatch.avro.DeviceCheckStates.class);
  }

  @ParameterizedTest
  @MethodSource("recordTypes")
  void currentSchemaIsAReleasedSnapshot(Class<? extends SpecificRecord> type) {
    Schema current = SpecificData.get().getSchema(type);
    List<Schema> released = AvroSerde.SchemaHistory.released(current.getName());

    assertFalse(released.isEmpty(), "no released snapshot for " + current.getName());
    long fingerprint = SchemaNormalization.parsingFingerprint64(current);
    assertTrue(released.stream().anyMatch(s -> SchemaNormalization.parsingFingerprint64(s) == fingerprint),
        current.getName() + " changed: add a snapshot history/" + current.getName() + "/v"
            + (released.size() + 1) + ".avsc and list it in index.txt");
  }

  @ParameterizedTest
  @MethodSource("recordTypes")
  void currentSchemaReadsEveryReleasedVersion(Class<? extends SpecificRecord> type) {
    Schema current = SpecificData.get().getSchema(type);

    for (Schema writer : AvroSerde.SchemaHistory.released(current.getName())) {
      SchemaCompatibility.SchemaPairCompatibility result =
          SchemaCompatibility.checkReaderWriterCompatibility(current, writer);
      assertEquals(SchemaCompatibilityType.COMPATIBLE, result.getType(),
          current.getName() + " cannot read a released version: " + result.getDescription());
    }
  }
}
