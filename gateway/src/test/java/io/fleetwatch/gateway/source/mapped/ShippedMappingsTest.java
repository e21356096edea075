package io.fleetwatch.gateway.source.mapped;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.DeadLetterReason;
import io.fleetwatch.gateway.mapping.MqttTopicParser;
import io.fleetwatch.gateway.mapping.ParseResult;
import io.fleetwatch.gateway.mapping.PayloadParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The mappings shipped in examples/mappings make the same records as the native contract for the same readings. */
class ShippedMappingsTest {
  private static final long RECEIVED_AT = Instant.parse("2026-12-02T08:15:31Z").toEpochMilli();

  private final MqttTopicParser nativeTopics = MqttTopicParser.withDefaultRoot();
  private final PayloadParser nativePayloads = PayloadParser.withDefaults();

  private static MappedSource source(String file) {
    return new MappedSource(MappingFile.read(Path.of("../examples/mappings", file)), PayloadParser.withDefaults());
  }

  private static ParseResult mapped(MappedSource source, String topic, String json) {
    List<ParseResult> results = source.decode(topic, json.getBytes(StandardCharsets.UTF_8), RECEIVED_AT);
    assertEquals(1, results.size(), results::toString);
    return results.get(0);
  }

  private void assertSameAsNative(ParseResult mapped, String nativeTopic, String nativeJson) {
    ParseResult expected = nativePayloads.parse(nativeTopics.parse(nativeTopic),
        nativeJson.getBytes(StandardCharsets.UTF_8), RECEIVED_AT);
    assertInstanceOf(ParseResult.Accepted.class, expected, expected::toString);
    assertEquals(expected, mapped);
  }

  @Test
  void bacnetChillerSupplyTemperatureInFahrenheitIsTheNativeCelsiusReading() {
    MappedSource bacnet = source("bacnet-building.yaml");

    // Given a BACnet analog input in degrees Fahrenheit; 59 degF is the 15 degC overheat of the README
    ParseResult result = mapped(bacnet, "bacnet/hq/chiller-01/present-value", "{\"objectName\":\"CH1-CHWS-T\","
        + "\"objectType\":\"analog-input\",\"objectInstance\":3,\"presentValue\":59.0,\"units\":\"degrees-fahrenheit\","
        + "\"statusFlags\":[false,false,false,false],\"timestamp\":\"2026-12-02T08:15:30.250Z\"}");

    // Then it is what the chiller would have published natively
    assertSameAsNative(result, "fleet/hq/chiller-01/telemetry",
        "{\"ts\":\"2026-12-02T08:15:30.250Z\",\"metrics\":{\"supply_temp_c\":15.0}}");
  }

  @Test
  void bacnetPointsInOtherUnitsAndBinaryPointsMapToTheirNativeMetrics() {
    MappedSource bacnet = source("bacnet-building.yaml");
    String ts = "\"timestamp\":\"2026-12-02T08:15:30.250Z\"";

    assertSameAsNative(mapped(bacnet, "bacnet/hq/chiller-01/present-value", "{\"objectName\":\"CH1-CHWS-T\","
        + "\"presentValue\":8.5,\"units\":\"degrees-celsius\"," + ts + "}"), "fleet/hq/chiller-01/telemetry",
        "{\"ts\":\"2026-12-02T08:15:30.250Z\",\"metrics\":{\"supply_temp_c\":8.5}}");
    assertSameAsNative(mapped(bacnet, "bacnet/hq/chiller-01/present-value", "{\"objectName\":\"CH1-RUN\","
        + "\"objectType\":\"binary-input\",\"presentValue\":\"active\"," + ts + "}"), "fleet/hq/chiller-01/telemetry",
        "{\"ts\":\"2026-12-02T08:15:30.250Z\",\"metrics\":{\"running\":1}}");
    assertSameAsNative(mapped(bacnet, "bacnet/hq/boiler-01/present-value", "{\"objectName\":\"BLR1-PRES\","
        + "\"presentValue\":29.0,\"units\":\"pounds-force-per-square-inch\"," + ts + "}"), "fleet/hq/boiler-01/telemetry",
        "{\"ts\":\"2026-12-02T08:15:30.250Z\",\"metrics\":{\"pressure_kpa\":199.947961502}}");
    assertSameAsNative(mapped(bacnet, "bacnet/hq/meter-01/present-value", "{\"objectName\":\"SRV-RM-T\","
        + "\"presentValue\":89.6,\"units\":\"degrees-fahrenheit\"," + ts + "}"), "fleet/hq/meter-01/telemetry",
        "{\"ts\":\"2026-12-02T08:15:30.250Z\",\"metrics\":{\"room_temp_c\":32}}");
  }

  @Test
  void bacnetPointInAnUnmappedUnitIsNoMatch() {
    ParseResult result = mapped(source("bacnet-building.yaml"), "bacnet/hq/chiller-01/present-value",
        "{\"objectName\":\"CH1-CHWS-T\",\"presentValue\":281.15,\"units\":\"degrees-kelvin\","
            + "\"timestamp\":\"2026-12-02T08:15:30.250Z\"}");

    ParseResult.Rejected rejected = assertInstanceOf(ParseResult.Rejected.class, result);
    assertEquals(DeadLetterReason.MAPPING_NO_MATCH, rejected.reason());
    assertTrue(rejected.detail().contains("chiller-supply-temp-degf: /units is 'degrees-kelvin', not "
        + "'degrees-fahrenheit'"), rejected.detail());
  }

  @Test
  void modbusRegisterArraysWithLocalTimeAreTheNativeReading() {
    ParseResult result = mapped(source("modbus-edge.yaml"), "edge/plant-a/modbus/plc-01/data",
        "{\"d\":{\"temp\":[612,598],\"pres\":[1013],\"run\":[true]},\"ts\":\"2026-12-02 17:15:30.250\"}");

    assertSameAsNative(result, "fleet/plant-a/plc-01/telemetry", "{\"ts\":\"2026-12-02T08:15:30.250Z\",\"metrics\":"
        + "{\"motor_temp_c\":61.2,\"drive_temp_c\":59.8,\"line_pressure_kpa\":101.3,\"running\":1}}");
  }

  @Test
  void modbusStatusIsTheNativeStateReport() {
    ParseResult result = mapped(source("modbus-edge.yaml"), "edge/plant-a/modbus/plc-01/status",
        "{\"fw\":\"3.1.4\",\"model\":\"FX-500\",\"vendor\":\"acme\",\"ports\":[502]}");

    assertSameAsNative(result, "fleet/plant-a/plc-01/state", "{\"ts\":" + RECEIVED_AT + ",\"model\":\"FX-500\","
        + "\"vendor\":\"acme\",\"firmware\":\"3.1.4\",\"open_ports\":[502]}");
  }

  @Test
  void modbusEmergencyStopIsTheNativeInterlockEvent() {
    MappedSource modbus = source("modbus-edge.yaml");

    assertSameAsNative(mapped(modbus, "edge/plant-a/modbus/plc-01/alarm", "{\"code\":\"ESTOP\",\"active\":true,"
        + "\"ts\":\"2026-12-02 17:15:30.250\",\"line\":\"press-2\"}"), "fleet/plant-a/plc-01/event",
        "{\"ts\":\"2026-12-02T08:15:30.250Z\",\"type\":\"interlock\",\"attributes\":{\"state\":\"open\","
            + "\"cause\":\"emergency-stop\",\"line\":\"press-2\"}}");
    assertSameAsNative(mapped(modbus, "edge/plant-a/modbus/plc-01/alarm", "{\"code\":\"ESTOP\",\"active\":false,"
        + "\"ts\":\"2026-12-02 17:15:30.250\",\"line\":\"press-2\"}"), "fleet/plant-a/plc-01/event",
        "{\"ts\":\"2026-12-02T08:15:30.250Z\",\"type\":\"interlock\",\"attributes\":{\"state\":\"closed\","
            + "\"cause\":\"emergency-stop\",\"line\":\"press-2\"}}");
  }

  @Test
  void shippedUnitMapReads() {
    assertEquals("Cel", io.fleetwatch.gateway.source.senml.UnitMap.read(Path.of("../examples/senml/units.yaml"))
        .expected("supply_temp_c"));
  }
}
