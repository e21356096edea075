package io.fleetwatch.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetwatch.avro.Telemetry;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SharedDecodingSerdeTest {
  private final AvroSerde<Telemetry> avro = AvroSerde.of(Telemetry.class);

  private static Telemetry telemetry(double value) {
    return Telemetry.newBuilder().setDeviceId("chiller-01").setSite("hq")
        .setTs(Instant.ofEpochMilli(1_764_100_000_000L)).setReceivedAt(Instant.ofEpochMilli(1_764_100_000_100L))
        .setMetrics(Map.of("supply_temp_c", value)).build();
  }

  @Test
  void decodesTheSameBytesOnceAndAChangedValueAgain() {
    SharedDecodingSerde<Telemetry> serde = new SharedDecodingSerde<>(avro, 10);
    byte[] first = avro.serialize("t", telemetry(7.5));

    Telemetry decoded = serde.deserialize("t", first);
    assertEquals(telemetry(7.5), decoded);
    assertSame(decoded, serde.deserialize("t", first.clone()), "equal bytes, the value decoded before");

    Telemetry changed = serde.deserialize("t", avro.serialize("t", telemetry(9.0)));
    assertEquals(telemetry(9.0), changed);
    assertSame(decoded, serde.deserialize("t", first));
  }

  @Test
  void keepsItsOwnCopyOfTheBytesSoACallerMayReuseItsArray() {
    SharedDecodingSerde<Telemetry> serde = new SharedDecodingSerde<>(avro, 10);
    byte[] buffer = avro.serialize("t", telemetry(7.5));
    byte[] other = avro.serialize("t", telemetry(8.5));
    assertEquals(buffer.length, other.length);

    Telemetry first = serde.deserialize("t", buffer);
    System.arraycopy(other, 0, buffer, 0, buffer.length); // the caller reuses its array for the next value
    assertEquals(telemetry(8.5), serde.deserialize("t", buffer));
    assertSame(first, serde.deserialize("t", avro.serialize("t", telemetry(7.5))));
  }

  @Test
  void remembersOnlyTheLastCapacityEncodings() {
    SharedDecodingSerde<Telemetry> serde = new SharedDecodingSerde<>(avro, 2);
    byte[] a = avro.serialize("t", telemetry(1));
    Telemetry decodedA = serde.deserialize("t", a);
    serde.deserialize("t", avro.serialize("t", telemetry(2)));
    serde.deserialize("t", avro.serialize("t", telemetry(3)));

    Telemetry again = serde.deserialize("t", a);
    assertNotSame(decodedA, again, "evicted: decoded anew");
    assertEquals(decodedA, again);
  }

  @Test
  void passesTombstonesAndEncodesThroughTheInnerSerde() {
    SharedDecodingSerde<Telemetry> serde = new SharedDecodingSerde<>(avro, 2);
    assertNull(serde.deserialize("t", null));
    assertEquals(telemetry(1), serde.deserialize("t", serde.serializer().serialize("t", telemetry(1))));
    assertThrows(IllegalArgumentException.class, () -> new SharedDecodingSerde<>(avro, 0));
  }
}
