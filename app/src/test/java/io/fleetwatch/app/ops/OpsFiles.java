package io.fleetwatch.app.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The operator-facing files of the repository, read as tests need them: Grafana dashboards, Prometheus configuration
 * and alert rules, docker-compose.yml. Paths are relative to the repository root (tests run in {@code app/}).
 */
final class OpsFiles {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path GRAFANA = ROOT.resolve("dashboards/grafana");
  static final Path PROMETHEUS_CONFIG = ROOT.resolve("dashboards/prometheus/prometheus.yml");
  static final Path ALERTS = ROOT.resolve("dashboards/prometheus/alerts.yml");
  static final Path ALERT_TESTS = ROOT.resolve("dashboards/prometheus/alerts.test.yml");
  static final Path COMPOSE = ROOT.resolve("docker-compose.yml");
  static final Path ALERTMANAGER_CONFIG = ROOT.resolve("deploy/alertmanager/alertmanager.yml");
  static final Path METRICS_DOC = ROOT.resolve("docs/metrics.md");
  static final Path OPERATIONS_DOC = ROOT.resolve("docs/operations.md");

  static final String GATEWAY_JOB = "fleetwatch-gateway";
  static final String STREAMS_JOB = "fleetwatch-streams";
  /**
   * The metric that identifies each component: a dashboard's {@code job} variable lists the jobs serving it, so the
   * dashboard needs no job name and "All" means every instance of that component. Keyed by the job that serves it here.
   */
  static final Map<String, String> COMPONENT_METRICS = Map.of(
      GATEWAY_JOB, "fleetwatch_gateway_mqtt_connected", STREAMS_JOB, "kafka_stream_client_state");

  /**
   * A PromQL expression, where it is used (for messages) and the scrape jobs of the Prometheus config that serve its
   * metrics: for a dashboard the components its {@code job} variable lists, for an alert rule the jobs its selectors
   * name.
   */
  record Query(String where, String expr, Set<String> jobs) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML = new YAMLMapper();

  private OpsFiles() {}

  static List<Path> dashboards() {
    try (Stream<Path> files = Files.list(GRAFANA)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode json(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new AssertionError(ROOT.relativize(file) + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  static JsonNode yaml(Path file) {
    try {
      return YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new AssertionError(ROOT.relativize(file) + " is not valid YAML: " + e.getMessage(), e);
    }
  }

  /** The panels of a dashboard, rows' nested panels included. */
  static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> all = new ArrayList<>();
    for (JsonNode p : dashboard.path("panels")) {
      all.add(p);
      p.path("panels").forEach(all::add);
    }
    return all;
  }

  /** The template variable {@code name} of a dashboard, or a missing node. */
  static JsonNode variable(JsonNode dashboard, String name) {
    for (JsonNode v : dashboard.path("templating").path("list")) {
      if (name.equals(v.path("name").asText())) {
        return v;
      }
    }
    return dashboard.path("templating").path("no such variable");
  }

  /** The jobs whose identifying metric ({@link #COMPONENT_METRICS}) a dashboard's {@code job} variable queries. */
  static Set<String> componentJobs(JsonNode dashboard) {
    String definition = variable(dashboard, "job").path("query").asText();
    Set<String> jobs = new TreeSet<>();
    COMPONENT_METRICS.forEach((job, metric) -> {
      if (definition.matches(".*\\b" + metric + "\\b.*")) {
        jobs.add(job);
      }
    });
    return jobs;
  }

  /** Every query of every dashboard panel and every alert rule. */
  static List<Query> queries() {
    List<Query> queries = new ArrayList<>();
    for (Path file : dashboards()) {
      JsonNode dashboard = json(file);
      Set<String> jobs = componentJobs(dashboard);
      for (JsonNode panel : panels(dashboard)) {
        for (JsonNode target : panel.path("targets")) {
          queries.add(new Query(ROOT.relativize(file) + " panel '" + panel.path("title").asText() + "' "
              + target.path("refId").asText(), target.path("expr").asText(), jobs));
        }
      }
    }
    for (JsonNode group : yaml(ALERTS).path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        String name = rule.has("alert") ? rule.path("alert").asText() : rule.path("record").asText();
        String expr = rule.path("expr").asText();
        Set<String> jobs = new TreeSet<>();
        PromQlSelectors.of(expr).forEach(s -> {
          if (s.equalTo("job") != null) {
            jobs.add(s.equalTo("job"));
          }
        });
        queries.add(new Query(ROOT.relativize(ALERTS) + " rule " + name, expr, jobs));
      }
    }
    return queries;
  }
}
