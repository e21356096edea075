package io.fleetwatch.streams.topology;

import io.fleetwatch.schemas.SharedDecodingSerde;
import io.fleetwatch.schemas.Topic;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The global tables of the topologies: every instance holds a whole compacted topic in a store of that name. Registry
 * tables (assets, device models), read for every message, keep their decoded values ({@link SharedDecodingSerde}),
 * so a device's entry is decoded once per change rather than once per message.
 */
public final class GlobalTables {
  /** Distinct registry entries kept decoded per reading thread (each a few hundred bytes to a few kilobytes). */
  static final int DECODED_REGISTRY_ENTRIES = 20_000;

  private GlobalTables() {}

  /** A global table of {@code topic} in store {@code store}; {@code name} names its source. */
  public static <V> GlobalKTable<String, V> table(StreamsBuilder builder, Topic<String, V> topic, String store,
      String name) {
    return table(builder, topic, store, name, topic.valueSerde());
  }

  /** A global table of a registry topic, read for every message: its values are decoded once per change. */
  public static <V> GlobalKTable<String, V> registry(StreamsBuilder builder, Topic<String, V> topic, String store,
      String name) {
    return table(builder, topic, store, name, new SharedDecodingSerde<>(topic.valueSerde(),
        DECODED_REGISTRY_ENTRIES));
  }

  private static <V> GlobalKTable<String, V> table(StreamsBuilder builder, Topic<String, V> topic, String store,
      String name, Serde<V> values) {
    // Kafka Streams reads the store with the serdes of Consumed (those of Materialized are replaced by them)
    return builder.globalTable(topic.name(), Consumed.with(topic.keySerde(), values).withName(name),
        Materialized.<String, V, KeyValueStore<Bytes, byte[]>>as(store)
            .withKeySerde(topic.keySerde()).withValueSerde(values));
  }
}
