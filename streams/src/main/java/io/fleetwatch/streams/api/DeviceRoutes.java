package io.fleetwatch.streams.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetwatch.avro.DeviceTwin;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentStatus;
import io.fleetwatch.schemas.Identifier;
import io.fleetwatch.streams.policy.RuntimeCatalogue;
import io.fleetwatch.streams.topology.FleetTopology;
import java.io.IOException;
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
 * {@code inventory} and {@code vulnerabilities}; 404 for a device not seen. With several instances
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
  private final DeviceJson deviceJson;
  private final VulnerabilityJson vulnerabilityJson;

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
    this.deviceJson = new DeviceJson(mapper);
    this.vulnerabilityJson = new VulnerabilityJson(mapper);
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
        request.header("Retry-After", "1");
        request.sendError(503, "no instance holds device " + id + " right now (" + state.get()
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
    List<String> openIncidents = incidents.all().stream()
        .filter(i -> id.equals(i.getDeviceId()) && i.getStatus() != IncidentStatus.RESOLVED)
        .map(Incident::getId).sorted().toList();
    ObjectNode body = deviceJson.write(twin.get(), devices.activeChecks(id),
        catalogue == null ? null : catalogue.current(), openIncidents);
    if (vulnerabilities != null) {
      vulnerabilityJson.addTo(body, vulnerabilities.inventory(id), vulnerabilities.findingsOfDevice(id));
    }
    request.sendJson(200, body);
  }

  /**
   * Answers with {@code owner}'s answer to the same request; 503 when this request was itself forwarded (the
   * assignment moved in between: never forwarded twice) or the owner does not answer.
   */
  private void forward(ApiRequest request, HostInfo owner, String what) throws IOException, InterruptedException {
    String address = InstanceClient.address(owner);
    request.header("Retry-After", "1");
    if (InstanceClient.forwarded(request.exchange())) {
      request.sendError(503, what + " moved to instance " + address + " while this request was forwarded,"
          + " retry shortly");
      return;
    }
    InstanceClient.Reply reply = instances.get(owner, request.exchange());
    if (!reply.answered()) {
      LOG.warn("Instance {} holding {} did not answer: {}", address, what, reply.failure());
      request.sendError(503, "instance " + address + " holding " + what + " did not answer (" + reply.failure()
          + "), retry shortly");
      return;
    }
    if (reply.status() != 503) {
      request.exchange().getResponseHeaders().remove("Retry-After");
    }
    reply.headers().forEach((name, value) -> request.exchange().getResponseHeaders().set(name, value));
    request.send(reply.status(), reply.headers().getOrDefault("Content-Type", ApiRequest.JSON), reply.body());
  }
}
