package io.fleetwatch.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.Telemetry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

  private final AvroSerde<Telemetry> serde = AvroSerde.of(Telemetry.class);

  private static Telemetry telemetry() {
    return Telemetry.newBuilder()
        .setDeviceId("chiller-01").setSite("hq")
        .setTs(Instant.ofEpochMilli(1_764_100_000_123L)).setReceivedAt(Instant.ofEpochMilli(1_764_100_000_200L))
        .setSeq(42L).setMetrics(Map.of("supply_temp_c", 7.5))
        .build();
  }

  @Test
  void writesExactlyTheBytesOfAvrosMessageEncoderAlsoForValuesLargerThanTheEncodersBuffer() throws Exception {
    Map<String, Double> metrics = new java.util.HashMap<>();
    for (int i = 0; i < 500; i++) {
      metrics.put("metric_" + i, i / 3.0);
    }
    Telemetry large = Telemetry.newBuilder(telemetry()).setMetrics(metrics).build();
    BinaryMessageEncoder<Telemetry> avro = new BinaryMessageEncoder<>(SpecificData.getForClass(Telemetry.class),
        Telemetry.getClassSchema());

    for (Telemetry value : List.of(telemetry(), large, telemetry())) {
      ByteBuffer expected = avro.encode(value);
      byte[] bytes = new byte[expected.remaining()];
      expected.get(bytes);
      assertArrayEquals(bytes, serde.serialize("t", value));
    }
  }

  @Test
  void aValueThatCannotBeEncodedLeavesNothingBehindForTheNextOne() {
    Telemetry missingSite = new Telemetry();
    missingSite.setDeviceId("chiller-01");
    missingSite.setTs(Instant.ofEpochMilli(1L));
    missingSite.setReceivedAt(Instant.ofEpochMilli(1L));
    missingSite.setMetrics(Map.of("supply_temp_c", 7.5));

    assertThrows(SerializationException.class, () -> serde.serialize("t", missingSite));
    assertEquals(telemetry(), serde.deserialize("t", serde.serialize("t", telemetry())));
  }

  @Test
  void roundTripsThroughSingleObjectEncoding() {
    byte[] bytes = serde.serialize("fleet.telemetry", telemetry());

    assertEquals((byte) 0xC3, bytes[0]);
    assertEquals((byte) 0x01, bytes[1]);
    assertEquals(telemetry(), serde.deserialize("fleet.telemetry", bytes));
  }

  @Test
  void writesTheStandardFingerprintOfTheSchema() {
    byte[] bytes = serde.serialize("t", telemetry());

    long fingerprint = 0;
    for (int i = 9; i >= 2; i--) {
      fingerprint = (fingerprint << 8) | (bytes[i] & 0xFF);
    }
    assertEquals(SchemaNormalization.parsingFingerprint64(Telemetry.getClassSchema()), fingerprint);
  }

  @Test
  void passesTombstonesThrough() {
    assertNull(serde.serialize("t", null));
    assertNull(serde.deserialize("t", null));
  }

  @Test
  void rejectsBytesThatAreNotSingleObjectEncodingWithAClearError() {
    SerializationException e = assertThrows(SerializationException.class,
        () -> serde.deserialize("fleet.telemetry", "{\"ts\":1}".getBytes(StandardCharsets.UTF_8)));

    assertTrue(e.getMessage().contains("Telemetry"), e.getMessage());
    assertTrue(e.getMessage().contains("fleet.telemetry"), e.getMessage());
  }

  @Test
  void rejectsAnUnknownWriterFingerprintNamingIt() throws Exception {
    // Given a record written with a schema this reader has never seen
    Schema foreign = new Schema.Parser().parse("""
        {"type":"record","name":"Telemetry","namespace":"io.fleetwatch.avro","fields":[
          {"name":"deviceId","type":"string"},{"name":"colour","type":"string"}]}""");
    byte[] bytes = encodeSingleObject(foreign, record(foreign, "deviceId", "d1", "colour", "red"));

    // When / Then
    SerializationException e = assertThrows(SerializationException.class,
        () -> serde.deserialize("fleet.telemetry", bytes));
    assertTrue(e.getMessage().contains("unknown writer schema fingerprint"), e.getMessage());
  }

  @Test
  void rejectsATruncatedBodyWithAClearError() {
    byte[] bytes = serde.serialize("t", telemetry());
    byte[] truncated = java.util.Arrays.copyOf(bytes, 14);

    SerializationException e = assertThrows(SerializationException.class, () -> serde.deserialize("t", truncated));
    assertTrue(e.getMessage().contains("Telemetry"), e.getMessage());
  }

  @Test
  void readsDataWrittenWithAnOlderReleasedSchemaVersion() throws Exception {
    // Given bytes written by the v1 snapshot (the oldest released writer)
    Schema v1 = AvroSerde.SchemaHistory.released("Telemetry").get(0);
    GenericRecord old = new GenericData.Record(v1);
    old.put("deviceId", "chiller-01");
    old.put("site", "hq");
    old.put("ts", 1_764_100_000_123L);
    old.put("receivedAt", 1_764_100_000_200L);
    old.put("seq", null);
    old.put("metrics", Map.of("supply_temp_c", 9.0));
    byte[] bytes = encodeSingleObject(v1, old);

    // When
    Telemetry decoded = serde.deserialize("fleet.telemetry", bytes);

    // Then
    assertEquals("chiller-01", decoded.getDeviceId());
    assertEquals(9.0, decoded.getMetrics().get("supply_temp_c"));
  }

  private static GenericRecord record(Schema schema, String... kv) {
    GenericRecord r = new GenericData.Record(schema);
    for (int i = 0; i < kv.length; i += 2) {
      r.put(kv[i], kv[i + 1]);
    }
    return r;
  }

  /** Writes the single-object encoding by hand, as a foreign Avro library would. */
  private static byte[] encodeSingleObject(Schema schema, GenericRecord datum) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0xC3);
    out.write(0x01);
    long fp = SchemaNormalization.parsingFingerprint64(schema);
    for (int i = 0; i < 8; i++) {
      out.write((int) (fp >>> (8 * i)) & 0xFF);
    }
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(datum, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}
