package io.fleetwatch.gateway.source.mapped;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetwatch.schemas.DeviceChannel;
import io.fleetwatch.gateway.source.SourceFileException;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every error of a mapping file is reported as file:line: field: why, all at once. */
class MappingFileTest {

  private static List<String> errors(String yaml) {
    SourceFileException e = assertThrows(SourceFileException.class,
        () -> MappingFile.read("m.yaml", new StringReader(yaml)));
    return e.errors();
  }

  @Test
  void readsAValidMapping() {
    List<PayloadMapping> mappings = MappingFile.read("m.yaml", new StringReader("""
        apiVersion: fleetwatch.io/v1
        kind: PayloadMappings
        mappings:
          - id: a
            topic: v/{site}/{device}
            when: {/kind: temp}
            ts: {pointer: /at, format: iso-8601, zone: Europe/Berlin}
            seq: {pointer: /n}
            telemetry:
              t: {pointer: /v, from: degF, to: Cel, scale: 2, offset: -1, map: {off: 0}}
        """));

    PayloadMapping m = mappings.get(0);
    assertEquals("a", m.id());
    assertEquals("v/+/+", m.topic().filter());
    assertEquals(DeviceChannel.TELEMETRY, m.channel());
    assertEquals("/kind", m.when().get(0).pointer().toString());
    assertEquals(PayloadMapping.TimeFormat.ISO_8601, m.ts().format());
    assertEquals(2.0, m.metrics().get("t").scale());
    assertEquals(4, m.line());
  }

  @Test
  void reportsEveryErrorWithFileLineFieldAndWhy() {
    List<String> errors = errors("""
        apiVersion: fleetwatch.io/v1
        kind: PayloadMappings
        mappings:
          - id: bad id
            topic: vendor/{site}/{device}
            telemetry:
              t: {pointer: presentValue}
          - id: no-device
            topic: vendor/{site}
            telemetry:
              t: {pointer: /v, from: degF, to: kPa}
          - id: ts-problems
            topic: vendor/{site}/{device}/x
            ts: {pointer: /ts, format: pattern, pattern: "yyyy-MM-dd HH:mm bb"}
            telemetry:
              t: {pointer: /v, value: 3}
          - id: two-channels
            topic: vendor/{site}/{device}/y
            telemetry: {t: {pointer: /v}}
            state: {mode: {value: x}}
          - id: unknown-field
            topic: vendor/{site}/{device}/z
            colour: red
            state: {colour: {value: x}}
          - id: catch-all
            topic: vendor/{site}/{device}/w
            telemetry: {t: {pointer: /v}}
          - id: catch-all
            topic: vendor/{site}/{device}/w
            event: {type: {value: boot}}
          - id: epoch-zone
            topic: vendor/{site}/{device}/e
            ts: {pointer: /ts, format: epoch-s, zone: Mars/Base}
            telemetry: {t: {pointer: /v, scale: 0}}
          - id: bad-event
            topic: vendor/{site}/{device}/{device}
            event: {type: {value: "no such type!"}, attributes: {a: {pointer: /a, value: 1}}}
        """);

    assertEquals(List.of(
        "m.yaml:4: mappings[0].id: must match [A-Za-z0-9._-]{1,64}, got 'bad id'",
        "m.yaml:7: mappings[0].telemetry.t.pointer: 'presentValue' is not a JSON Pointer (RFC 6901): it starts with / "
            + "and escapes ~ and / as ~0 and ~1",
        "m.yaml:9: mappings[1].topic: 'vendor/{site}' has no {device} segment; a mapping takes the device from the topic",
        "m.yaml:11: mappings[1].telemetry.t.from: cannot convert degF (temperature) to kPa (pressure)",
        "m.yaml:14: mappings[2].ts.pattern: not a date-time pattern: Unknown pattern letter: b",
        "m.yaml:14: mappings[2].ts.zone: required with format pattern: the zone of times without an offset",
        "m.yaml:16: mappings[2].telemetry.t: needs exactly one of pointer (where in the payload) or value (a constant)",
        "m.yaml:17: mappings[3]: has telemetry and state; a mapping makes one channel",
        "m.yaml:23: mappings[4].colour: unknown field; expected one of [event, id, seq, state, telemetry, topic, ts, when]",
        "m.yaml:24: mappings[4].state.colour: unknown field; expected one of [config_hash, firmware, mode, model, "
            + "open_ports, security_state, tls, vendor]",
        "m.yaml:24: mappings[4].state: must set at least one field",
        "m.yaml:28: mappings[6].id: duplicate id 'catch-all' (first at line 25)",
        "m.yaml:28: mappings[6].topic: unreachable: mapping 'catch-all' (line 25) takes every message on "
            + "vendor/{site}/{device}/w first; give it a when:",
        "m.yaml:33: mappings[7].ts.zone: epoch times have no zone",
        "m.yaml:33: mappings[7].ts.zone: unknown time zone 'Mars/Base'; expected an IANA zone such as Europe/Berlin or "
            + "an offset such as +01:00",
        "m.yaml:34: mappings[7].telemetry.t.scale: must not be 0",
        "m.yaml:36: mappings[8].topic: {device} appears more than once in 'vendor/{site}/{device}/{device}'",
        "m.yaml:37: mappings[8].event.type: an event type must match [A-Za-z0-9._-]{1,64}",
        "m.yaml:37: mappings[8].event.attributes.a: needs exactly one of pointer (where in the payload) or value "
            + "(a constant)"), errors);
  }

  @Test
  void reportsANonNumericScaleOrOffset() {
    assertEquals(List.of("m.yaml:6: mappings[0].telemetry.t.scale: must be a finite number",
        "m.yaml:6: mappings[0].telemetry.t.offset: must be a finite number"), errors("""
        apiVersion: fleetwatch.io/v1
        kind: PayloadMappings
        mappings:
          - id: a
            topic: v/{site}/{device}
            telemetry: {t: {pointer: /v, scale: x, offset: .nan}}
        """));
  }

  @Test
  void reportsDocumentLevelErrors() {
    assertEquals(List.of("m.yaml:1: apiVersion: unsupported version 'v2', expected fleetwatch.io/v1",
        "m.yaml:2: kind: expected PayloadMappings, got 'Policy'", "m.yaml:1: mappings: required field is missing"),
        errors("apiVersion: v2\nkind: Policy\n"));
    assertEquals(List.of("m.yaml:1: (document): the file is empty"), errors(""));
    assertEquals(List.of("m.yaml:3: kind: duplicate key (first at line 2)", "m.yaml:1: mappings: required field is missing"),
        errors("apiVersion: fleetwatch.io/v1\nkind: PayloadMappings\nkind: x\n"));
  }
}
