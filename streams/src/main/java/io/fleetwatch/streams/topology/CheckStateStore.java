package io.fleetwatch.streams.topology;

import io.fleetwatch.avro.CheckState;
import io.fleetwatch.avro.DeviceCheckStates;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The check states of one task's devices: one {@link DeviceCheckStates} value per device id, holding the state of
 * each of the device's checks by {@code policyId|checkId}, so that a message costs one store write (and one
 * changelog record) however many of its device's checks it changes. Changes are collected per device and written
 * by {@link #flush}, which the processor calls once at the end of every record and of every punctuation;
 * {@link #discard} forgets them (and the decoded values they touched) when processing failed half way, so the cache
 * never holds a change the store did not get.
 *
 * <p>Before there was one value per device, every check state had its own key {@code deviceId|policyId|checkId}
 * in the {@code legacy} store. A device missing from the store is looked up there; what is found becomes the
 * device's value, written at the next flush together with the deletion of the per-check keys it came from (same
 * transaction, so a restore sees either form, never both or neither). Once the legacy store is empty at {@code init}
 * it is not read again.
 *
 * <p>Lives as long as one processor {@code init}..{@code close}, like the {@link WriteThroughCache} it builds on.
 */
final class CheckStateStore {
  private final WriteThroughCache<DeviceCheckStates> devices;
  private final KeyValueStore<String, CheckState> legacy;
  private final boolean legacyEmpty;
  /** Devices changed by the current record or punctuation, with their new value, in order of first change. */
  private final Map<String, DeviceCheckStates> dirty = new LinkedHashMap<>(4);
  /** Per-check keys of the legacy store to delete when the device's value is written. */
  private final Map<String, List<String>> migrated = new HashMap<>(4);

  /**
   * @param devices the store of one value per device
   * @param legacy the store of one value per check, read for devices not yet in {@code devices}
   * @param capacity devices kept decoded
   */
  CheckStateStore(KeyValueStore<String, DeviceCheckStates> devices, KeyValueStore<String, CheckState> legacy,
      int capacity) {
    this.devices = new WriteThroughCache<>(devices, capacity, CheckStateStore::internKeys);
    this.legacy = Objects.requireNonNull(legacy, "legacy");
    try (KeyValueIterator<String, CheckState> all = legacy.all()) {
      this.legacyEmpty = !all.hasNext();
    }
  }

  /** The state of check {@code check} ({@code policyId|checkId}) on {@code deviceId}, or {@code null}. */
  CheckState get(String deviceId, String check) {
    DeviceCheckStates states = device(deviceId);
    return states == null ? null : states.getStates().get(check);
  }

  /** Sets the state of {@code check} on {@code deviceId}; written to the store by the next {@link #flush}. */
  void put(String deviceId, String check, CheckState state) {
    Objects.requireNonNull(state, "state");
    DeviceCheckStates states = dirty.get(deviceId);
    if (states == null) {
      states = device(deviceId);
      if (states == null) {
        states = new DeviceCheckStates(new HashMap<>());
      }
      dirty.put(deviceId, states);
    }
    states.getStates().put(check, state);
  }

  /** Writes every device changed since the last flush, one store write each, and deletes what they migrated. */
  void flush() {
    if (dirty.isEmpty()) {
      return;
    }
    for (Map.Entry<String, DeviceCheckStates> changed : dirty.entrySet()) {
      devices.put(changed.getKey(), changed.getValue());
      List<String> old = migrated.remove(changed.getKey());
      if (old != null) {
        old.forEach(legacy::delete);
      }
    }
    dirty.clear();
    migrated.clear();
  }

  /** Forgets the changes since the last flush: the devices they touched are read from the store again. */
  void discard() {
    dirty.keySet().forEach(devices::forget);
    dirty.clear();
    migrated.clear();
  }

  /**
   * The decoded value with its check keys interned, the instances {@code ApplicableCheck.stateKey()} looks them up
   * with: a lookup then compares references instead of characters of a freshly decoded key.
   */
  static DeviceCheckStates internKeys(DeviceCheckStates decoded) {
    Map<String, CheckState> interned = new HashMap<>(Math.max(4, decoded.getStates().size() * 2));
    decoded.getStates().forEach((check, state) -> interned.put(check.intern(), state));
    decoded.setStates(interned);
    return decoded;
  }

  private DeviceCheckStates device(String deviceId) {
    DeviceCheckStates pending = dirty.get(deviceId);
    if (pending != null) {
      return pending;
    }
    DeviceCheckStates stored = devices.get(deviceId);
    if (stored != null || legacyEmpty) {
      return stored;
    }
    return migrate(deviceId);
  }

  /** The device's per-check states from the legacy store (possibly none), pending as its new value. */
  private DeviceCheckStates migrate(String deviceId) {
    String prefix = deviceId + "|";
    Map<String, CheckState> states = new HashMap<>();
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, CheckState> it = legacy.prefixScan(prefix, new StringSerializer())) {
      while (it.hasNext()) {
        KeyValue<String, CheckState> next = it.next();
        String check = next.key.substring(prefix.length());
        // policyId|checkId; more separators mean another device whose id starts with this one and a '|'
        if (next.value != null && check.indexOf('|') > 0 && check.indexOf('|') == check.lastIndexOf('|')) {
          states.put(check, next.value);
          keys.add(next.key);
        }
      }
    }
    // pending even when empty, so the device is written once and not looked up in the legacy store again
    DeviceCheckStates value = new DeviceCheckStates(states);
    dirty.put(deviceId, value);
    migrated.put(deviceId, keys);
    return value;
  }
}
