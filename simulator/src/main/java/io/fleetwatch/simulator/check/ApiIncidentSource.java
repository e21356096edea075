package io.fleetwatch.simulator.check;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Reads every incident from {@code GET <api>/api/incidents} of the streams app (JSON, parsed with jackson-core). */
public final class ApiIncidentSource implements IncidentSource {
  private static final JsonFactory JSON = new JsonFactory();

  private final URI incidents;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** @param api base URL of the streams app, e.g. {@code http://127.0.0.1:8080} */
  public ApiIncidentSource(URI api) {
    String base = api.toString().replaceAll("/+$", "");
    this.incidents = URI.create(base + "/api/incidents");
  }

  @Override
  public List<IncidentSighting> poll() throws IOException {
    HttpResponse<byte[]> response;
    try {
      response = http.send(HttpRequest.newBuilder(incidents).timeout(Duration.ofSeconds(10)).GET().build(),
          HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while asking " + incidents, e);
    }
    if (response.statusCode() != 200) {
      throw new IOException("GET " + incidents + " answered " + response.statusCode());
    }
    return parse(response.body());
  }

  /** Parses the API's JSON array of incidents; unknown fields are skipped. */
  static List<IncidentSighting> parse(byte[] body) throws IOException {
    List<IncidentSighting> result = new ArrayList<>();
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_ARRAY) {
        throw new IOException("expected a JSON array of incidents");
      }
      while (p.nextToken() == JsonToken.START_OBJECT) {
        String id = null;
        String policy = null;
        String device = null;
        String site = null;
        String status = null;
        Instant detected = null;
        Instant lastSeen = null;
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
          JsonToken value = p.nextToken();
          String text = value == JsonToken.VALUE_STRING ? p.getText() : null;
          switch (name) {
            case "id" -> id = text;
            case "policyId" -> policy = text;
            case "deviceId" -> device = text;
            case "site" -> site = text;
            case "status" -> status = text;
            case "detectedAt" -> detected = text == null ? null : Instant.parse(text);
            case "lastSeenAt" -> lastSeen = text == null ? null : Instant.parse(text);
            default -> p.skipChildren();
          }
        }
        result.add(new IncidentSighting(id, policy, device, site, status, detected, lastSeen));
      }
    }
    return result;
  }
}
