package io.fleetwatch.simulator.payload;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.fleetwatch.simulator.fleet.DeviceProfile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes state JSON in the device-facing contract: ts, seq, model, vendor, firmware, config_hash, open_ports, tls,
 * security_state, mode and components as {@code [{"purl": ..}]}.
 */
public final class StatePayload {
  private static final JsonFactory JSON = new JsonFactory();

  private StatePayload() {
  }

  public static byte[] write(long ts, long seq, DeviceProfile p) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("ts", ts);
      g.writeNumberField("seq", seq);
      g.writeStringField("model", p.model());
      g.writeStringField("vendor", p.vendor());
      g.writeStringField("firmware", p.firmware());
      g.writeStringField("config_hash", p.configHash());
      g.writeArrayFieldStart("open_ports");
      for (int port : p.openPorts()) {
        g.writeNumber(port);
      }
      g.writeEndArray();
      g.writeStringField("tls", p.tls());
      g.writeStringField("security_state", p.securityState());
      g.writeStringField("mode", p.mode());
      g.writeArrayFieldStart("components");
      for (String purl : p.components()) {
        g.writeStartObject();
        g.writeStringField("purl", purl);
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory cannot fail", e);
    }
    return out.toByteArray();
  }
}
