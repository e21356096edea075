package io.fleetwatch.streams.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetwatch.avro.Incident;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.junit.jupiter.api.Test;

/** Every field of an incident's schema reaches the API's JSON, written by the API's conventions. */
class AvroJsonTest {
  private final ObjectMapper mapper = new ObjectMapper();
  private final AvroJson json = new AvroJson(mapper);

  @Test
  void writesEveryFieldOfAFullyPopulatedIncidentRecursively() {
    // Given an incident with every field, at every depth, set
    Incident incident = (Incident) AvroSamples.populated(Incident.getClassSchema());

    // When it is written
    JsonNode written = json.write(incident);

    // Then every field of the schema is there with a value
    assertEquals(List.of(), AvroSamples.missingFields(Incident.getClassSchema(), written));
  }

  @Test
  void writesEnumsInstantsAndAbsentValuesByTheApiConventions() {
    // Given a fully populated incident
    Incident incident = (Incident) AvroSamples.populated(Incident.getClassSchema());
    incident.setKind(io.fleetwatch.avro.PolicyKind.SAFETY_SECURITY);
    incident.setVerification(io.fleetwatch.avro.Verification.TRUE_POSITIVE);
    incident.getActions().get(0).setPerspective(io.fleetwatch.avro.Perspective.P4);
    incident.setResolvedAt(null);

    // When it is written
    JsonNode written = json.write(incident);

    // Then the kind is kebab case, the perspective as-is, other enums lower case, instants ISO-8601, absent null
    assertEquals("safety-security", written.path("kind").asText());
    assertEquals("P4", written.path("actions").path(0).path("perspective").asText());
    assertEquals("true_positive", written.path("verification").asText());
    assertEquals("2026-12-02T08:00:00.123Z", written.path("openedAt").asText());
    assertTrue(written.has("resolvedAt") && written.get("resolvedAt").isNull());
  }

  @Test
  void placesFieldsWhereTheirJsonPropertySays() {
    // Given a schema with a renamed field, two fields gathered into "event", one into "note", and an inlined record
    Schema schema = new Schema.Parser().parse("""
        {"type": "record", "name": "Sample", "fields": [
          {"name": "key", "type": "string", "json": {"name": "component"}},
          {"name": "eventType", "type": ["null", "string"], "json": {"in": "event", "name": "type"}},
          {"name": "eventAt", "type": ["null", "long"], "json": {"in": "event", "name": "at"}},
          {"name": "noteText", "type": ["null", "string"], "json": {"in": "note", "name": "text"}},
          {"name": "detail", "type": {"type": "record", "name": "Detail", "fields": [
            {"name": "level", "type": "int"}]}, "json": {"inline": true}}
        ]}""");
    GenericData.Record detail = new GenericData.Record(schema.getField("detail").schema());
    detail.put("level", 3);
    GenericData.Record record = new GenericData.Record(schema);
    record.put("key", "pkg:npm/left-pad");
    record.put("eventType", "boot");
    record.put("eventAt", 5L);
    record.put("detail", detail);

    // When it is written
    JsonNode written = json.write(record);

    // Then the field is renamed, the gathered fields share an object (null while all are), the record is inlined
    assertEquals("""
        {"component":"pkg:npm/left-pad","event":{"type":"boot","at":5},"note":null,"level":3}""", written.toString());
  }
}
