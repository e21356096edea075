package io.fleetwatch.app.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Structure of the Grafana dashboards and their provisioning, and how their queries select scrape jobs. */
class DashboardsTest {
  private static final Set<String> PANELS_WITH_THRESHOLDS = Set.of("stat", "gauge", "bargauge");

  @Test
  void everyExpectedDashboardIsShipped() {
    List<String> names = OpsFiles.dashboards().stream().map(p -> p.getFileName().toString()).toList();
    assertEquals(List.of("fleet-overview.json", "gateway.json", "incidents.json", "streams-internals.json"), names);
  }

  @Test
  void dashboardsHaveUniqueUidsAndTitles() {
    Set<String> uids = new HashSet<>();
    Set<String> titles = new HashSet<>();
    for (Path file : OpsFiles.dashboards()) {
      JsonNode d = OpsFiles.json(file);
      assertTrue(uids.add(d.path("uid").asText()), file + ": duplicate or missing uid");
      assertTrue(titles.add(d.path("title").asText()), file + ": duplicate or missing title");
      assertFalse(d.path("description").asText().isBlank(), file + ": no description");
    }
  }

  @Test
  void everyPanelHasAUniqueIdAQueryAUnitADescriptionAndAProvisionedDatasource() {
    String datasourceUid = provisionedDatasourceUid();
    List<String> problems = new ArrayList<>();
    for (Path file : OpsFiles.dashboards()) {
      Set<Integer> ids = new HashSet<>();
      for (JsonNode panel : OpsFiles.panels(OpsFiles.json(file))) {
        String where = file.getFileName() + " panel '" + panel.path("title").asText() + "'";
        if (!panel.path("id").isInt() || !ids.add(panel.path("id").asInt())) {
          problems.add(where + ": missing or duplicate id " + panel.path("id"));
        }
        if ("row".equals(panel.path("type").asText())) {
          continue;
        }
        if (panel.path("description").asText().isBlank()) {
          problems.add(where + ": no description");
        }
        if (panel.path("fieldConfig").path("defaults").path("unit").asText().isBlank()) {
          problems.add(where + ": no unit");
        }
        if (PANELS_WITH_THRESHOLDS.contains(panel.path("type").asText())
            && panel.path("fieldConfig").path("defaults").path("thresholds").path("steps").size() < 2
            && !panel.path("fieldConfig").path("defaults").has("mappings")) {
          problems.add(where + ": a " + panel.path("type").asText() + " panel without thresholds");
        }
        if (!datasourceUid.equals(panel.path("datasource").path("uid").asText())) {
          problems.add(where + ": datasource " + panel.path("datasource") + " is not the provisioned " + datasourceUid);
        }
        JsonNode targets = panel.path("targets");
        if (targets.isEmpty()) {
          problems.add(where + ": no query");
        }
        for (JsonNode t : targets) {
          if (t.path("expr").asText().isBlank()) {
            problems.add(where + " " + t.path("refId").asText() + ": empty expression");
          }
          if (t.has("datasource") && !datasourceUid.equals(t.path("datasource").path("uid").asText())) {
            problems.add(where + " " + t.path("refId").asText() + ": datasource is not " + datasourceUid);
          }
        }
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void everySelectorOfEveryDashboardAndAlertNamesAScrapeJobOfThePrometheusConfig() {
    Set<String> jobs = new HashSet<>();
    OpsFiles.yaml(OpsFiles.PROMETHEUS_CONFIG).path("scrape_configs").forEach(c -> jobs.add(c.path("job_name").asText()));
    assertEquals(Set.of(OpsFiles.GATEWAY_JOB, OpsFiles.STREAMS_JOB), jobs);
    List<String> problems = new ArrayList<>();
    for (OpsFiles.Query q : OpsFiles.queries()) {
      List<PromQlSelectors.Selector> selectors = PromQlSelectors.of(q.expr());
      if (selectors.isEmpty()) {
        problems.add(q.where() + ": no metric in " + q.expr());
      }
      for (PromQlSelectors.Selector s : selectors) {
        if (!jobs.contains(s.equalTo("job"))) {
          problems.add(q.where() + ": " + s.metric() + " does not select job=\"<one of " + jobs + ">\"");
        }
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void grafanaProvisioningLoadsTheDashboardFolderFromWhereComposeMountsIt() {
    JsonNode providers = OpsFiles.yaml(OpsFiles.GRAFANA.resolve("provisioning/dashboards/fleetwatch.yaml"))
        .path("providers");
    assertEquals(1, providers.size());
    String path = providers.get(0).path("options").path("path").asText();
    JsonNode grafana = OpsFiles.yaml(OpsFiles.COMPOSE).path("services").path("grafana");
    boolean mounted = false;
    for (JsonNode volume : grafana.path("volumes")) {
      String[] parts = volume.asText().split(":");
      mounted |= parts[0].equals("./dashboards/grafana") && parts[1].equals(path);
    }
    assertTrue(mounted, "docker-compose.yml does not mount ./dashboards/grafana at " + path);
  }

  private static String provisionedDatasourceUid() {
    JsonNode datasources = OpsFiles.yaml(OpsFiles.GRAFANA.resolve("provisioning/datasources/prometheus.yaml"))
        .path("datasources");
    assertEquals(1, datasources.size(), "one provisioned datasource");
    assertEquals("prometheus", datasources.get(0).path("type").asText());
    assertEquals("http://prometheus:9090", datasources.get(0).path("url").asText());
    return datasources.get(0).path("uid").asText();
  }
}
