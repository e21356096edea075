package io.fleetwatch.streams.api;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Where interactive queries are answered when several instances of the streams app share the partitions. Input: a
 * store name and, for key lookups, a key. Output: whether this instance, another one (its advertised API address) or
 * nobody yet (rebalancing) holds the active copy of the key; or every instance holding active partitions of a store.
 * Only active copies count: standby replicas are never read, so an answer is never older than the owner's.
 * {@link #LOCAL} is the routing of an instance that runs alone (no advertised address): everything is local.
 */
public interface InstanceRouting {

  /** Routing of a lone instance: every key is local and no other instance is asked. */
  InstanceRouting LOCAL = new InstanceRouting() {
    @Override
    public Optional<HostInfo> self() {
      return Optional.empty();
    }

    @Override
    public KeyOwner owner(String store, String key) {
      return KeyOwner.local();
    }

    @Override
    public List<HostInfo> hosts(String store) {
      return List.of();
    }
  };

  /** Whose a key is. */
  enum Ownership {
    /** This instance holds the active copy: query the local store. */
    LOCAL,
    /** Another instance does: forward to {@link KeyOwner#host()}. */
    REMOTE,
    /** No instance does right now (rebalancing, not started): answer 503 and let the client retry. */
    UNAVAILABLE
  }

  /**
   * The owner of one key.
   *
   * @param ownership local, remote or unavailable
   * @param host the owner's advertised API address when {@code REMOTE}, else {@code null}
   */
  record KeyOwner(Ownership ownership, HostInfo host) {
    public KeyOwner {
      Objects.requireNonNull(ownership, "ownership");
      if ((ownership == Ownership.REMOTE) != (host != null)) {
        throw new IllegalArgumentException("a host is given exactly for a remote owner: " + ownership + " " + host);
      }
    }

    public static KeyOwner local() {
      return new KeyOwner(Ownership.LOCAL, null);
    }

    public static KeyOwner remote(HostInfo host) {
      return new KeyOwner(Ownership.REMOTE, host);
    }

    public static KeyOwner unavailable() {
      return new KeyOwner(Ownership.UNAVAILABLE, null);
    }
  }

  /** This instance's advertised API address; empty when it runs alone (then everything is local). */
  Optional<HostInfo> self();

  /** The instance holding the active copy of {@code key} in {@code store}. */
  KeyOwner owner(String store, String key);

  /**
   * Every instance (this one included, when it does) holding active partitions of {@code store}, each once, in a
   * stable order; empty while the assignment is not known (rebalancing, not started) or when running alone.
   */
  List<HostInfo> hosts(String store);
}
