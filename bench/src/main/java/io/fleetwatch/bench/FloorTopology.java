package io.fleetwatch.bench;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The floor of the benchmarks, a measuring instrument rather than product code: a pass-through Kafka Streams topology
 * that does per record the least a stateful exactly-once pipeline does. Input: the given topics (bytes). Output:
 * every input record unchanged to {@code output}. Per record one read and one write of a {@value #VALUE_BYTES}-byte
 * value under the record's key in a RocksDB store (changelogged, like fleetwatch's stores).
 */
final class FloorTopology {
  static final int VALUE_BYTES = 200;
  static final String STORE = "floor-store";

  private final List<String> inputs;
  private final String output;
  private final LongAdder processed;

  /** @param processed counts the records processed (so a bench can time from the first one) */
  FloorTopology(List<String> inputs, String output, LongAdder processed) {
    this.inputs = List.copyOf(inputs);
    this.output = output;
    this.processed = processed;
  }

  Topology build() {
    Topology topology = new Topology();
    topology.addSource("floor-source", Serdes.Bytes().deserializer(), Serdes.ByteArray().deserializer(),
        inputs.toArray(String[]::new));
    topology.addProcessor("floor-read-write", () -> new PassThrough(processed), "floor-source");
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.Bytes(),
        Serdes.ByteArray()), "floor-read-write");
    topology.addSink("floor-sink", output, Serdes.Bytes().serializer(), Serdes.ByteArray().serializer(),
        "floor-read-write");
    return topology;
  }

  /** Reads the key's value, writes it back changed (a counter in its first bytes), forwards the record. */
  private static final class PassThrough implements Processor<Bytes, byte[], Bytes, byte[]> {
    private final LongAdder processed;
    private ProcessorContext<Bytes, byte[]> context;
    private KeyValueStore<Bytes, byte[]> store;

    PassThrough(LongAdder processed) {
      this.processed = processed;
    }

    @Override
    public void init(ProcessorContext<Bytes, byte[]> context) {
      this.context = context;
      this.store = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<Bytes, byte[]> record) {
      if (record.key() == null) {
        context.forward(record);
        processed.increment();
        return;
      }
      byte[] previous = store.get(record.key());
      byte[] next = previous == null ? new byte[VALUE_BYTES] : previous.clone();
      long count = 0;
      for (int i = 0; i < Long.BYTES; i++) {
        count = count << 8 | (next[i] & 0xff);
      }
      count++;
      for (int i = Long.BYTES - 1; i >= 0; i--) {
        next[i] = (byte) count;
        count >>>= 8;
      }
      store.put(record.key(), next);
      context.forward(record);
      processed.increment();
    }
  }
}
