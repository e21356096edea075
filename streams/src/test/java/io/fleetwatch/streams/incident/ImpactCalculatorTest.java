package io.fleetwatch.streams.incident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.BusinessImpact;
import io.fleetwatch.avro.BusinessService;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImpactCalculatorTest {
  private static final Instant OPENED = Instant.parse("2025-11-25T10:00:00Z");
  private static final BusinessService COOLING = service("datacenter-cooling", 1800, 2_400_000, false);
  private static final BusinessService HVAC = service("hvac-hq", 4 * 3600, 150_000, true);

  private static BusinessService service(String id, long rto, double costPerHour, boolean fallback) {
    return BusinessService.newBuilder().setId(id).setName(id).setRtoSeconds(rto).setRpoSeconds(0)
        .setCostPerHour(costPerHour).setCurrency("JPY").setManualFallback(fallback).build();
  }

  @Test
  void addsCostRatesTakesTheTightestRtoAndCountsDowntimeSoFar() {
    BusinessImpact impact = ImpactCalculator.assess(List.of(HVAC, COOLING), OPENED, OPENED.plusSeconds(900),
        OPENED.plusSeconds(900));

    assertEquals(2_550_000.0, impact.getCostPerHour());
    assertEquals(900, impact.getDowntimeSeconds());
    assertEquals(637_500.0, impact.getCostSoFar());
    assertEquals(1800L, impact.getRtoSeconds());
    assertEquals(900L, impact.getSecondsUntilRtoBreach());
    assertFalse(impact.getRtoBreached());
    assertFalse(impact.getManualFallback(), "cooling has none");
  }

  @Test
  void withoutServicesThereIsNoImpact() {
    assertNull(ImpactCalculator.assess(List.of(), OPENED, OPENED, OPENED));
  }

  @ParameterizedTest(name = "{0} s down of a 1800 s RTO -> level {1}")
  @CsvSource({"0, 0", "899, 0", "900, 1", "1439, 1", "1440, 2", "1799, 2", "1800, 3", "7200, 3"})
  void escalatesAtTheConfiguredFractionsOfTheRto(long downtime, int level) {
    BusinessImpact impact = ImpactCalculator.assess(List.of(COOLING), OPENED, OPENED.plusSeconds(downtime),
        OPENED.plusSeconds(downtime));
    assertEquals(level, ImpactCalculator.escalationLevel(impact, IncidentRules.defaults().escalation()));
    assertEquals(downtime >= 1800, impact.getRtoBreached());
    assertTrue(impact.getSecondsUntilRtoBreach() == 1800 - downtime);
  }
}
