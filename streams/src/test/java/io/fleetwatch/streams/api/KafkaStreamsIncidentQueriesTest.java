package io.fleetwatch.streams.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetwatch.avro.CheckState;
import io.fleetwatch.avro.DeviceCheckStates;
import io.fleetwatch.schemas.AvroSerde;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** The raised checks of a device as {@link KafkaStreamsIncidentQueries} reads them from the check state stores. */
class KafkaStreamsIncidentQueriesTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");

  private final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
  private final KeyValueStore<String, DeviceCheckStates> devices = store("devices", DeviceCheckStates.class);
  private final KeyValueStore<String, CheckState> legacy = store("legacy", CheckState.class);

  @Test
  void aDevicesValueGivesItsRaisedChecksInPolicyAndCheckOrder() {
    Map<String, CheckState> states = new HashMap<>();
    states.put("SAF-02|rate", state(true));
    states.put("SAF-01|temp", state(true));
    states.put("SAF-01|silent", state(false));
    devices.put("dev-1", new DeviceCheckStates(states));
    // a per-check state left behind for the same device is not read: the device's value is what counts
    legacy.put("dev-1|SEC-01|tls", state(true));

    assertEquals(List.of("SAF-01/temp", "SAF-02/rate"), names(KafkaStreamsIncidentQueries.activeChecks("dev-1",
        devices, legacy)));
  }

  @Test
  void aDeviceNotMovedYetIsReadFromItsPerCheckStates() {
    legacy.put("dev-1|SAF-01|temp", state(true));
    legacy.put("dev-1|SAF-01|silent", state(false));
    legacy.put("dev-10|SAF-01|temp", state(true));

    assertEquals(List.of("SAF-01/temp"), names(KafkaStreamsIncidentQueries.activeChecks("dev-1", devices, legacy)));
    assertEquals(List.of(), names(KafkaStreamsIncidentQueries.activeChecks("dev-2", devices, legacy)));
  }

  private static List<String> names(List<DeviceQueries.ActiveCheck> checks) {
    return checks.stream().map(c -> c.policyId() + "/" + c.checkId()).toList();
  }

  private static CheckState state(boolean active) {
    return CheckState.newBuilder().setActive(active).setLastEventTime(T0).setRuleType("envelope").build();
  }

  private <V extends SpecificRecord> KeyValueStore<String, V> store(String name, Class<V> type) {
    KeyValueStore<String, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name),
        Serdes.String(), AvroSerde.of(type)).withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    return store;
  }
}
