package io.fleetwatch.streams.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetwatch.streams.policy.RuntimeCatalogue;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The HTTP API of the streams app, on an {@link ApiServer} (with its health probes and {@code /metrics}). Each
 * feature the app has is given here and adds its routes; what is not given is not routed (404):
 * <ul>
 *   <li>always: {@code GET /api/incidents[?status=&site=&severity=]}, {@code GET /api/incidents/{id}}
 *       ({@link IncidentRoutes});</li>
 *   <li>{@link #commands}: {@code POST /api/incidents/{id}/acknowledge|assign|resolve|verify}
 *       ({@link IncidentCommandRoutes}), protected by the sink's token;</li>
 *   <li>{@link #devices}: {@code GET /api/devices/{id}} ({@link DeviceRoutes}), forwarded to the owner of the
 *       device's partition when several instances run ({@link #routing});</li>
 *   <li>{@link #policies}: {@code GET /api/policies} → the catalogue in force ({@code policies}: id, version, origin
 *       file or published, references, checks with rule type and scope) and the refused definitions
 *       ({@code rejected}); 404 while there is no catalogue;</li>
 *   <li>{@link #vulnerabilities}: {@code GET /api/vulnerabilities[/{advisoryId}]} ({@link VulnerabilityApi}), and
 *       the device document gains {@code inventory} and {@code vulnerabilities}.</li>
 * </ul>
 * {@link #routes} is the one place where a route of the streams app is added.
 */
public final class StreamsApi {
  private final IncidentQueries incidents;
  private DeviceQueries devices;
  private PolicyQueries policies;
  private IncidentCommandSink commands;
  private VulnerabilityQueries vulnerabilities;
  private InstanceRouting routing = InstanceRouting.LOCAL;
  private Duration connectTimeout = InstanceClient.CONNECT_TIMEOUT;
  private Duration requestTimeout = InstanceClient.REQUEST_TIMEOUT;
  private String readToken;

  /** An API serving the incidents of {@code incidents} (a global store: every instance holds all of them). */
  public StreamsApi(IncidentQueries incidents) {
    this.incidents = Objects.requireNonNull(incidents, "incidents");
  }

  /** Serves device twins and their active checks. */
  public StreamsApi devices(DeviceQueries devices) {
    this.devices = Objects.requireNonNull(devices, "devices");
    return this;
  }

  /** Serves the policy catalogue in force (and gives device violations their policy version and severity). */
  public StreamsApi policies(PolicyQueries policies) {
    this.policies = Objects.requireNonNull(policies, "policies");
    return this;
  }

  /** Accepts responders' commands; the sink's {@link IncidentCommandSink#requiredToken()} protects them. */
  public StreamsApi commands(IncidentCommandSink commands) {
    this.commands = Objects.requireNonNull(commands, "commands");
    return this;
  }

  /** Serves vulnerability findings, and the inventory and findings of each device. */
  public StreamsApi vulnerabilities(VulnerabilityQueries vulnerabilities) {
    this.vulnerabilities = Objects.requireNonNull(vulnerabilities, "vulnerabilities");
    return this;
  }

  /** Where device-partitioned stores live when several instances run (default {@link InstanceRouting#LOCAL}). */
  public StreamsApi routing(InstanceRouting routing) {
    return routing(routing, InstanceClient.CONNECT_TIMEOUT, InstanceClient.REQUEST_TIMEOUT);
  }

  /**
   * @param routing where device-partitioned stores live
   * @param connectTimeout connect timeout towards another instance
   * @param requestTimeout whole-request timeout towards another instance
   */
  public StreamsApi routing(InstanceRouting routing, Duration connectTimeout, Duration requestTimeout) {
    this.routing = Objects.requireNonNull(routing, "routing");
    this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
    this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
    return this;
  }

  /**
   * Protects the reads too: every {@code GET /api/...} then needs {@code Authorization: Bearer <readToken>} (the
   * write token is accepted as well); {@code /health} and {@code /metrics} stay open. {@code null}: reads are open.
   */
  public StreamsApi readToken(String readToken) {
    this.readToken = readToken;
    return this;
  }

  /**
   * Binds the server (not started yet).
   *
   * @param bind address and port; port 0 picks a free port (see {@link ApiServer#port()})
   * @param state the Kafka Streams client's state, for the health probes and the 503 answers
   * @param metrics registry scraped by {@code /metrics}
   */
  public ApiServer server(InetSocketAddress bind, Supplier<KafkaStreams.State> state, PrometheusMeterRegistry metrics)
      throws IOException {
    ApiServer.Builder server = ApiServer.builder(bind, metrics).stores(state).readToken(readToken)
        .writeToken(commands == null ? null : commands.requiredToken());
    routing.self().ifPresent(server::servedBy);
    routes(server.routes(), state);
    return server.build();
  }

  /** Every route of the streams app's API, by feature: add a new route here. */
  private void routes(RouteTable routes, Supplier<KafkaStreams.State> state) {
    ObjectMapper mapper = new ObjectMapper();
    InstanceClient instances = routing.self().map(self -> new InstanceClient(self, connectTimeout, requestTimeout))
        .orElse(null);
    new IncidentRoutes(incidents, mapper).addTo(routes);
    if (commands != null) {
      new IncidentCommandRoutes(incidents, commands, mapper).addTo(routes);
    }
    if (devices != null) {
      new DeviceRoutes(devices, incidents, policies, vulnerabilities, routing, instances, state, mapper).addTo(routes);
    }
    if (policies != null) {
      PolicyJson json = new PolicyJson(mapper);
      RouteTable.Handler catalogue = request -> {
        RuntimeCatalogue inForce = policies.catalogue();
        if (inForce == null) {
          request.sendError(404, "no such resource: " + request.path());
          return;
        }
        request.sendJson(200, json.write(inForce));
      };
      routes.get("/api/policies", RouteTable.Access.READ, catalogue);
      routes.get("/api/policies/", RouteTable.Access.READ, catalogue);
    }
    if (vulnerabilities != null) {
      new VulnerabilityApi(vulnerabilities, mapper, routing, instances).addTo(routes);
    }
  }
}
