package io.fleetwatch.simulator.payload;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetwatch.schemas.DeviceChannel;
import io.fleetwatch.simulator.fleet.DeviceProfile;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PayloadTest {

  @Test
  void telemetryFollowsTheDeviceContractWithRoundedValues() {
    String json = text(new TelemetryPayload().begin(1764100000123L, 42).metric("a", 1.23456).metric("b", -2).end());

    assertEquals("{\"ts\":1764100000123,\"seq\":42,\"metrics\":{\"a\":1.235,\"b\":-2.0}}", json);
  }

  @Test
  void eventCarriesTypeAndEscapedAttributes() {
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("user", "ad\"min");
    attributes.put("source", "10.0.0.1");

    String json = text(EventPayload.write(1000, 7, "auth_failure", attributes));

    assertEquals("{\"ts\":1000,\"seq\":7,\"type\":\"auth_failure\",\"attributes\":{\"user\":\"ad\\\"min\","
        + "\"source\":\"10.0.0.1\"}}", json);
  }

  @Test
  void stateCarriesEveryReportedField() {
    DeviceProfile p = new DeviceProfile("CH-200", "acme", "2.4.1", "sha256:ab", List.of(443, 8883), "1.3", "normal",
        "running", List.of("pkg:generic/openssl@3.0.13"));

    String json = text(StatePayload.write(1000, 8, p));

    assertEquals("{\"ts\":1000,\"seq\":8,\"model\":\"CH-200\",\"vendor\":\"acme\",\"firmware\":\"2.4.1\","
        + "\"config_hash\":\"sha256:ab\",\"open_ports\":[443,8883],\"tls\":\"1.3\",\"security_state\":\"normal\","
        + "\"mode\":\"running\",\"components\":[{\"purl\":\"pkg:generic/openssl@3.0.13\"}]}", json);
  }

  @Test
  void topicsFollowRootSiteDeviceChannel() {
    assertEquals("fleet/hq/chiller-01/state", DeviceChannel.STATE.mqttTopic("fleet", "hq", "chiller-01"));
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
