package io.fleetwatch.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.Objects;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for generated Avro classes using the Avro single-object encoding ({@code C3 01}, 8-byte
 * CRC-64-AVRO fingerprint of the writer schema, binary body), so any Avro library can read the bytes with the
 * {@code .avsc} files and no schema-registry server is needed.
 *
 * <p>Records written with an earlier released version of a schema are resolved against the current one: the
 * released schemas are kept as snapshots under {@code io/fleetwatch/schemas/history/} and registered with the
 * decoder. Bytes with a bad header or an unknown fingerprint raise a {@link SerializationException} that names
 * the type and the fingerprint, which the callers route to the dead-letter topic.
 *
 * <p>Encoding writes the same bytes as Avro's {@code BinaryMessageEncoder}: the body through a {@link BodyWriter}
 * compiled once from the schema, into an output buffer kept per thread, copied once.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {

  private final Class<T> type;
  private final Schema schema;
  /** {@code C3 01} and the 8-byte little-endian CRC-64-AVRO fingerprint of the schema. */
  private final byte[] header;
  /** Writes the body, or {@code null} when the schema has a type {@link BodyWriter} does not compile. */
  private final BodyWriter.ValueWriter body;
  private final DatumWriter<T> writer;
  private final BinaryMessageDecoder<T> decoder;

  /** A thread's output buffer (and Avro encoder, for schemas without a compiled body writer), reused by every serde. */
  private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

  private static final class Buffers {
    private final BodyWriter.Output out = new BodyWriter.Output();
    private BinaryEncoder encoder;
  }

  private AvroSerde(Class<T> type) {
    this.type = type;
    SpecificData model = SpecificData.getForClass(type);
    this.schema = model.getSchema(type);
    SchemaStore.Cache store = new SchemaStore.Cache();
    for (Schema released : SchemaHistory.released(schema.getName())) {
      store.addSchema(released);
    }
    this.header = new byte[10];
    header[0] = (byte) 0xC3;
    header[1] = (byte) 0x01;
    System.arraycopy(fingerprintBytes(schema), 0, header, 2, 8);
    @SuppressWarnings("unchecked")
    DatumWriter<T> datumWriter = (DatumWriter<T>) model.createDatumWriter(schema);
    this.writer = datumWriter;
    this.body = BodyWriter.compile(schema, model).orElse(null);
    this.decoder = new BinaryMessageDecoder<>(model, schema, store);
  }

  /** A serde for one generated Avro class. */
  public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
    return new AvroSerde<>(Objects.requireNonNull(type, "type"));
  }

  public Schema schema() {
    return schema;
  }

  public Class<T> type() {
    return type;
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null; // tombstone
    }
    Buffers buffers = BUFFERS.get();
    try {
      buffers.out.reset();
      buffers.out.writeBytes(header, 0, header.length);
      if (body != null) {
        body.write(data, buffers.out);
      } else {
        buffers.encoder = EncoderFactory.get().binaryEncoder(buffers.out, buffers.encoder);
        writer.write(data, buffers.encoder);
        buffers.encoder.flush();
      }
      return buffers.out.toByteArray();
    } catch (IOException | AvroRuntimeException | NullPointerException | ClassCastException
        | ConcurrentModificationException e) {
      buffers.encoder = null; // it may hold part of this value: the next one starts with a new encoder
      throw new SerializationException(
          "cannot encode " + schema.getName() + " for topic " + topic + ": " + e.getMessage(), e);
    }
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null; // tombstone
    }
    try {
      return decoder.decode(data);
    } catch (MissingSchemaException e) {
      throw new SerializationException("cannot decode " + schema.getName() + " from topic " + topic
          + ": unknown writer schema fingerprint " + fingerprintOf(data)
          + " (written by a newer or foreign schema version)", e);
    } catch (BadHeaderException e) {
      throw new SerializationException("cannot decode " + schema.getName() + " from topic " + topic
          + ": not Avro single-object encoding (" + e.getMessage() + ")", e);
    } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | IllegalArgumentException e) {
      throw new SerializationException("cannot decode " + schema.getName() + " from topic " + topic
          + ": corrupt body (" + e.getMessage() + ")", e);
    }
  }

  private static String fingerprintOf(byte[] data) {
    if (data.length < 10) {
      return "<truncated>";
    }
    StringBuilder hex = new StringBuilder("0x");
    for (int i = 9; i >= 2; i--) { // little-endian on the wire
      hex.append(String.format("%02x", data[i]));
    }
    return hex.toString();
  }

  private static byte[] fingerprintBytes(Schema schema) {
    try {
      return SchemaNormalization.parsingFingerprint("CRC-64-AVRO", schema);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("CRC-64-AVRO is built into Avro", e);
    }
  }

  /** The CRC-64-AVRO fingerprint that prefixes every encoded value of this type. */
  public long fingerprint() {
    return SchemaNormalization.parsingFingerprint64(schema);
  }

  @Override
  public Serializer<T> serializer() {
    return this;
  }

  @Override
  public Deserializer<T> deserializer() {
    return this;
  }

  @Override
  public void configure(java.util.Map<String, ?> configs, boolean isKey) {
    // nothing to configure: the schema comes from the generated class
  }

  @Override
  public void close() {
    // stateless
  }

  /** Released schema snapshots shipped as resources. */
  static final class SchemaHistory {
    private static final String ROOT = "/io/fleetwatch/schemas/history/";

    private SchemaHistory() {}

    static List<Schema> released(String recordName) {
      List<Schema> schemas = new ArrayList<>();
      try (InputStream index = AvroSerde.class.getResourceAsStream(ROOT + "index.txt")) {
        if (index == null) {
          return schemas;
        }
        for (String line : new String(index.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
          String entry = line.strip();
          if (entry.isEmpty() || entry.startsWith("#") || !entry.startsWith(recordName + "/")) {
            continue;
          }
          try (InputStream in = AvroSerde.class.getResourceAsStream(ROOT + entry)) {
            if (in == null) {
              throw new IllegalStateException("schema snapshot listed but missing: " + entry);
            }
            schemas.add(new Schema.Parser().parse(in));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read schema snapshots", e);
      }
      return schemas;
    }
  }
}
