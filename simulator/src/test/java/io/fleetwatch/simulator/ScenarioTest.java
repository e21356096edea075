package io.fleetwatch.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ScenarioTest {

  private final Scenario.ValueFault overheat = Scenario.ValueFault.chillerOverheat("chiller-01");

  @Test
  void chillerOverheatForcesSupplyTemperatureAboveEnvelopeDuringTheFaultWindowOnly() {
    assertFalse(overheat.override("chiller-01", "supply_temp_c", Duration.ofSeconds(9)).isPresent());
    assertEquals(15.0, overheat.override("chiller-01", "supply_temp_c", Duration.ofSeconds(10)).getAsDouble());
    assertEquals(15.0, overheat.override("chiller-01", "supply_temp_c", Duration.ofMillis(29_999)).getAsDouble());
    assertFalse(overheat.override("chiller-01", "supply_temp_c", Duration.ofSeconds(30)).isPresent());
  }

  @Test
  void chillerOverheatRepeatsEveryPeriod() {
    assertTrue(overheat.override("chiller-01", "supply_temp_c", Duration.ofSeconds(120 + 15)).isPresent());
    assertFalse(overheat.override("chiller-01", "supply_temp_c", Duration.ofSeconds(120 + 5)).isPresent());
  }

  @Test
  void leavesOtherDevicesAndMetricsAlone() {
    assertFalse(overheat.override("chiller-02", "supply_temp_c", Duration.ofSeconds(15)).isPresent());
    assertFalse(overheat.override("chiller-01", "return_temp_c", Duration.ofSeconds(15)).isPresent());
  }

  @Test
  void rejectsAPeriodShorterThanTheFault() {
    assertThrows(IllegalArgumentException.class, () -> new Scenario.ValueFault("x", "d", "m", 1.0,
        Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(25), "none"));
  }

  @Test
  void normalSignalsOfAChillerStayInsideTheSafeEnvelope() {
    Signal supply = Signal.normalFor("chiller").get(0);
    assertEquals("supply_temp_c", supply.metric());
    // 6 standard deviations of noise on top of the cycle amplitude still inside [4, 12]
    double worst = supply.amplitude() + 6 * supply.noise();
    assertTrue(supply.baseline() - worst > 4.0 && supply.baseline() + worst < 12.0);
  }

  @Test
  void telemetryPayloadFollowsTheDeviceContract() {
    TelemetryPayload payload = new TelemetryPayload();
    String json = new String(payload.begin(1764100000123L, 42).metric("a", 1.23456).metric("b", -2).end(),
        java.nio.charset.StandardCharsets.UTF_8);
    assertEquals("{\"ts\":1764100000123,\"seq\":42,\"metrics\":{\"a\":1.235,\"b\":-2.0}}", json);
  }
}
