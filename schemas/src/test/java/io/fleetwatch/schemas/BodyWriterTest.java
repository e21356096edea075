package io.fleetwatch.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class BodyWriterTest {
  private static final String[] TEXTS = {"", "chiller-01", "site/hq", "Kühlwasser", "冷却器-3", "pump \uD83D\uDCA7",
      "a".repeat(300)};

  /** Every generated record class of the project, from the .avsc files. */
  private static List<Class<? extends SpecificRecord>> generatedClasses() throws Exception {
    List<Class<? extends SpecificRecord>> classes = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main/avro"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".avsc")).sorted().toList()) {
        String text = Files.readString(file);
        Matcher name = Pattern.compile("\"name\": *\"(\\w+)\"").matcher(text);
        Matcher namespace = Pattern.compile("\"namespace\": *\"([\\w.]+)\"").matcher(text);
        if (!name.find() || !namespace.find()) {
          throw new AssertionError("no name or namespace in " + file);
        }
        Class<?> type = Class.forName(namespace.group(1) + "." + name.group(1));
        if (SpecificRecord.class.isAssignableFrom(type)) {
          classes.add(type.asSubclass(SpecificRecord.class));
        }
      }
    }
    return classes;
  }

  @Test
  void writesTheBytesOfAvrosWriterForRandomValuesOfEverySchemaOfTheProject() throws Exception {
    List<Class<? extends SpecificRecord>> classes = generatedClasses();
    assertTrue(classes.size() >= 20, "found only " + classes);
    Random random = new Random(20261202L);
    for (Class<? extends SpecificRecord> type : classes) {
      SpecificData model = SpecificData.getForClass(type);
      Schema schema = model.getSchema(type);
      BodyWriter.ValueWriter writer = BodyWriter.compile(schema, model)
          .orElseThrow(() -> new AssertionError(type.getSimpleName() + " is not compiled"));
      @SuppressWarnings("unchecked")
      DatumWriter<Object> avro = (DatumWriter<Object>) model.createDatumWriter(schema);
      for (int i = 0; i < 300; i++) {
        Object value = randomValue(schema, model, random, 0);
        assertArrayEquals(avroBytes(avro, value), compiledBytes(writer, value),
            type.getSimpleName() + " #" + i + ": " + value);
      }
    }
  }

  @Test
  void writesRawLongsWhereTheModelHasNoConversionAndLeavesUnknownLogicalTypesToAvro() throws Exception {
    Schema at = LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
    Schema record = SchemaBuilder.record("At").namespace("test").fields()
        .name("at").type(at).noDefault()
        .name("maybe").type(Schema.createUnion(Schema.create(Schema.Type.NULL), at)).withDefault(null)
        .endRecord();
    GenericData.Record value = new GenericData.Record(record);
    value.put("at", -1_764_100_000_123L);
    value.put("maybe", 42L);
    SpecificData plain = new SpecificData();
    BodyWriter.ValueWriter writer = BodyWriter.compile(record, plain).orElseThrow();
    assertArrayEquals(avroBytes(new GenericDatumWriter<>(record), value), compiledBytes(writer, value));

    SpecificData withDecimals = new SpecificData();
    withDecimals.addLogicalTypeConversion(new Conversions.DecimalConversion());
    Schema decimal = LogicalTypes.decimal(9, 2).addToSchema(Schema.create(Schema.Type.BYTES));
    Schema money = SchemaBuilder.record("Money").namespace("test").fields()
        .name("amount").type(decimal).noDefault().endRecord();
    assertFalse(BodyWriter.compile(money, withDecimals).isPresent());
    assertTrue(BodyWriter.compile(money, plain).isPresent(), "without a conversion it is plain bytes");
  }

  @Test
  void anOutputGrownByALargeValueStartsSmallAgain() {
    BodyWriter.Output out = new BodyWriter.Output();
    byte[] large = new byte[3 << 20];
    out.writeBytes(large, 0, large.length);
    assertEquals(large.length, out.size());
    out.reset();
    out.writeLong(-1);
    assertArrayEquals(new byte[] {1}, out.toByteArray());
  }

  private static byte[] avroBytes(DatumWriter<Object> writer, Object value) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(bytes, null);
    writer.write(value, encoder);
    encoder.flush();
    return bytes.toByteArray();
  }

  private static byte[] compiledBytes(BodyWriter.ValueWriter writer, Object value) {
    BodyWriter.Output out = new BodyWriter.Output();
    out.reset();
    writer.write(value, out);
    return out.toByteArray();
  }

  private static Object randomValue(Schema schema, SpecificData model, Random random, int depth) {
    if (schema.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
      return Instant.ofEpochMilli(random.nextInt(4) == 0 ? -random.nextLong(1L << 40) : random.nextLong(1L << 45));
    }
    if (schema.getLogicalType() instanceof LogicalTypes.Date) {
      return LocalDate.ofEpochDay(random.nextInt(200_000) - 100_000);
    }
    return switch (schema.getType()) {
      case NULL -> null;
      case BOOLEAN -> random.nextBoolean();
      case INT -> switch (random.nextInt(4)) {
        case 0 -> Integer.MIN_VALUE;
        case 1 -> Integer.MAX_VALUE;
        default -> random.nextInt() >> random.nextInt(31);
      };
      case LONG -> switch (random.nextInt(4)) {
        case 0 -> Long.MIN_VALUE;
        case 1 -> Long.MAX_VALUE;
        default -> random.nextLong() >> random.nextInt(63);
      };
      case FLOAT -> new float[] {0f, -0f, Float.NaN, 1.5f, -3.25e7f, random.nextFloat()}[random.nextInt(6)];
      case DOUBLE -> new double[] {0d, -0d, Double.NaN, Double.NEGATIVE_INFINITY, 7.5, -1e300,
          random.nextGaussian()}[random.nextInt(7)];
      case STRING -> TEXTS[random.nextInt(TEXTS.length)];
      case BYTES -> {
        byte[] bytes = new byte[random.nextInt(20) + 2];
        random.nextBytes(bytes);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        buffer.position(random.nextInt(2)); // a buffer already read from: only the rest is the value
        yield buffer;
      }
      case ENUM -> model.getClass(schema).getEnumConstants()[random.nextInt(schema.getEnumSymbols().size())];
      case FIXED -> model.createFixed(null, randomBytes(random, schema.getFixedSize()), schema);
      case ARRAY -> {
        List<Object> items = new ArrayList<>();
        int size = depth > 3 ? 0 : random.nextInt(4);
        for (int i = 0; i < size; i++) {
          items.add(randomValue(schema.getElementType(), model, random, depth + 1));
        }
        yield items;
      }
      case MAP -> {
        Map<String, Object> map = new LinkedHashMap<>();
        int size = depth > 3 ? 0 : random.nextInt(4);
        for (int i = 0; i < size; i++) {
          map.put(TEXTS[random.nextInt(TEXTS.length)] + i, randomValue(schema.getValueType(), model, random,
              depth + 1));
        }
        yield map;
      }
      case UNION -> {
        List<Schema> branches = schema.getTypes();
        yield randomValue(branches.get(random.nextInt(branches.size())), model, random, depth + 1);
      }
      case RECORD -> {
        Object record = model.newRecord(null, schema);
        for (Schema.Field field : schema.getFields()) {
          model.setField(record, field.name(), field.pos(), randomValue(field.schema(), model, random, depth + 1));
        }
        yield record;
      }
    };
  }

  private static byte[] randomBytes(Random random, int size) {
    byte[] bytes = new byte[size];
    random.nextBytes(bytes);
    return bytes;
  }
}
