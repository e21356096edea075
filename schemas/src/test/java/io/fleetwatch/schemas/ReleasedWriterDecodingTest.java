package io.fleetwatch.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.RandomData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An upgrade must not strand data: random records written with every released schema version (as an old
 * producer or an old changelog would hold them) decode through today's serde.
 */
class ReleasedWriterDecodingTest {

  static Stream<String> releasedRecordNames() throws IOException {
    Set<String> names = new LinkedHashSet<>();
    try (InputStream in = AvroSerde.class.getResourceAsStream("/io/fleetwatch/schemas/history/index.txt")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String entry = line.strip();
        if (!entry.isEmpty() && !entry.startsWith("#")) {
          names.add(entry.substring(0, entry.indexOf('/')));
        }
      }
    }
    return names.stream();
  }

  @Test
  void theIndexListsReleasedSchemas() throws IOException {
    assertFalse(releasedRecordNames().toList().isEmpty());
  }

  @ParameterizedTest
  @MethodSource("releasedRecordNames")
  @SuppressWarnings("unchecked")
  void randomRecordsOfEveryReleasedVersionDecode(String name) throws Exception {
    Class<? extends SpecificRecord> type =
        (Class<? extends SpecificRecord>) Class.forName("io.fleetwatch.avro." + name);
    AvroSerde<? extends SpecificRecord> serde = AvroSerde.of(type);
    List<Schema> versions = AvroSerde.SchemaHistory.released(name);

    int decoded = 0;
    for (Schema writer : versions) {
      for (Object datum : new RandomData(writer, 50, 20261126L)) {
        SpecificRecord value = serde.deserialize("t", encode(writer, datum));
        assertNotNull(value, name + " decoded to null");
        decoded++;
      }
    }
    assertEquals(50 * versions.size(), decoded);
  }

  private static byte[] encode(Schema writer, Object datum) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0xC3);
    out.write(0x01);
    long fp = SchemaNormalization.parsingFingerprint64(writer);
    for (int i = 0; i < 8; i++) {
      out.write((int) (fp >>> (8 * i)) & 0xFF);
    }
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<Object>(writer).write(datum, encoder);
    encoder.flush();
    return out.toByteArray();
  }

}
