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
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Structure of the Grafana dashboards and their provisioning, and what makes them import into any Grafana: a
 * datasource variable instead of a uid, job and instance variables on every selector, {@code $__rate_interval} for
 * rates, instant queries for single values.
 */
class DashboardsTest {
  private static final Set<String> PANELS_WITH_THRESHOLDS = Set.of("stat", "gauge", "bargauge");
  /** Every panel and query uses the dashboard's datasource variable: no datasource uid is written in a dashboard. */
  private static final String DATASOURCE = "${datasource}";
  private static final Set<String> RATE_FUNCTIONS = Set.of("rate", "irate", "increase", "delta", "idelta", "deriv");

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
  void everyPanelHasAUniqueIdAQueryAUnitADescriptionAndTheDatasourceVariable() {
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
        if (!isDatasourceVariable(panel.path("datasource"))) {
          problems.add(where + ": datasource " + panel.path("datasource") + " is not " + DATASOURCE);
        }
        JsonNode targets = panel.path("targets");
        if (targets.isEmpty()) {
          problems.add(where + ": no query");
        }
        for (JsonNode t : targets) {
          if (t.path("expr").asText().isBlank()) {
            problems.add(where + " " + t.path("refId").asText() + ": empty expression");
          }
          if (!isDatasourceVariable(t.path("datasource"))) {
            problems.add(where + " " + t.path("refId").asText() + ": datasource " + t.path("datasource") + " is not "
                + DATASOURCE);
          }
        }
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void everyDashboardChoosesItsPrometheusJobsAndInstancesThroughVariables() {
    List<String> problems = new ArrayList<>();
    for (Path file : OpsFiles.dashboards()) {
      JsonNode d = OpsFiles.json(file);
      String where = file.getFileName().toString();
      JsonNode datasource = OpsFiles.variable(d, "datasource");
      if (!"datasource".equals(datasource.path("type").asText()) || !"prometheus".equals(datasource.path("query").asText())) {
        problems.add(where + ": no datasource variable of type prometheus: " + datasource);
      }
      if (OpsFiles.componentJobs(d).isEmpty()) {
        problems.add(where + ": the job variable queries none of " + OpsFiles.COMPONENT_METRICS.values());
      }
      for (String name : List.of("job", "instance")) {
        JsonNode v = OpsFiles.variable(d, name);
        String query = v.path("query").asText();
        if (!"query".equals(v.path("type").asText()) || !isDatasourceVariable(v.path("datasource"))
            || !query.matches("label_values\\(.+, " + name + "\\)")) {
          problems.add(where + ": variable " + name + " is not label_values(..., " + name + ") on " + DATASOURCE + ": " + v);
        }
        if (!v.path("multi").asBoolean() || !v.path("includeAll").asBoolean()) {
          problems.add(where + ": variable " + name + " must be multi-value with All");
        }
        if (!v.path("allValue").asText().isEmpty()) {
          // without a custom all value, All is the list of values found: this component's jobs or instances only
          problems.add(where + ": variable " + name + " has allValue " + v.path("allValue") + ", All would match other jobs");
        }
      }
      if (!OpsFiles.variable(d, "instance").path("query").asText().contains("job=~\"$job\"")) {
        problems.add(where + ": the instance variable does not follow the chosen jobs (job=~\"$job\")");
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void everyDashboardSelectorIsNarrowedByTheJobAndInstanceVariables() {
    List<String> problems = new ArrayList<>();
    int selectors = 0;
    for (OpsFiles.Query q : dashboardQueries()) {
      for (PromQlSelectors.Selector s : PromQlSelectors.of(q.expr())) {
        selectors++;
        if (!"=~ $job".equals(s.matchers().get("job")) || !"=~ $instance".equals(s.matchers().get("instance"))) {
          problems.add(q.where() + ": " + s.metric() + " does not select job=~\"$job\", instance=~\"$instance\"");
        }
      }
    }
    assertEquals(List.of(), problems);
    assertTrue(selectors > 80, "only " + selectors + " selectors found");
  }

  @Test
  void everyAlertSelectorNamesAScrapeJobOfThePrometheusConfig() {
    Set<String> jobs = new HashSet<>();
    OpsFiles.yaml(OpsFiles.PROMETHEUS_CONFIG).path("scrape_configs").forEach(c -> jobs.add(c.path("job_name").asText()));
    assertEquals(Set.of(OpsFiles.GATEWAY_JOB, OpsFiles.STREAMS_JOB), jobs);
    assertEquals(jobs, OpsFiles.COMPONENT_METRICS.keySet());
    List<String> problems = new ArrayList<>();
    for (OpsFiles.Query q : OpsFiles.queries()) {
      List<PromQlSelectors.Selector> selectors = PromQlSelectors.of(q.expr());
      if (selectors.isEmpty()) {
        problems.add(q.where() + ": no metric in " + q.expr());
      }
      if (q.where().startsWith("dashboards/grafana/")) {
        continue; // dashboards select jobs through their variables
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
  void rateWindowsAreTheRateIntervalUnlessThePanelTitleNamesTheWindow() {
    assertNoProblemInAnyPanel((where, panel, problems) -> {
      String title = panel.path("title").asText();
      for (JsonNode t : panel.path("targets")) {
        for (PromQlSelectors.Window w : PromQlSelectors.windows(t.path("expr").asText())) {
          if (RATE_FUNCTIONS.contains(w.function()) && !w.range().equals("$__rate_interval")
              && !title.matches(".*\\b" + Pattern.quote(w.range()) + "\\b.*")) {
            problems.add(where + " " + t.path("refId").asText() + ": " + w.function() + "[" + w.range()
                + "] is neither [$__rate_interval] nor a window named in the title");
          }
        }
      }
    });
  }

  @Test
  void singleValuePanelsQueryInstantOnlyAndTimeSeriesRangeOnly() {
    assertNoProblemInAnyPanel((where, panel, problems) -> {
      String type = panel.path("type").asText();
      boolean single = PANELS_WITH_THRESHOLDS.contains(type);
      if (!single && !type.equals("timeseries")) {
        problems.add(where + ": unexpected type " + type);
      }
      for (JsonNode t : panel.path("targets")) {
        if (t.path("instant").asBoolean() != single || t.path("range").asBoolean() == single) {
          problems.add(where + " " + t.path("refId").asText() + ": a " + type + " query must be "
              + (single ? "instant only" : "range only") + ", has instant=" + t.path("instant") + " range=" + t.path("range"));
        }
      }
      if (single && !panel.path("options").path("graphMode").asText("none").equals("none")) {
        problems.add(where + ": a sparkline needs a range query");
      }
    });
  }

  /** What a check found wrong with one panel ({@code where} names dashboard and panel). */
  private interface PanelCheck {
    void check(String where, JsonNode panel, List<String> problems);
  }

  private static void assertNoProblemInAnyPanel(PanelCheck check) {
    List<String> problems = new ArrayList<>();
    for (Path file : OpsFiles.dashboards()) {
      for (JsonNode panel : OpsFiles.panels(OpsFiles.json(file))) {
        if (!"row".equals(panel.path("type").asText())) {
          check.check(file.getFileName() + " panel '" + panel.path("title").asText() + "'", panel, problems);
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

  @Test
  void composeProvisionsOnePrometheusDatasourceAsTheDefaultTheDatasourceVariablePicks() {
    JsonNode datasources = OpsFiles.yaml(OpsFiles.GRAFANA.resolve("provisioning/datasources/prometheus.yaml"))
        .path("datasources");
    assertEquals(1, datasources.size(), "one provisioned datasource");
    assertEquals("prometheus", datasources.get(0).path("type").asText());
    assertEquals("http://prometheus:9090", datasources.get(0).path("url").asText());
    assertTrue(datasources.get(0).path("isDefault").asBoolean());
  }

  private static boolean isDatasourceVariable(JsonNode datasource) {
    return "prometheus".equals(datasource.path("type").asText()) && DATASOURCE.equals(datasource.path("uid").asText());
  }

  private static List<OpsFiles.Query> dashboardQueries() {
    return OpsFiles.queries().stream().filter(q -> q.where().startsWith("dashboards/grafana/")).toList();
  }
}
