package io.fleetwatch.simulator.payload;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Writes event JSON in the device-facing contract: {@code {"ts":..,"seq":..,"type":..,"attributes":{..}}}. */
public final class EventPayload {
  private static final JsonFactory JSON = new JsonFactory();

  private EventPayload() {
  }

  /** The payload of one event; attribute values are written as strings. */
  public static byte[] write(long ts, long seq, String type, Map<String, String> attributes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("ts", ts);
      g.writeNumberField("seq", seq);
      g.writeStringField("type", type);
      g.writeObjectFieldStart("attributes");
      for (Map.Entry<String, String> a : attributes.entrySet()) {
        g.writeStringField(a.getKey(), a.getValue());
      }
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory cannot fail", e);
    }
    return out.toByteArray();
  }
}
