package io.fleetwatch.streams.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalogue the streams app evaluates: the policies loaded from files at start, overlaid by definitions
 * published at run time on {@code fleet.policies}. A published definition is validated exactly like a file
 * ({@link PolicyLoader}); it replaces the policy of the same id when its version is at least the version in
 * force. A bad or stale definition is rejected with a logged reason and the policy in force (if any) keeps
 * running; so do all others. Withdrawing a published definition (a tombstone) restores the file definition.
 *
 * <p>Updates come from one thread (the global-store thread); readers on stream threads get an immutable
 * {@link PolicyCatalogue} through a volatile read, so the hot path never locks or parses.
 */
public final class RuntimeCatalogue {
  private static final Logger LOG = LoggerFactory.getLogger(RuntimeCatalogue.class);

  /** Where a policy in force comes from. */
  public enum Origin { FILE, PUBLISHED }

  /** A definition that was refused, for operators (API) and logs. */
  public record Rejection(String policyId, String source, int version, String reason) {}

  private final PolicyLoader loader = new PolicyLoader();
  private final Map<String, Policy> fromFiles;
  private final Map<String, Policy> published = new LinkedHashMap<>();
  private final Map<String, Rejection> rejections = new LinkedHashMap<>();
  private volatile PolicyCatalogue current;
  private volatile Set<String> everKnownIds;

  public RuntimeCatalogue(Collection<Policy> fromFiles) {
    Map<String, Policy> byId = new LinkedHashMap<>();
    fromFiles.forEach(p -> byId.put(p.id(), p));
    this.fromFiles = Map.copyOf(byId);
    this.current = PolicyCatalogue.of(fromFiles);
    this.everKnownIds = Set.copyOf(byId.keySet());
  }

  /** The catalogue in force right now. */
  public PolicyCatalogue current() {
    return current;
  }

  /** Ids of every policy ever in force (bounded; the {@code policy} metric tag values). */
  public Set<String> knownIds() {
    return everKnownIds;
  }

  /** Where the policy in force with this id comes from. */
  public Origin origin(String policyId) {
    return published.containsKey(policyId) ? Origin.PUBLISHED : Origin.FILE;
  }

  /** Definitions refused since start, latest per policy id. */
  public synchronized List<Rejection> rejections() {
    return List.copyOf(rejections.values());
  }

  /**
   * Applies a published definition.
   *
   * @param key the record key (must equal the policy id)
   * @param source where it came from, for messages
   * @param yaml the policy document
   * @return whether it is now in force
   */
  public synchronized boolean publish(String key, String source, String yaml) {
    Objects.requireNonNull(yaml, "yaml");
    Policy policy;
    try {
      List<Policy> parsed = loader.parse(source, yaml);
      if (parsed.size() != 1) {
        return reject(key, source, 0, "expected exactly one policy document, got " + parsed.size());
      }
      policy = parsed.get(0);
    } catch (PolicyFormatException e) {
      return reject(key, source, 0, e.getMessage());
    }
    if (!policy.id().equals(key)) {
      return reject(key, source, policy.version(), "record key '" + key + "' differs from the policy id '"
          + policy.id() + "'");
    }
    Policy inForce = published.getOrDefault(key, fromFiles.get(key));
    if (inForce != null && policy.version() < inForce.version()) {
      return reject(key, source, policy.version(), "version " + policy.version() + " is older than version "
          + inForce.version() + " in force (from " + inForce.source() + ")");
    }
    published.put(key, policy);
    rejections.remove(key);
    rebuild();
    LOG.info("Policy {} version {} from {} is in force ({} policies)", key, policy.version(), source,
        current.policyIds().size());
    return true;
  }

  /** Withdraws a published definition; the file definition (if any) is in force again. */
  public synchronized void withdraw(String key) {
    if (published.remove(key) != null) {
      rebuild();
      LOG.info("Published policy {} withdrawn; {}", key,
          fromFiles.containsKey(key) ? "the file definition is in force again" : "it is no longer evaluated");
    }
  }

  private boolean reject(String key, String source, int version, String reason) {
    rejections.put(key, new Rejection(key, source, version, reason));
    LOG.warn("Rejected published policy {} from {}: {}; {}", key, source, reason,
        published.containsKey(key) || fromFiles.containsKey(key) ? "the definition in force keeps running"
            : "it is not evaluated");
    return false;
  }

  private void rebuild() {
    Map<String, Policy> merged = new LinkedHashMap<>(fromFiles);
    merged.putAll(published);
    current = PolicyCatalogue.of(new ArrayList<>(merged.values()));
    Set<String> ids = new java.util.HashSet<>(everKnownIds);
    ids.addAll(merged.keySet());
    everKnownIds = Set.copyOf(ids);
  }
}
