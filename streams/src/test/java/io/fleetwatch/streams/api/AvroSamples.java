package io.fleetwatch.streams.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Fully populated Avro records, and the check that every field of a schema, at every depth, has a value in the JSON
 * written from such a record, where the field's {@code "json"} property places it.
 */
final class AvroSamples {
  static final Instant AT = Instant.parse("2026-12-02T08:00:00.123Z");

  private AvroSamples() {
  }

  /** A record of {@code schema} with every field set (arrays and maps with one element, enums not UNKNOWN). */
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

  /** The fields of {@code schema} (at every depth) with no value in {@code json}, as paths. */
  static List<String> missingFields(Schema schema, JsonNode json) {
    List<String> missing = new ArrayList<>();
    addMissing(schema, json, "", missing);
    return missing;
  }

  private static void addMissing(Schema schema, JsonNode json, String path, List<String> missing) {
    for (Schema.Field field : schema.getFields()) {
      Map<?, ?> placement = field.getObjectProp(AvroJson.JSON) instanceof Map<?, ?> m ? m : Map.of();
      Schema s = nonNull(field.schema());
      if (Boolean.TRUE.equals(placement.get("inline"))) {
        addMissing(s, json, path, missing);
        continue;
      }
      String name = placement.get("name") instanceof String n ? n : field.name();
      JsonNode in = placement.get("in") instanceof String group ? json.path(group) : json;
      String at = path + (placement.get("in") instanceof String group ? group + "." : "") + name;
      JsonNode value = in.get(name);
      if (value == null || value.isNull()) {
        missing.add(at);
      } else if (s.getType() == Schema.Type.RECORD) {
        addMissing(s, value, at + ".", missing);
      } else if (s.getType() == Schema.Type.ARRAY && nonNull(s.getElementType()).getType() == Schema.Type.RECORD) {
        if (value.isEmpty()) {
          missing.add(at + "[0]");
        } else {
          addMissing(nonNull(s.getElementType()), value.get(0), at + "[0].", missing);
        }
      } else if ((s.getType() == Schema.Type.ARRAY || s.getType() == Schema.Type.MAP) && value.isEmpty()) {
        missing.add(at + "[0]");
      }
    }
  }

  private static Schema nonNull(Schema schema) {
    if (schema.getType() != Schema.Type.UNION) {
      return schema;
    }
    return schema.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElseThrow();
  }
}
