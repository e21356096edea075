package io.fleetwatch.streams.topology;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Deserialized values of one task's key-value store, so a hot key is decoded from the store once and not on every
 * record. Every write goes to the store first (so the changelog and the exactly-once transaction see it exactly as
 * before), then to the cache; a read that misses goes to the store. The cache holds the least recently used
 * {@code capacity} keys, remembering absent keys too.
 *
 * <p>It lives exactly as long as one processor {@code init}..{@code close}: Kafka Streams re-initializes a task's
 * processors after an aborted transaction, a corrupted task or a migration, and the store is then restored to its
 * last committed state; a new cache starts empty and refills from that store, so it never serves a value the
 * aborted transaction wrote. Values handed out are the cached instances: a caller that changes one must write it back
 * with {@link #put} before the record is done (the processors here do).
 */
final class WriteThroughCache<V> {
  private static final Object ABSENT = new Object();

  private final KeyValueStore<String, V> store;
  private final UnaryOperator<V> onLoad;
  private final Map<String, Object> values;

  WriteThroughCache(KeyValueStore<String, V> store, int capacity) {
    this(store, capacity, UnaryOperator.identity());
  }

  /**
   * @param onLoad applied to a value read from the store before it is cached and handed out (for example to share
   *     equal parts with values already in memory)
   */
  WriteThroughCache(KeyValueStore<String, V> store, int capacity, UnaryOperator<V> onLoad) {
    this.store = Objects.requireNonNull(store, "store");
    this.onLoad = Objects.requireNonNull(onLoad, "onLoad");
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive, got " + capacity);
    }
    this.values = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Object> eldest) {
        return size() > capacity;
      }
    };
  }

  /** The value of {@code key}, or {@code null}. */
  @SuppressWarnings("unchecked")
  V get(String key) {
    Object cached = values.get(key);
    if (cached == null) {
      V read = store.get(key);
      V stored = read == null ? null : onLoad.apply(read);
      values.put(key, stored == null ? ABSENT : stored);
      return stored;
    }
    return cached == ABSENT ? null : (V) cached;
  }

  /** Writes {@code value} to the store, then remembers it. */
  void put(String key, V value) {
    Objects.requireNonNull(value, "value");
    store.put(key, value);
    values.put(key, value);
  }

  /** Deletes {@code key} from the store, then remembers it is absent. */
  void delete(String key) {
    store.delete(key);
    values.put(key, ABSENT);
  }

  /** Drops what is cached for {@code key}: the next {@link #get} reads the store. */
  void forget(String key) {
    values.remove(key);
  }

  /** The store behind this cache, for scans. */
  KeyValueStore<String, V> store() {
    return store;
  }

  int size() {
    return values.size();
  }
}
