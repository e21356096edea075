package io.fleetwatch.streams.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentStatus;
import io.fleetwatch.avro.Severity;
import io.fleetwatch.schemas.Identifier;
import io.fleetwatch.schemas.SeverityNames;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code GET /api/incidents?status=open|acknowledged|resolved&site=..&severity=info|low|medium|high|critical} → JSON
 * array, newest ({@code openedAt}) first; {@code GET /api/incidents/{id}} → the incident, or 404. Unknown, repeated
 * or bad query parameters → 400. Incidents live in a global store: every instance answers alone.
 */
final class IncidentRoutes {
  /** Incident ids as the API accepts them (ids contain the dedup key's {@code |}). */
  static final Pattern INCIDENT_ID = Pattern.compile("[A-Za-z0-9._|-]{1,256}");
  /** Device and site identifiers, as in the MQTT contract. */
  private static final Set<String> FILTERS = Set.of("status", "site", "severity");
  private static final Map<String, IncidentStatus> STATUSES = Map.of("open", IncidentStatus.OPEN,
      "acknowledged", IncidentStatus.ACKNOWLEDGED, "resolved", IncidentStatus.RESOLVED);
  private static final Comparator<Incident> NEWEST_FIRST = Comparator
      .comparing(Incident::getOpenedAt).reversed()
      .thenComparing(Incident::getId);

  private final IncidentQueries incidents;
  private final ObjectMapper mapper;
  private final AvroJson json;

  IncidentRoutes(IncidentQueries incidents, ObjectMapper mapper) {
    this.incidents = Objects.requireNonNull(incidents, "incidents");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.json = new AvroJson(mapper);
  }

  void addTo(RouteTable routes) {
    routes.get("/api/incidents", RouteTable.Access.READ, this::list);
    routes.get("/api/incidents/", RouteTable.Access.READ, this::list);
    routes.get("/api/incidents/{id}", RouteTable.Access.READ, this::one);
  }

  private void list(ApiRequest request) throws Exception {
    Map<String, String> query = query(request.exchange().getRequestURI().getRawQuery());
    for (String name : query.keySet()) {
      if (!FILTERS.contains(name)) {
        throw new BadRequest("unknown query parameter '" + name + "', expected one of " + sorted(FILTERS));
      }
    }
    IncidentStatus status = choice(query, "status", STATUSES);
    Severity severity = choice(query, "severity", SeverityNames.BY_NAME);
    String site = query.get("site");
    if (site != null && !Identifier.isValid(site)) {
      throw new BadRequest("site must match " + Identifier.SYNTAX + ", got '" + site + "'");
    }
    List<Incident> matching = incidents.all().stream()
        .filter(i -> status == null || i.getStatus() == status)
        .filter(i -> severity == null || i.getSeverity() == severity)
        .filter(i -> site == null || site.equals(i.getSite()))
        .sorted(NEWEST_FIRST)
        .toList();
    ArrayNode body = mapper.createArrayNode();
    matching.forEach(i -> body.add(json.write(i)));
    request.sendJson(200, body);
  }

  private void one(ApiRequest request) throws Exception {
    String id = incidentId(request);
    Optional<Incident> incident = incidents.byId(id);
    if (incident.isEmpty()) {
      request.sendError(404, "no incident with id " + id);
      return;
    }
    request.sendJson(200, json.write(incident.get()));
  }

  /** The {@code {id}} segment, checked. */
  static String incidentId(ApiRequest request) {
    String id = request.parameter("id");
    if (!INCIDENT_ID.matcher(id).matches()) {
      throw new BadRequest("malformed incident id '" + id + "'");
    }
    return id;
  }

  private static <T> T choice(Map<String, String> query, String name, Map<String, T> accepted) {
    String value = query.get(name);
    if (value == null) {
      return null;
    }
    T result = accepted.get(value.toLowerCase(Locale.ROOT));
    if (result == null) {
      throw new BadRequest(name + " must be one of " + sorted(accepted.keySet()) + ", got '" + value + "'");
    }
    return result;
  }

  private static Map<String, String> query(String rawQuery) {
    Map<String, String> result = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return result;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name;
      String value;
      try {
        name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new BadRequest("malformed query string");
      }
      if (result.put(name, value) != null) {
        throw new BadRequest("query parameter '" + name + "' given more than once");
      }
    }
    return result;
  }

  /** The values in order, as error messages list them. */
  static String sorted(Set<String> values) {
    return values.stream().sorted().toList().toString();
  }
}
