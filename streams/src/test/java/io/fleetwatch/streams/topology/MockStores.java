package io.fleetwatch.streams.topology;

import io.fleetwatch.schemas.AvroSerde;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/** In-memory key-value stores registered with a {@link MockProcessorContext}, as Kafka Streams would hand them over. */
final class MockStores {
  private MockStores() {}

  /** A store of {@code type} values under {@code name}, serialized with the production serde, without changelog. */
  static <V extends SpecificRecord> KeyValueStore<String, V> add(MockProcessorContext<?, ?> context, String name,
      Class<V> type) {
    KeyValueStore<String, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name),
        Serdes.String(), AvroSerde.of(type)).withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    return store;
  }
}
