package io.fleetwatch.streams.api;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.state.HostInfo;

/**
 * {@link InstanceRouting} from the Kafka Streams assignment: {@link KafkaStreams#queryMetadataForKey} for keys (the
 * active host; {@link KeyQueryMetadata#NOT_AVAILABLE} → unavailable) and {@link KafkaStreams#streamsMetadataForStore}
 * for the instances of a store (those holding it as active; standby-only instances are left out). Every instance
 * must set {@code application.server} to its advertised API address ({@code self}); without one the routing is
 * {@link InstanceRouting#LOCAL}.
 */
public final class KafkaStreamsInstanceRouting implements InstanceRouting {
  private static final StringSerializer KEYS = new StringSerializer();
  private static final Comparator<HostInfo> ORDER = Comparator.comparing(HostInfo::host).thenComparing(HostInfo::port);

  private final KafkaStreams streams;
  private final HostInfo self;

  /**
   * @param streams the client, configured with {@code application.server = self}
   * @param self this instance's advertised API address
   */
  public KafkaStreamsInstanceRouting(KafkaStreams streams, HostInfo self) {
    this.streams = Objects.requireNonNull(streams, "streams");
    this.self = Objects.requireNonNull(self, "self");
  }

  @Override
  public Optional<HostInfo> self() {
    return Optional.of(self);
  }

  @Override
  public KeyOwner owner(String store, String key) {
    KeyQueryMetadata metadata;
    try {
      metadata = streams.queryMetadataForKey(store, key, KEYS);
    } catch (StreamsException | IllegalStateException e) {
      return KeyOwner.unavailable(); // not started yet, or shutting down
    }
    if (metadata == null || KeyQueryMetadata.NOT_AVAILABLE.equals(metadata) || metadata.activeHost() == null
        || HostInfo.unavailable().equals(metadata.activeHost())) {
      return KeyOwner.unavailable();
    }
    return self.equals(metadata.activeHost()) ? KeyOwner.local() : KeyOwner.remote(metadata.activeHost());
  }

  @Override
  public List<HostInfo> hosts(String store) {
    try {
      return streams.streamsMetadataForStore(store).stream()
          .filter(m -> m.stateStoreNames().contains(store))
          .map(StreamsMetadata::hostInfo)
          .filter(h -> !HostInfo.unavailable().equals(h))
          .distinct().sorted(ORDER).toList();
    } catch (StreamsException | IllegalStateException e) {
      return List.of();
    }
  }
}
