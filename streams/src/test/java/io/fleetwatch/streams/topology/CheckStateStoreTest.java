package io.fleetwatch.streams.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.fleetwatch.avro.CheckState;
import io.fleetwatch.avro.DeviceCheckStates;
import io.fleetwatch.schemas.AvroSerde;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** {@link CheckStateStore} on in-memory stores: one write per device per flush, discard, keys shared on load. */
class CheckStateStoreTest {
  private final MockProcessorContext<String, Object> context = new MockProcessorContext<>();
  private final KeyValueStore<String, DeviceCheckStates> devices =
      store("device-check-states", AvroSerde.of(DeviceCheckStates.class));
  private final KeyValueStore<String, CheckState> legacy = store("check-states", AvroSerde.of(CheckState.class));

  private <V> KeyValueStore<String, V> store(String name, Serde<V> values) {
    KeyValueStore<String, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(),
        values).withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    return store;
  }

  private static CheckState raised() {
    return CheckState.newBuilder().setActive(true).setRuleType("envelope").build();
  }

  @Test
  void writesAllChangesOfADeviceAtFlushAndNothingBefore() {
    CheckStateStore states = new CheckStateStore(devices, legacy, 10);
    states.put("chiller-01", "SAF-01|supply", raised());
    states.put("chiller-01", "SAF-02|return", raised());
    assertNull(devices.get("chiller-01"), "not written before the flush");
    assertEquals(raised(), states.get("chiller-01", "SAF-02|return"), "read back before the flush");

    states.flush();
    assertEquals(Map.of("SAF-01|supply", raised(), "SAF-02|return", raised()),
        devices.get("chiller-01").getStates());
  }

  @Test
  void discardForgetsChangesNotFlushed() {
    CheckStateStore states = new CheckStateStore(devices, legacy, 10);
    states.put("chiller-01", "SAF-01|supply", raised());
    states.flush();
    CheckState cleared = CheckState.newBuilder(raised()).setActive(false).build();
    states.put("chiller-01", "SAF-01|supply", cleared);
    states.discard();

    assertEquals(raised(), states.get("chiller-01", "SAF-01|supply"));
    assertEquals(raised(), devices.get("chiller-01").getStates().get("SAF-01|supply"));
  }

  @Test
  void aValueReadFromTheStoreHasItsCheckKeysInterned() {
    Map<String, CheckState> decoded = new HashMap<>();
    decoded.put(new String("SAF-01|supply"), raised()); // as decoded: a new instance of the characters
    DeviceCheckStates value = CheckStateStore.internKeys(new DeviceCheckStates(decoded));

    assertSame("SAF-01|supply".intern(), value.getStates().keySet().iterator().next());
    assertEquals(raised(), value.getStates().get("SAF-01|supply"));
  }

  @Test
  void theCacheTransformsAValueOnceWhenItIsReadFromTheStore() {
    devices.put("chiller-01", new DeviceCheckStates(Map.of("SAF-01|supply", raised())));
    int[] loads = {0};
    WriteThroughCache<DeviceCheckStates> cache = new WriteThroughCache<>(devices, 10, v -> {
      loads[0]++;
      return v;
    });
    DeviceCheckStates first = cache.get("chiller-01");
    assertSame(first, cache.get("chiller-01"));
    assertNull(cache.get("pump-01"));
    assertEquals(1, loads[0], "applied to the value read, not to cached reads or absent keys");
  }
}
