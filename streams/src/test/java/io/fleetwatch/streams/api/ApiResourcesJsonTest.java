package io.fleetwatch.streams.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetwatch.avro.Advisory;
import io.fleetwatch.avro.CheckState;
import io.fleetwatch.avro.DeviceFinding;
import io.fleetwatch.avro.DeviceInventory;
import io.fleetwatch.avro.DeviceTwin;
import io.fleetwatch.streams.policy.FrameworkReference;
import io.fleetwatch.streams.policy.Policy;
import io.fleetwatch.streams.policy.PolicyLoader;
import io.fleetwatch.streams.policy.RuntimeCatalogue;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.reflect.RecordComponent;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every field of the Avro records behind {@code GET /api/devices/{id}} and {@code GET /api/vulnerabilities}, at
 * every depth, reaches their JSON; every component of a policy reaches {@code GET /api/policies}.
 */
class ApiResourcesJsonTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper mapper = new ObjectMapper();
  private final DeviceTwin twin = (DeviceTwin) AvroSamples.populated(DeviceTwin.getClassSchema());
  private final DeviceInventory inventory = (DeviceInventory) AvroSamples.populated(
      DeviceInventory.getClassSchema());
  private final DeviceFinding finding = (DeviceFinding) AvroSamples.populated(DeviceFinding.getClassSchema());
  private final Advisory advisory = (Advisory) AvroSamples.populated(Advisory.getClassSchema());
  private final RuntimeCatalogue catalogue = new RuntimeCatalogue(new PolicyLoader().load(Path.of("../policies")));
  private ApiServer server;

  @BeforeEach
  void start() throws Exception {
    // Given one device whose twin, inventory and finding have every field set, at every depth
    DeviceQueries devices = new DeviceQueries() {
      @Override
      public Optional<DeviceTwin> twin(String deviceId) {
        return Optional.of(twin).filter(t -> t.getDeviceId().equals(deviceId));
      }

      @Override
      public List<ActiveCheck> activeChecks(String deviceId) {
        return List.of(new ActiveCheck("SAF-01", "chiller-supply-temp",
            CheckState.newBuilder().setActive(true).setLastEventTime(AvroSamples.AT).build()));
      }
    };
    VulnerabilityQueries vulnerabilities = new VulnerabilityQueries() {
      @Override
      public List<DeviceFinding> findings(int limit) {
        return new ArrayList<>(List.of(finding));
      }

      @Override
      public List<DeviceFinding> findingsOfAdvisory(String advisoryId, int limit) {
        return findings(limit);
      }

      @Override
      public List<DeviceFinding> findingsOfDevice(String deviceId) {
        return findings(1);
      }

      @Override
      public Optional<DeviceInventory> inventory(String deviceId) {
        return Optional.of(inventory);
      }

      @Override
      public Optional<Advisory> advisory(String advisoryId) {
        return Optional.of(advisory);
      }
    };
    server = new StreamsApi(new NoIncidents() {}).devices(devices).policies(() -> catalogue)
        .vulnerabilities(vulnerabilities).server(new InetSocketAddress("127.0.0.1", 0),
            () -> KafkaStreams.State.RUNNING, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void deviceDocumentCarriesEveryFieldOfTheTwinTheInventoryAndTheFindings() throws Exception {
    // When the device is asked for
    JsonNode device = get("/api/devices/" + twin.getDeviceId());

    // Then the twin's fields are at the top, the inventory's under inventory, the finding's in vulnerabilities
    assertEquals(List.of(), AvroSamples.missingFields(DeviceTwin.getClassSchema(), device));
    assertEquals(List.of(), AvroSamples.missingFields(DeviceInventory.getClassSchema(), device.path("inventory")));
    assertEquals(1, device.path("vulnerabilities").size(), device.toString());
    assertEquals(List.of(), AvroSamples.missingFields(DeviceFinding.getClassSchema(),
        device.path("vulnerabilities").get(0)));
    assertEquals("SAF-01", device.path("activeViolations").path(0).path("policyId").asText());
  }

  @Test
  void advisoryEntriesCarryEveryFieldOfEachFinding() throws Exception {
    // When the findings are asked for by advisory
    JsonNode entries = get("/api/vulnerabilities");

    // Then the finding (status AFFECTED) is under its advisory's affected devices with every field
    assertEquals(1, entries.size(), entries.toString());
    JsonNode affected = entries.get(0).path("affectedDevices");
    assertEquals(1, affected.size(), entries.toString());
    assertEquals(List.of(), AvroSamples.missingFields(DeviceFinding.getClassSchema(), affected.get(0)));
    assertEquals(advisory.getTitle(), entries.get(0).path("title").asText());
  }

  @Test
  void policyCatalogueCarriesEveryComponentOfAPolicy() throws Exception {
    // When the catalogue is asked for
    JsonNode policy = get("/api/policies").path("policies").get(0);

    // Then every component of the Policy record (the writer's input) and of its references has a value
    List<String> missing = new ArrayList<>();
    for (RecordComponent c : Policy.class.getRecordComponents()) {
      if (!policy.hasNonNull(c.getName())) {
        missing.add(c.getName());
      }
    }
    for (RecordComponent c : FrameworkReference.class.getRecordComponents()) {
      if (!policy.path("references").path(0).hasNonNull(c.getName())) {
        missing.add("references[0]." + c.getName());
      }
    }
    for (String field : Set.of("id", "type", "scope")) {
      if (!policy.path("checks").path(0).hasNonNull(field)) {
        missing.add("checks[0]." + field);
      }
    }
    assertEquals(List.of(), missing, policy.toString());
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.port() + path)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return mapper.readTree(response.body());
  }
}
