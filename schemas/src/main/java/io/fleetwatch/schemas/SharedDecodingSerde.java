package io.fleetwatch.schemas;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A serde for read-mostly tables (the asset registry, device models) whose values are read far more often than they
 * change: decoding the same bytes again returns the value decoded before, from a per-thread cache of the last
 * {@code capacity} distinct encodings, so a processor reading a device's registry entry on every message decodes it
 * once per change, not per message. The cache is keyed by the bytes themselves, so a changed entry is a new key and
 * never served stale. Values are shared between reads: callers must not change them (none does: registry entries are
 * only read).
 */
public final class SharedDecodingSerde<T> implements Serde<T>, Deserializer<T> {
  private final Serde<T> inner;
  private final int capacity;
  private final ThreadLocal<Map<Encoded, T>> decoded;

  /** The bytes of one encoded value, compared by content. */
  private record Encoded(byte[] bytes, int hash) {
    static Encoded of(byte[] bytes) {
      return new Encoded(bytes, Arrays.hashCode(bytes));
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Encoded that && hash == that.hash && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /**
   * @param inner the serde that encodes and decodes
   * @param capacity distinct encodings remembered per thread
   */
  public SharedDecodingSerde(Serde<T> inner, int capacity) {
    this.inner = Objects.requireNonNull(inner, "inner");
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive, got " + capacity);
    }
    this.capacity = capacity;
    this.decoded = ThreadLocal.withInitial(() -> new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Encoded, T> eldest) {
        return size() > SharedDecodingSerde.this.capacity;
      }
    });
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    Map<Encoded, T> cache = decoded.get();
    Encoded key = Encoded.of(data);
    T value = cache.get(key);
    if (value == null) {
      value = inner.deserializer().deserialize(topic, data);
      if (value != null) {
        // a copy: the caller may reuse the array it passed
        cache.put(new Encoded(data.clone(), key.hash()), value);
      }
    }
    return value;
  }

  @Override
  public Serializer<T> serializer() {
    return inner.serializer();
  }

  @Override
  public Deserializer<T> deserializer() {
    return this;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    inner.configure(configs, isKey);
  }

  @Override
  public void close() {
    // the inner serde is shared with its topic and outlives this one
  }
}
