package io.fleetwatch.streams.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fleetwatch.avro.Severity;
import io.fleetwatch.avro.ViolationStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Meters whose tag values are known at start exist with 0 before any record, so a dashboard's {@code increase()} of
 * the first event is 1, not nothing.
 */
class MetricsAtStartTest {

  @Test
  void registersEveryPolicyCounterAndTimerWithZeroBeforeAnyRecord() {
    // Given a fresh registry and a catalogue of two policies
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    // When the streams metrics are created
    new PipelineMetrics(registry, Set.of("SAF-01", "SEC-01"));
    new IncidentMetrics(registry, () -> Set.of("SAF-01", "SEC-01"), List.of("I", "II"));

    // Then every policy has each counter and timer at 0
    for (String policy : List.of("SAF-01", "SEC-01")) {
      assertEquals(0.0, registry.get(PipelineMetrics.EVALUATIONS).tag("policy", policy).counter().count());
      for (String status : List.of("raised", "cleared")) {
        assertEquals(0.0, registry.get(PipelineMetrics.VIOLATIONS).tag("policy", policy).tag("status", status)
            .counter().count());
      }
      for (String severity : List.of("info", "low", "medium", "high", "critical")) {
        assertEquals(0.0, registry.get(PipelineMetrics.INCIDENTS_OPENED).tag("policy", policy)
            .tag("severity", severity).counter().count());
        assertEquals(0.0, registry.get(PipelineMetrics.INCIDENTS_RESOLVED).tag("policy", policy)
            .tag("severity", severity).counter().count());
        assertEquals(0L, registry.get(IncidentMetrics.ACKNOWLEDGE_TIME).tag("policy", policy)
            .tag("severity", severity).timer().count());
      }
      assertEquals(0L, registry.get(PipelineMetrics.DETECTION_LATENCY).tag("policy", policy).timer().count());
      assertEquals(0L, registry.get(PipelineMetrics.DETECTION_LATENCY_FROM_GATEWAY).tag("policy", policy).timer()
          .count());
    }
    // and no meter is made up for the unknown tags
    assertNull(registry.find(PipelineMetrics.VIOLATIONS).tag("status", "unknown").counter());
    assertNull(registry.find(PipelineMetrics.INCIDENTS_OPENED).tag("severity", "unknown").counter());
  }

  @Test
  void theFirstEventIncrementsThePreRegisteredMeterItself() {
    // Given meters registered at start
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PipelineMetrics metrics = new PipelineMetrics(registry, Set.of("SAF-01"));

    // When the first violation and incident happen
    metrics.violation("SAF-01", ViolationStatus.RAISED);
    metrics.incidentOpened("SAF-01", Severity.HIGH, Duration.ofMillis(120), null);
    metrics.incidentResolved("SAF-01", Severity.HIGH);

    // Then the same series go from 0 to 1 (one meter per series, no duplicate)
    assertEquals(1.0, registry.get(PipelineMetrics.VIOLATIONS).tag("policy", "SAF-01").tag("status", "raised")
        .counter().count());
    assertEquals(1, registry.get(PipelineMetrics.VIOLATIONS).tag("policy", "SAF-01").tag("status", "raised")
        .counters().size());
    assertEquals(1.0, registry.get(PipelineMetrics.INCIDENTS_OPENED).tag("policy", "SAF-01").tag("severity", "high")
        .counter().count());
    assertEquals(1.0, registry.get(PipelineMetrics.INCIDENTS_RESOLVED).tag("policy", "SAF-01")
        .tag("severity", "high").counter().count());
    assertEquals(1L, registry.get(PipelineMetrics.DETECTION_LATENCY).tag("policy", "SAF-01").timer().count());
  }

  @Test
  void servesTheBucketsOfEveryPreRegisteredHistogramInTheScrape() {
    // Given a Prometheus registry with the streams metrics of one policy
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new PipelineMetrics(registry, Set.of("SAF-01"));
    new IncidentMetrics(registry, () -> Set.of("SAF-01"), List.of("I"));

    // When it is scraped before any event
    String scrape = registry.scrape();

    // Then the histograms the dashboards use are there, with buckets
    for (String series : List.of("fleetwatch_incident_acknowledge_time_seconds_bucket",
        "fleetwatch_incident_detection_latency_seconds_bucket", "fleetwatch_incidents_resolved_total",
        "fleetwatch_incidents_opened_total")) {
      assertNotNull(scrape.lines().filter(l -> l.startsWith(series + "{")).findFirst().orElse(null),
          series + " missing from the scrape before any event");
    }
  }
}
