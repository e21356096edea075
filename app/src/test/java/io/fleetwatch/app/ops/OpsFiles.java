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
  static final Path METRICS_DOC = ROOT.resolve("docs/metrics.md");

  static final String GATEWAY_JOB = "fleetwatch-gateway";
  static final String STREAMS_JOB = "fleetwatch-streams";

  /** A PromQL expression and where it is used, for messages. */
  record Query(String where, String expr) {}

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

  /** Every query of every dashboard panel and every alert rule. */
  static List<Query> queries() {
    List<Query> queries = new ArrayList<>();
    for (Path file : dashboards()) {
      for (JsonNode panel : panels(json(file))) {
        for (JsonNode target : panel.path("targets")) {
          queries.add(new Query(ROOT.relativize(file) + " panel '" + panel.path("title").asText() + "' "
              + target.path("refId").asText(), target.path("expr").asText()));
        }
      }
    }
    for (JsonNode group : yaml(ALERTS).path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        String name = rule.has("alert") ? rule.path("alert").asText() : rule.path("record").asText();
        queries.add(new Query(ROOT.relativize(ALERTS) + " rule " + name, rule.path("expr").asText()));
      }
    }
    return queries;
  }
}
