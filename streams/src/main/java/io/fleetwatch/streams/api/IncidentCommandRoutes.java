package io.fleetwatch.streams.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentCommand;
import io.fleetwatch.avro.IncidentCommandType;
import io.fleetwatch.avro.Verification;
import io.fleetwatch.streams.incident.CommandResult;
import io.fleetwatch.streams.incident.IncidentLifecycle;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/incidents/{id}/acknowledge|assign|resolve|verify} (write routes) with a JSON body
 * {@code {"actor": "...", "reason": "...", "assignee": "..." (assign), "verification":
 * "true_positive|benign_positive|false_positive" (verify)}} → the command goes to {@code fleet.incident-commands}
 * through the {@link IncidentCommandSink}; 200 with the updated incident once it shows in the store (up to 5 s),
 * else 202 {@code {"status": "accepted", "commandId": ..., "incidentId": ...}}. Unknown incident → 404, illegal
 * transition (checked with the pipeline's own {@link IncidentLifecycle}) → 409, bad body → 400.
 */
final class IncidentCommandRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(IncidentCommandRoutes.class);
  private static final Map<String, IncidentCommandType> COMMANDS = Map.of("acknowledge",
      IncidentCommandType.ACKNOWLEDGE, "assign", IncidentCommandType.ASSIGN, "resolve", IncidentCommandType.RESOLVE,
      "verify", IncidentCommandType.VERIFY);
  private static final Map<String, Verification> VERDICTS = Map.of("true_positive", Verification.TRUE_POSITIVE,
      "benign_positive", Verification.BENIGN_POSITIVE, "false_positive", Verification.FALSE_POSITIVE);
  private static final Set<String> COMMAND_FIELDS = Set.of("actor", "reason", "assignee", "verification");
  private static final int MAX_BODY = 16 * 1024;
  private static final Duration APPLY_WAIT = Duration.ofSeconds(5);

  private final IncidentQueries incidents;
  private final IncidentCommandSink commands;
  private final ObjectMapper mapper;
  private final AvroJson json;

  IncidentCommandRoutes(IncidentQueries incidents, IncidentCommandSink commands, ObjectMapper mapper) {
    this.incidents = Objects.requireNonNull(incidents, "incidents");
    this.commands = Objects.requireNonNull(commands, "commands");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.json = new AvroJson(mapper);
  }

  void addTo(RouteTable routes) {
    COMMANDS.keySet().stream().sorted().forEach(action -> routes.post("/api/incidents/{id}/" + action,
        RouteTable.Access.WRITE, request -> command(request, COMMANDS.get(action))));
  }

  private void command(ApiRequest request, IncidentCommandType type) throws Exception {
    String id = IncidentRoutes.incidentId(request);
    JsonNode body = body(request);
    IncidentCommand command = IncidentCommand.newBuilder()
        .setCommandId(UUID.randomUUID().toString())
        .setIncidentId(id)
        .setType(type)
        .setActor(text(body, "actor", true))
        .setReason(text(body, "reason", false))
        .setAssignee(text(body, "assignee", type == IncidentCommandType.ASSIGN))
        .setVerification(verdict(body, type))
        .setIssuedAt(Instant.now())
        .build();
    Optional<Incident> incident = incidents.byId(id);
    if (incident.isEmpty()) {
      request.sendError(404, "no incident with id " + id);
      return;
    }
    // The pipeline decides again on arrival; checking here answers an illegal transition at once.
    CommandResult expected = new IncidentLifecycle().command(incident.get(), command);
    if (!expected.isApplied()) {
      request.sendError(409, expected.rejection());
      return;
    }
    commands.submit(command);
    LOG.info("Command {} {} on incident {} by {} submitted", command.getCommandId(), type, id, command.getActor());
    long deadline = System.nanoTime() + APPLY_WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<Incident> now = incidents.byId(id);
      if (now.isPresent() && reflects(now.get(), command)) {
        request.sendJson(200, json.write(now.get()));
        return;
      }
      Thread.sleep(50); // waiting for the global store to catch up with the pipeline
    }
    ObjectNode accepted = mapper.createObjectNode();
    accepted.put("status", "accepted");
    accepted.put("commandId", command.getCommandId());
    accepted.put("incidentId", id);
    request.sendJson(202, accepted);
  }

  private static boolean reflects(Incident incident, IncidentCommand command) {
    return incident.getHistory().stream().anyMatch(t -> command.getActor().equals(t.getActor())
        && t.getAt().toEpochMilli() == command.getIssuedAt().toEpochMilli());
  }

  private JsonNode body(ApiRequest request) throws IOException {
    byte[] raw;
    try (InputStream in = request.exchange().getRequestBody()) {
      raw = in.readNBytes(MAX_BODY + 1);
    }
    if (raw.length > MAX_BODY) {
      throw new BadRequest("body larger than " + MAX_BODY + " bytes");
    }
    JsonNode body;
    try {
      body = raw.length == 0 ? mapper.createObjectNode() : mapper.readTree(raw);
    } catch (IOException e) {
      throw new BadRequest("body is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (body == null || !body.isObject()) {
      throw new BadRequest("body must be a JSON object");
    }
    body.fieldNames().forEachRemaining(name -> {
      if (!COMMAND_FIELDS.contains(name)) {
        throw new BadRequest("unknown field '" + name + "', expected " + IncidentRoutes.sorted(COMMAND_FIELDS));
      }
    });
    return body;
  }

  private static String text(JsonNode body, String field, boolean required) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        throw new BadRequest(field + " is required");
      }
      return null;
    }
    if (!value.isTextual() || value.asText().isBlank() || value.asText().length() > 256) {
      throw new BadRequest(field + " must be a non-blank string of at most 256 characters");
    }
    return value.asText();
  }

  private static Verification verdict(JsonNode body, IncidentCommandType type) {
    String value = text(body, "verification", type == IncidentCommandType.VERIFY);
    if (value == null) {
      return null;
    }
    Verification v = VERDICTS.get(value.toLowerCase(Locale.ROOT));
    if (v == null) {
      throw new BadRequest("verification must be one of " + IncidentRoutes.sorted(VERDICTS.keySet()) + ", got '"
          + value + "'");
    }
    return v;
  }
}
