package io.fleetwatch.streams.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;

/**
 * Writes an Avro record as JSON by walking its schema, so every field of a schema reaches the API without code.
 *
 * <p>Conventions, the API's since its first release: an object per record with the schema's field names; instants
 * ({@code timestamp-millis}) as ISO-8601 strings; enum symbols in lower case, or as an enum schema's {@code "json"}
 * property says ({@code "kebab"}: lower case with {@code -} for {@code _}, as {@code safety-security}; {@code "as-is"}:
 * the symbol unchanged, as {@code P1}); maps as objects in key order; bytes as base64; an absent value as
 * {@code null}.
 *
 * <p>A field's {@code "json"} property, an object, says where the field goes when the API's name is not the
 * schema's: {@code "name"} writes it under another name ({@code InventoryItem.key} as {@code component});
 * {@code "in"} writes it into an object of that name shared with the other fields naming it, {@code null} while all
 * of them are ({@code DeviceTwin.lastEventType} as {@code lastEvent.type}); {@code "inline": true} writes the fields
 * of a record-valued field into the enclosing object ({@code DeviceFinding.finding}).
 */
final class AvroJson {
  /** Enum schema property that says how its symbols are written; on a field, where the field is written. */
  static final String JSON = "json";

  private final ObjectMapper mapper;

  AvroJson(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  ObjectNode write(IndexedRecord record) {
    ObjectNode json = mapper.createObjectNode();
    addFields(record, json);
    return json;
  }

  private void addFields(IndexedRecord record, ObjectNode json) {
    Set<String> groups = new LinkedHashSet<>();
    for (Schema.Field field : record.getSchema().getFields()) {
      Object value = record.get(field.pos());
      Map<?, ?> placement = field.getObjectProp(JSON) instanceof Map<?, ?> map ? map : Map.of();
      if (Boolean.TRUE.equals(placement.get("inline"))) {
        addFields((IndexedRecord) value, json);
        continue;
      }
      String name = placement.get("name") instanceof String n ? n : field.name();
      if (placement.get("in") instanceof String group) {
        groups.add(group);
        ObjectNode object = json.get(group) instanceof ObjectNode o ? o : json.putObject(group);
        object.set(name, value(field.schema(), value));
      } else {
        json.set(name, value(field.schema(), value));
      }
    }
    for (String group : groups) {
      boolean absent = true;
      for (JsonNode member : json.get(group)) {
        absent &= member.isNull();
      }
      if (absent) {
        json.putNull(group);
      }
    }
  }

  private JsonNode value(Schema schema, Object value) {
    if (value == null) {
      return mapper.nullNode();
    }
    if (schema.getType() == Schema.Type.UNION) {
      return value(schema.getTypes().get(SpecificData.get().resolveUnion(schema, value)), value);
    }
    return switch (schema.getType()) {
      case RECORD -> write((IndexedRecord) value);
      case ENUM -> mapper.getNodeFactory().textNode(symbol(schema, value));
      case ARRAY -> {
        ArrayNode array = mapper.createArrayNode();
        for (Object item : (Collection<?>) value) {
          array.add(value(schema.getElementType(), item));
        }
        yield array;
      }
      case MAP -> {
        ObjectNode object = mapper.createObjectNode();
        new TreeMap<>((Map<?, ?>) value).forEach((k, v) -> object.set(k.toString(), value(schema.getValueType(), v)));
        yield object;
      }
      case BYTES, FIXED -> mapper.getNodeFactory().binaryNode(bytes(value));
      case LONG -> value instanceof Instant instant ? mapper.getNodeFactory().textNode(instant.toString())
          : mapper.getNodeFactory().numberNode((Long) value);
      case INT -> mapper.getNodeFactory().numberNode((Integer) value);
      case DOUBLE -> mapper.getNodeFactory().numberNode((Double) value);
      case FLOAT -> mapper.getNodeFactory().numberNode((Float) value);
      case BOOLEAN -> mapper.getNodeFactory().booleanNode((Boolean) value);
      case STRING -> mapper.getNodeFactory().textNode(value.toString());
      case NULL -> mapper.nullNode();
      case UNION -> throw new IllegalStateException("unreachable: unions are resolved above");
    };
  }

  /** An enum symbol as its schema's {@code "json"} property says. */
  static String symbol(Schema schema, Object value) {
    String symbol = value instanceof Enum<?> e ? e.name() : ((GenericEnumSymbol<?>) value).toString();
    String style = schema.getProp(JSON);
    if ("as-is".equals(style)) {
      return symbol;
    }
    String lower = symbol.toLowerCase(Locale.ROOT);
    return "kebab".equals(style) ? lower.replace('_', '-') : lower;
  }

  private static byte[] bytes(Object value) {
    if (value instanceof ByteBuffer buffer) {
      byte[] copy = new byte[buffer.remaining()];
      buffer.duplicate().get(copy);
      return copy;
    }
    return ((GenericFixed) value).bytes();
  }
}
