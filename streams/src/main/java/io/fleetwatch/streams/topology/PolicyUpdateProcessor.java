package io.fleetwatch.streams.topology;

import io.fleetwatch.avro.Policy;
import io.fleetwatch.streams.policy.RuntimeCatalogue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Input: {@code fleet.policies} (a global store, key policy id). Output: none;
 * the {@link RuntimeCatalogue} the evaluators read. Rule: every published definition is validated and, when
 * valid and not stale, put in force; a tombstone withdraws it. At start (after the store is restored from the
 * topic, which bypasses this processor) every stored definition is applied again, so a restart evaluates the
 * same catalogue.
 */
final class PolicyUpdateProcessor implements Processor<String, Policy, Void, Void> {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyUpdateProcessor.class);

  private final RuntimeCatalogue catalogue;
  private final String storeName;
  private KeyValueStore<String, Policy> store;

  PolicyUpdateProcessor(RuntimeCatalogue catalogue, String storeName) {
    this.catalogue = catalogue;
    this.storeName = storeName;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    store = context.getStateStore(storeName);
    int applied = 0;
    try (KeyValueIterator<String, Policy> all = store.all()) {
      while (all.hasNext()) {
        var next = all.next();
        if (next.value != null && catalogue.publish(next.key, next.value.getSource(), next.value.getDefinition())) {
          applied++;
        }
      }
    }
    if (applied > 0) {
      LOG.info("{} published policy definition(s) restored", applied);
    }
  }

  @Override
  public void process(Record<String, Policy> record) {
    String key = record.key();
    if (key == null) {
      LOG.warn("Skipping a published policy without a key (the key must be the policy id)");
      return;
    }
    Policy value = record.value();
    if (value == null) {
      store.delete(key);
      catalogue.withdraw(key);
      return;
    }
    store.put(key, value);
    catalogue.publish(key, value.getSource(), value.getDefinition());
  }
}
