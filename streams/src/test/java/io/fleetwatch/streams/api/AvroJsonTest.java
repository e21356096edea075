package io.fleetwatch.streams.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetwatch.avro.Incident;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** Every field of an incident's schema reaches the API's JSON, written by the API's conventions. */
class AvroJsonTest {
  private static final Instant AT = Instant.parse("2026-12-02T08:00:00.123Z");
  private final ObjectMapper mapper = new ObjectMapper();
  private final AvroJson json = new AvroJson(mapper);

  @Test
  void writesEveryFieldOfAFullyPopulatedIncidentRecursively() {
    // Given an incident with every field, at every depth, set
    Incident incident = (Incident) populated(Incident.getClassSchema());

    // When it is written
    JsonNode written = json.write(incident);

    // Then every field of the schema is there with a value
    List<String> missing = new ArrayList<>();
    assertFields(Incident.getClassSchema(), written, "", missing);
    assertEquals(List.of(), missing);
  }

  @Test
  void writesEnumsInstantsAndAbsentValuesByTheApiConventions() {
    // Given a fully populated incident
    Incident incident = (Incident) populated(Incident.getClassSchema());
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

  private static void assertFields(Schema schema, JsonNode json, String path, List<String> missing) {
    for (Schema.Field field : schema.getFields()) {
      JsonNode value = json.get(field.name());
      String at = path + field.name();
      if (value == null || value.isNull()) {
        missing.add(at);
        continue;
      }
      Schema s = nonNull(field.schema());
      if (s.getType() == Schema.Type.RECORD) {
        assertFields(s, value, at + ".", missing);
      } else if (s.getType() == Schema.Type.ARRAY && nonNull(s.getElementType()).getType() == Schema.Type.RECORD) {
        if (value.isEmpty()) {
          missing.add(at + "[0]");
        } else {
          assertFields(nonNull(s.getElementType()), value.get(0), at + "[0].", missing);
        }
      }
    }
  }

  private static Schema nonNull(Schema schema) {
    if (schema.getType() != Schema.Type.UNION) {
      return schema;
    }
    return schema.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElseThrow();
  }

  /** A record of {@code schema} with every field set (arrays and maps with one element). */
  static Object populated(Schema schema) {
    Schema s = nonNull(schema);
    return switch (s.getType()) {
      case RECORD -> {
        SpecificRecord record = (SpecificRecord) SpecificData.get().newRecord(null, s);
        for (Schema.Field f : s.getFields()) {
          record.put(f.pos(), populated(f.schema()));
        }
        yield record;
      }
      case ENUM -> SpecificData.get().createEnum(s.getEnumSymbols().get(1), s);
      case ARRAY -> new ArrayList<>(List.of(populated(s.getElementType())));
      case MAP -> Map.of("k", populated(s.getValueType()));
      case STRING -> "x";
      case INT -> 1;
      case LONG -> s.getLogicalType() instanceof LogicalTypes.TimestampMillis ? AT : 2L;
      case DOUBLE -> 1.5;
      case FLOAT -> 1.5f;
      case BOOLEAN -> true;
      case BYTES -> ByteBuffer.wrap(new byte[] {1});
      default -> throw new IllegalArgumentException("no sample for " + s);
    };
  }
}
