package io.fleetwatch.gateway.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetwatch.avro.DeviceEvent;
import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.schemas.DeviceChannel;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParseResultTest {

  @Test
  void acceptedValueMustBeTheRecordOfItsChannel() {
    Telemetry telemetry = Telemetry.newBuilder().setDeviceId("d").setSite("s").setTs(Instant.EPOCH)
        .setReceivedAt(Instant.EPOCH).setMetrics(Map.of()).build();

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ParseResult.Accepted(DeviceChannel.EVENT, "d", "s", telemetry));

    assertEquals("the value of channel event must be a DeviceEvent, got Telemetry", e.getMessage());
    assertEquals(telemetry, new ParseResult.Accepted(DeviceChannel.TELEMETRY, "d", "s", telemetry).value());
    assertEquals(DeviceEvent.class, DeviceChannel.EVENT.valueType());
  }
}
