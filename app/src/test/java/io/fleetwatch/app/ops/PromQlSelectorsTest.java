package io.fleetwatch.app.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PromQlSelectorsTest {

  private static List<String> names(String expr) {
    return PromQlSelectors.of(expr).stream().map(PromQlSelectors.Selector::metric).toList();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "up{job=\"fleetwatch-gateway\"} == 0 | up",
      "sum by (channel) (rate(fleetwatch_gateway_messages_forwarded_total{job=\"g\"}[$__rate_interval])) | fleetwatch_gateway_messages_forwarded_total",
      "histogram_quantile(0.99, sum by (le, policy) (rate(fleetwatch_incident_detection_latency_seconds_bucket[5m]))) | fleetwatch_incident_detection_latency_seconds_bucket",
      "sum(rate(a_total[5m])) without (instance) / on (job) group_left (team) b | a_total,b",
      "rate(x_seconds_count{outcome=\"failure\"}[5m]) > 0 and bool y offset 5m | x_seconds_count,y",
      "label_replace(z, \"dst\", \"$1\", \"src\", \"(.*)\") | z",
      "{__name__=\"named_by_matcher\", job=\"s\"} | named_by_matcher",
      "max_over_time(deriv(lag[10m:1m])[1h:]) > 1e-9 * 2.5 | lag",
      "sum(rate(a[5m])) by (job) | a",
  })
  void findsMetricNamesButNotFunctionsLabelsKeywordsStringsOrDurations(String expr, String expected) {
    assertEquals(List.of(expected.split(",")), names(expr));
  }

  @Test
  void readsLabelMatchersWithTheirOperators() {
    PromQlSelectors.Selector s = PromQlSelectors.of(
        "kafka_lag{job=\"fleetwatch-streams\", client_id=~\".+-StreamThread-[0-9]+-consumer\", topic!~\".*_.*\"}").get(0);
    assertEquals("fleetwatch-streams", s.equalTo("job"));
    assertEquals("=~ .+-StreamThread-[0-9]+-consumer", s.matchers().get("client_id"));
    assertEquals(null, s.equalTo("topic"));
  }

  @Test
  void findsEveryRangeWindowWithTheFunctionItFeedsSkippingBracketsInStrings() {
    assertEquals(List.of(new PromQlSelectors.Window("rate", "$__rate_interval"),
            new PromQlSelectors.Window("increase", "1h"), new PromQlSelectors.Window("deriv", "10m:1m"),
            new PromQlSelectors.Window("max_over_time", "1h:")),
        PromQlSelectors.windows("histogram_quantile(0.5, sum by (le) (rate(a_bucket{c=~\"x-[0-9]+\"}[$__rate_interval])))"
            + " / sum(increase (b[1h])) + max_over_time(deriv(lag[10m:1m])[1h:])"));
  }

  @Test
  void rejectsAnUnterminatedSelectorInsteadOfGuessing() {
    assertThrows(IllegalArgumentException.class, () -> PromQlSelectors.of("up{job=\"x\""));
  }
}
