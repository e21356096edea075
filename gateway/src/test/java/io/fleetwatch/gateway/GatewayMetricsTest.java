package io.fleetwatch.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class GatewayMetricsTest {
  private static final Pattern BUCKET = Pattern.compile(
      "fleetwatch_gateway_kafka_send_seconds_bucket\\{outcome=\"(\\w+)\",le=\"([^\"]+)\"} (\\S+)");

  @Test
  void kafkaSendTimerServesHistogramBucketsFromOneMillisecondToTheDeliveryTimeout() {
    // Given the gateway's meters in a Prometheus registry
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    GatewayMetrics metrics = new GatewayMetrics(registry);

    // When a send is acknowledged after 3 ms and another fails after the delivery timeout
    metrics.kafkaSend(Duration.ofMillis(3).toNanos(), true);
    metrics.kafkaSend(Duration.ofSeconds(120).toNanos(), false);

    // Then both outcomes serve buckets from 1 ms to 120 s (and +Inf), and each send falls in its bucket
    String scrape = registry.scrape();
    for (String outcome : List.of("success", "failure")) {
      List<Double> bounds = new ArrayList<>();
      Matcher m = BUCKET.matcher(scrape);
      while (m.find()) {
        if (m.group(1).equals(outcome) && !m.group(2).equals("+Inf")) {
          bounds.add(Double.parseDouble(m.group(2)));
        }
      }
      assertTrue(bounds.size() > 10, outcome + ": " + bounds);
      assertEquals(0.001, bounds.get(0), 1e-9, outcome + " lowest bound");
      assertEquals(120.0, bounds.get(bounds.size() - 1), 1e-9, outcome + " highest bound");
    }
    assertEquals(0.0, cumulative(scrape, "success", 0.002), "nothing at or below 2 ms");
    assertEquals(1.0, cumulative(scrape, "success", 0.005), "the 3 ms send at or below 5 ms");
    assertEquals(0.0, cumulative(scrape, "failure", 100.0), "the failed send took 120 s");
    assertEquals(1.0, cumulative(scrape, "failure", 120.0), "the failed send took 120 s");
  }

  @Test
  void everyPayloadSourceServesItsCountersFromTheStartAtZero() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    GatewayMetrics metrics = new GatewayMetrics(registry);

    metrics.source("sparkplug").rejected(io.fleetwatch.avro.DeadLetterReason.SPARKPLUG_NO_BIRTH);
    metrics.source("no-such-source").received();

    String scrape = registry.scrape();
    for (String source : List.of("native", "sparkplug", "senml", "mapped")) {
      assertTrue(scrape.contains("fleetwatch_gateway_source_received_total{source=\"" + source + "\"}"), source);
      assertTrue(scrape.contains("fleetwatch_gateway_source_mapped_total{source=\"" + source + "\"} 0.0"), source);
      assertTrue(scrape.contains("fleetwatch_gateway_source_rejected_total{reason=\"sparkplug_unknown_alias\",source=\""
          + source + "\"} 0.0"), source);
    }
    assertTrue(scrape.contains(
        "fleetwatch_gateway_source_rejected_total{reason=\"sparkplug_no_birth\",source=\"sparkplug\"} 1.0"), scrape);
    assertTrue(scrape.contains("fleetwatch_gateway_source_received_total{source=\"unknown\"} 1.0"),
        "a source outside the closed set counts as unknown");
  }

  /** The cumulative count of the highest bucket at or below {@code seconds}. */
  private static double cumulative(String scrape, String outcome, double seconds) {
    double count = 0;
    Matcher m = BUCKET.matcher(scrape);
    while (m.find()) {
      if (m.group(1).equals(outcome) && !m.group(2).equals("+Inf") && Double.parseDouble(m.group(2)) <= seconds) {
        count = Math.max(count, Double.parseDouble(m.group(3)));
      }
    }
    return count;
  }
}
