package io.fleetwatch.streams.topology;

import io.fleetwatch.avro.DeviceEvent;
import io.fleetwatch.avro.DeviceState;
import io.fleetwatch.avro.Telemetry;
import java.time.Instant;

/**
 * One record of a device channel ({@code fleet.telemetry}, {@code fleet.events} or {@code fleet.state}) on its way
 * from the merged sources to the evaluation processor (same sub-topology, never serialized). Exactly one of the
 * three values is set.
 *
 * @param telemetry a measurement, or {@code null}
 * @param event a device event, or {@code null}
 * @param state a state report, or {@code null}
 */
record DeviceMessage(Telemetry telemetry, DeviceEvent event, DeviceState state) {

  static DeviceMessage of(Telemetry telemetry) {
    return telemetry == null ? null : new DeviceMessage(telemetry, null, null);
  }

  static DeviceMessage of(DeviceEvent event) {
    return event == null ? null : new DeviceMessage(null, event, null);
  }

  static DeviceMessage of(DeviceState state) {
    return state == null ? null : new DeviceMessage(null, null, state);
  }

  String deviceId() {
    return telemetry != null ? telemetry.getDeviceId() : event != null ? event.getDeviceId() : state.getDeviceId();
  }

  String site() {
    return telemetry != null ? telemetry.getSite() : event != null ? event.getSite() : state.getSite();
  }

  Instant ts() {
    return telemetry != null ? telemetry.getTs() : event != null ? event.getTs() : state.getTs();
  }

  Instant receivedAt() {
    return telemetry != null ? telemetry.getReceivedAt()
        : event != null ? event.getReceivedAt() : state.getReceivedAt();
  }

  Long seq() {
    return telemetry != null ? telemetry.getSeq() : event != null ? event.getSeq() : state.getSeq();
  }
}
