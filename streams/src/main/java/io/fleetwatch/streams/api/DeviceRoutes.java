package io.fleetwatch.streams.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetwatch.avro.DeviceTwin;
import io.fleetwatch.avro.FindingStatus;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentStatus;
import io.fleetwatch.schemas.Identifier;
import io.fleetwatch.avro.Severity;
import io.fleetwatch.streams.policy.Policy;
import io.fleetwatch.streams.policy.PolicyCatalogue;
import io.fleetwatch.streams.policy.RuntimeCatalogue;
import io.fleetwatch.streams.topology.FleetTopology;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/devices/{id}} → the device twin (last values, reported state, last event), its active violations
 * (raised checks, with policy version and severity), its open incident ids and, with the vulnerability queries, its
 * {@code inventory} and {@code vulnerabilities}; 404 for a device not seen. The twin, the inventory and the findings
 * are written from their Avro records ({@link AvroJson}), every field of their schemas. With several instances
 * ({@link InstanceRouting}) the request goes to the instance holding the device's partition (forwarded once, with
 * the caller's {@code Authorization} header and {@code X-Fleetwatch-Forwarded-From}); 503 with {@code Retry-After}
 * while no instance holds it (rebalancing) or the holder does not answer.
 */
final class DeviceRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(DeviceRoutes.class);

  private final DeviceQueries devices;
  private final IncidentQueries incidents;
  private final PolicyQueries policies;
  private final VulnerabilityQueries vulnerabilities;
  private final InstanceRouting routing;
  private final InstanceClient instances;
  private final Supplier<KafkaStreams.State> state;
  private final ObjectMapper mapper;
  private final AvroJson json;

  /**
   * @param policies the catalogue in force, or {@code null} (violations then carry no policy version)
   * @param vulnerabilities inventories and findings, or {@code null} (the document then has neither)
   * @param instances client towards the other instances, or {@code null} when running alone
   * @param state the streams state, named in the 503 while nobody holds the device
   */
  DeviceRoutes(DeviceQueries devices, IncidentQueries incidents, PolicyQueries policies,
      VulnerabilityQueries vulnerabilities, InstanceRouting routing, InstanceClient instances,
      Supplier<KafkaStreams.State> state, ObjectMapper mapper) {
    this.devices = Objects.requireNonNull(devices, "devices");
    this.incidents = Objects.requireNonNull(incidents, "incidents");
    this.policies = policies;
    this.vulnerabilities = vulnerabilities;
    this.routing = Objects.requireNonNull(routing, "routing");
    this.instances = instances;
    this.state = Objects.requireNonNull(state, "state");
    this.mapper = mapper;
    this.json = new AvroJson(mapper);
  }

  void addTo(RouteTable routes) {
    routes.get("/api/devices/{id}", RouteTable.Access.READ, this::device);
  }

  private void device(ApiRequest request) throws Exception {
    String id = request.parameter("id");
    if (!Identifier.isValid(id)) {
      throw new BadRequest("device id must match " + Identifier.SYNTAX + ", got '" + id + "'");
    }
    InstanceRouting.KeyOwner owner = routing.owner(FleetTopology.DEVICE_TWINS_STORE, id);
    switch (owner.ownership()) {
      case UNAVAILABLE -> {
        request.sendUnavailable("no instance holds device " + id + " right now (" + state.get()
            + ", partitions being assigned), retry shortly");
        return;
      }
      case REMOTE -> {
        forward(request, owner.host(), "device " + id);
        return;
      }
      default -> { } // local: answered below
    }
    Optional<DeviceTwin> twin = devices.twin(id);
    if (twin.isEmpty()) {
      request.sendError(404, "no device " + id + (instances == null ? " seen by this instance" : ""));
      return;
    }
    RuntimeCatalogue catalogue = policies == null ? null : policies.catalogue();
    ObjectNode body = json.write(twin.get());
    body.set("activeViolations", violations(devices.activeChecks(id),
        catalogue == null ? null : catalogue.current()));
    ArrayNode open = body.putArray("openIncidents");
    incidents.all().stream().filter(i -> id.equals(i.getDeviceId()) && i.getStatus() != IncidentStatus.RESOLVED)
        .map(Incident::getId).sorted().forEach(open::add);
    if (vulnerabilities != null) {
      body.set("inventory", vulnerabilities.inventory(id).<JsonNode>map(json::write).orElse(mapper.nullNode()));
      ArrayNode list = body.putArray("vulnerabilities");
      vulnerabilities.findingsOfDevice(id).stream().filter(f -> f.getStatus() != FindingStatus.UNKNOWN)
          .forEach(f -> list.add(json.write(f)));
    }
    request.sendJson(200, body);
  }

  /**
   * The raised checks with their policy's title, severity and version (null without the policy): a view joining
   * check states and the catalogue, written here.
   */
  private ArrayNode violations(List<DeviceQueries.ActiveCheck> active, PolicyCatalogue catalogue) {
    ArrayNode violations = mapper.createArrayNode();
    for (DeviceQueries.ActiveCheck check : active) {
      Policy policy = catalogue == null ? null : catalogue.policy(check.policyId()).orElse(null);
      Instant evaluated = check.state().getLastEventTime();
      violations.addObject().put("policyId", check.policyId()).put("checkId", check.checkId())
          .put("title", policy == null ? null : policy.title())
          .put("severity", policy == null ? null : AvroJson.symbol(Severity.getClassSchema(), policy.severity()))
          .put("policyVersion", policy == null ? null : policy.version())
          .put("lastEvaluatedAt", evaluated == null ? null : evaluated.toString());
    }
    return violations;
  }

  /**
   * Answers with {@code owner}'s answer to the same request; 503 when this request was itself forwarded (the
   * assignment moved in between: never forwarded twice) or the owner does not answer.
   */
  private void forward(ApiRequest request, HostInfo owner, String what) throws IOException, InterruptedException {
    String address = InstanceClient.address(owner);
    if (InstanceClient.forwarded(request.exchange())) {
      request.sendUnavailable(what + " moved to instance " + address + " while this request was forwarded,"
          + " retry shortly");
      return;
    }
    InstanceClient.Reply reply = instances.get(owner, request.exchange());
    if (!reply.answered()) {
      LOG.warn("Instance {} holding {} did not answer: {}", address, what, reply.failure());
      request.sendUnavailable("instance " + address + " holding " + what + " did not answer (" + reply.failure()
          + "), retry shortly");
      return;
    }
    if (reply.status() == 503) {
      request.header("Retry-After", "1"); // unless the owner said otherwise (relayed below)
    }
    reply.headers().forEach((name, value) -> request.exchange().getResponseHeaders().set(name, value));
    request.send(reply.status(), reply.headers().getOrDefault("Content-Type", ApiRequest.JSON), reply.body());
  }
}
