package io.fleetwatch.streams.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
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
 */
final class AvroJson {
  /** Enum schema property that says how its symbols are written. */
  static final String ENUM_STYLE = "json";

  private final ObjectMapper mapper;

  AvroJson(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  ObjectNode write(IndexedRecord record) {
    ObjectNode json = mapper.createObjectNode();
    for (Schema.Field field : record.getSchema().getFields()) {
      json.set(field.name(), value(field.schema(), record.get(field.pos())));
    }
    return json;
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

  private static String symbol(Schema schema, Object value) {
    String symbol = value instanceof Enum<?> e ? e.name() : ((GenericEnumSymbol<?>) value).toString();
    String style = schema.getProp(ENUM_STYLE);
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
    return ((org.apache.avro.generic.GenericFixed) value).bytes();
  }
}
