package io.fleetwatch.schemas;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.util.Utf8;

/**
 * Writes the Avro binary body of a generated record through writers built once from its schema: each field is read
 * by position and written by a writer chosen for its type, a union's branch by the value's class, timestamps and dates
 * converted inline. The bytes are exactly those of Avro's {@code SpecificDatumWriter} (tested field by field over
 * every schema of the project), without its per-value work: looking up the conversion of each field, resolving union
 * branches by name, encoding each string into a new array.
 *
 * <p>{@link #compile} returns empty for a schema with a type it does not know how to write (a logical type other than
 * {@code timestamp-millis} and {@code date}); the serde then uses Avro's writer.
 */
final class BodyWriter {

  /** Writes one value of one schema. */
  @FunctionalInterface
  interface ValueWriter {
    void write(Object value, Output out);
  }

  /**
   * A growable byte array written from the start for each value, kept per thread by the serde; also the stream Avro's
   * own encoder writes to for a schema this class does not compile.
   */
  static final class Output extends OutputStream {
    /** Buffers grown beyond this by an unusually large value are dropped after it. */
    private static final int KEPT = 1 << 20;

    private byte[] buf = new byte[1024];
    private int pos;

    void reset() {
      if (buf.length > KEPT) {
        buf = new byte[1024];
      }
      pos = 0;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, pos);
    }

    int size() {
      return pos;
    }

    private void ensure(int more) {
      if (pos + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
      }
    }

    @Override
    public void write(int b) {
      ensure(1);
      buf[pos++] = (byte) b;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      writeBytes(bytes, offset, length);
    }

    void writeBytes(byte[] bytes, int offset, int length) {
      ensure(length);
      System.arraycopy(bytes, offset, buf, pos, length);
      pos += length;
    }

    void writeBoolean(boolean value) {
      ensure(1);
      buf[pos++] = (byte) (value ? 1 : 0);
    }

    /** Zig-zag variable-length long; an int is written the same way. */
    void writeLong(long value) {
      ensure(10);
      long n = (value << 1) ^ (value >> 63);
      while ((n & ~0x7FL) != 0) {
        buf[pos++] = (byte) ((n & 0x7F) | 0x80);
        n >>>= 7;
      }
      buf[pos++] = (byte) n;
    }

    void writeFloat(float value) {
      ensure(4);
      int bits = Float.floatToRawIntBits(value);
      for (int i = 0; i < 4; i++) {
        buf[pos++] = (byte) (bits >>> (8 * i));
      }
    }

    void writeDouble(double value) {
      ensure(8);
      long bits = Double.doubleToRawLongBits(value);
      for (int i = 0; i < 8; i++) {
        buf[pos++] = (byte) (bits >>> (8 * i));
      }
    }

    /** Length and UTF-8 bytes; ASCII strings are copied without an intermediate array. */
    void writeString(CharSequence value) {
      if (value instanceof Utf8 utf8) {
        writeLong(utf8.getByteLength());
        writeBytes(utf8.getBytes(), 0, utf8.getByteLength());
        return;
      }
      String s = value.toString();
      int length = s.length();
      for (int i = 0; i < length; i++) {
        if (s.charAt(i) >= 0x80) {
          byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
          writeLong(bytes.length);
          writeBytes(bytes, 0, bytes.length);
          return;
        }
      }
      writeLong(length);
      ensure(length);
      for (int i = 0; i < length; i++) {
        buf[pos++] = (byte) s.charAt(i);
      }
    }
  }

  private BodyWriter() {}

  /** The writer of {@code schema}'s values, or empty when the schema has a type this class does not write. */
  static Optional<ValueWriter> compile(Schema schema, SpecificData model) {
    try {
      return Optional.of(new Compiler(model).writer(schema));
    } catch (Unsupported e) {
      return Optional.empty();
    }
  }

  /** A schema this class leaves to Avro's writer. */
  private static final class Unsupported extends Exception {
    Unsupported(String what) {
      super(what, null, false, false);
    }
  }

  private static final class Compiler {
    private final SpecificData model;
    /** Record writers by schema identity, so a recursive record refers to its writer while it is being built. */
    private final Map<Schema, ValueWriter> records = new IdentityHashMap<>();

    Compiler(SpecificData model) {
      this.model = model;
    }

    ValueWriter writer(Schema schema) throws Unsupported {
      LogicalType logical = schema.getLogicalType();
      if (logical != null && model.getConversionFor(logical) != null) {
        return logicalWriter(schema, logical);
      }
      return switch (schema.getType()) {
        case NULL -> (value, out) -> { };
        case BOOLEAN -> (value, out) -> out.writeBoolean((Boolean) value);
        case INT -> (value, out) -> out.writeLong((Integer) value);
        case LONG -> (value, out) -> out.writeLong((Long) value);
        case FLOAT -> (value, out) -> out.writeFloat((Float) value);
        case DOUBLE -> (value, out) -> out.writeDouble((Double) value);
        case STRING -> (value, out) -> out.writeString((CharSequence) value);
        case BYTES -> (value, out) -> {
          ByteBuffer bytes = ((ByteBuffer) value).duplicate();
          byte[] copy = new byte[bytes.remaining()];
          bytes.get(copy);
          out.writeLong(copy.length);
          out.writeBytes(copy, 0, copy.length);
        };
        case FIXED -> (value, out) -> {
          byte[] bytes = ((GenericFixed) value).bytes();
          out.writeBytes(bytes, 0, bytes.length);
        };
        case ENUM -> (value, out) -> out.writeLong(((Enum<?>) value).ordinal());
        case ARRAY -> array(schema);
        case MAP -> map(schema);
        case UNION -> union(schema);
        case RECORD -> record(schema);
      };
    }

    private ValueWriter logicalWriter(Schema schema, LogicalType logical) throws Unsupported {
      if (logical instanceof LogicalTypes.TimestampMillis) {
        // a raw long is written as is, as Avro does when no conversion applies to the value's class
        return (value, out) -> out.writeLong(value instanceof Instant at ? at.toEpochMilli() : (Long) value);
      }
      if (logical instanceof LogicalTypes.Date) {
        return (value, out) -> out.writeLong(value instanceof LocalDate day
            ? (int) day.toEpochDay() : (Integer) value);
      }
      throw new Unsupported(schema.toString());
    }

    private ValueWriter array(Schema schema) throws Unsupported {
      ValueWriter items = writer(schema.getElementType());
      return (value, out) -> {
        Collection<?> list = (Collection<?>) value;
        int size = list.size();
        if (size > 0) {
          out.writeLong(size);
          int written = 0;
          for (Object item : list) {
            items.write(item, out);
            written++;
          }
          requireSize(size, written);
        }
        out.writeLong(0);
      };
    }

    private ValueWriter map(Schema schema) throws Unsupported {
      ValueWriter values = writer(schema.getValueType());
      return (value, out) -> {
        Map<?, ?> map = (Map<?, ?>) value;
        int size = map.size();
        if (size > 0) {
          out.writeLong(size);
          int written = 0;
          for (Map.Entry<?, ?> entry : map.entrySet()) {
            out.writeString((CharSequence) entry.getKey());
            values.write(entry.getValue(), out);
            written++;
          }
          requireSize(size, written);
        }
        out.writeLong(0);
      };
    }

    private static void requireSize(int size, int written) {
      if (written != size) {
        throw new java.util.ConcurrentModificationException(
            "size changed while writing: expected " + size + " entries, wrote " + written);
      }
    }

    private ValueWriter union(Schema schema) throws Unsupported {
      List<Schema> branches = schema.getTypes();
      int count = branches.size();
      Class<?>[] classes = new Class<?>[count];
      Class<?>[] rawClasses = new Class<?>[count];
      ValueWriter[] writers = new ValueWriter[count];
      int nullBranch = -1;
      for (int i = 0; i < count; i++) {
        Schema branch = branches.get(i);
        writers[i] = writer(branch);
        if (branch.getType() == Schema.Type.NULL) {
          nullBranch = i;
        } else {
          classes[i] = valueClass(branch);
          rawClasses[i] = rawClass(branch);
        }
      }
      int nulls = nullBranch;
      return (value, out) -> {
        if (value == null) {
          if (nulls < 0) {
            throw new NullPointerException("null value for a union without null: " + schema);
          }
          out.writeLong(nulls);
          return;
        }
        Class<?> type = value.getClass();
        for (int i = 0; i < count; i++) {
          if (classes[i] != null && (classes[i].isAssignableFrom(type)
              || rawClasses[i] != null && rawClasses[i].isAssignableFrom(type))) {
            out.writeLong(i);
            writers[i].write(value, out);
            return;
          }
        }
        throw new AvroRuntimeException("Not in union " + schema + ": " + value);
      };
    }

    /** The class of a union branch's values as the generated classes hold them. */
    private Class<?> valueClass(Schema branch) throws Unsupported {
      LogicalType logical = branch.getLogicalType();
      if (logical != null && model.getConversionFor(logical) != null) {
        if (logical instanceof LogicalTypes.TimestampMillis) {
          return Instant.class;
        }
        if (logical instanceof LogicalTypes.Date) {
          return LocalDate.class;
        }
        throw new Unsupported(branch.toString());
      }
      return rawClass(branch);
    }

    /** The class of a branch's values without a logical type's conversion. */
    private Class<?> rawClass(Schema branch) {
      return switch (branch.getType()) {
        case BOOLEAN -> Boolean.class;
        case INT -> Integer.class;
        case LONG -> Long.class;
        case FLOAT -> Float.class;
        case DOUBLE -> Double.class;
        case STRING -> CharSequence.class;
        case BYTES -> ByteBuffer.class;
        case ARRAY -> Collection.class;
        case MAP -> Map.class;
        case RECORD, ENUM, FIXED -> model.getClass(branch);
        case NULL, UNION -> null;
      };
    }

    private ValueWriter record(Schema schema) throws Unsupported {
      ValueWriter known = records.get(schema);
      if (known != null) {
        return known;
      }
      List<Schema.Field> fields = schema.getFields();
      ValueWriter[] writers = new ValueWriter[fields.size()];
      String[] names = new String[fields.size()];
      boolean[] nullable = new boolean[fields.size()];
      ValueWriter self = (value, out) -> {
        IndexedRecord record = (IndexedRecord) value;
        for (int i = 0; i < writers.length; i++) {
          Object field = record.get(i);
          if (field == null && !nullable[i]) {
            throw new NullPointerException("null value for (non-nullable) field " + names[i]);
          }
          writers[i].write(field, out);
        }
      };
      records.put(schema, self);
      List<String> unsupported = new ArrayList<>();
      for (Schema.Field field : fields) {
        int pos = field.pos();
        names[pos] = schema.getName() + "." + field.name();
        nullable[pos] = field.schema().getType() == Schema.Type.NULL || field.schema().getType() == Schema.Type.UNION;
        try {
          writers[pos] = writer(field.schema());
        } catch (Unsupported e) {
          unsupported.add(names[pos]);
        }
      }
      if (!unsupported.isEmpty()) {
        throw new Unsupported(String.join(", ", unsupported));
      }
      return self;
    }
  }
}
