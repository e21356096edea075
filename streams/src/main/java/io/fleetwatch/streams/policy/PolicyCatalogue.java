package io.fleetwatch.streams.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The loaded policies, indexed so that "which checks apply to this asset and this kind of observation" costs two
 * map lookups plus a filter over the few checks of that asset class (none when no check of the class is scoped
 * by site or device), not a scan of the whole catalogue. Immutable and thread-safe; a change at run time builds
 * a new catalogue.
 */
public final class PolicyCatalogue {
  private final Map<String, Policy> policies;
  private final Index all;
  private final Map<Channel, Index> byChannel = new EnumMap<>(Channel.class);
  private final Index absence;
  private final Map<Channel, Index> groupByChannel = new EnumMap<>(Channel.class);

  private PolicyCatalogue(Collection<Policy> loaded) {
    Map<String, Policy> byId = new LinkedHashMap<>();
    for (Policy policy : loaded) {
      Policy previous = byId.putIfAbsent(policy.id(), policy);
      if (previous != null) {
        throw new IllegalArgumentException("policy " + policy.id() + " is defined twice: in "
            + previous.source() + " and in " + policy.source());
      }
    }
    this.policies = java.util.Collections.unmodifiableMap(byId);
    List<ApplicableCheck> checks = new ArrayList<>();
    byId.values().forEach(p -> p.checks().forEach(c -> checks.add(new ApplicableCheck(p, c))));
    this.all = new Index(checks, a -> true);
    for (Channel channel : Channel.values()) {
      byChannel.put(channel, new Index(checks, a -> a.check().rule().channels().contains(channel)));
    }
    this.absence = new Index(checks, a -> a.check().rule() instanceof Absence);
    for (Channel channel : Channel.values()) {
      groupByChannel.put(channel, new Index(checks,
          a -> a.check().rule() instanceof GroupRule g && g.routedChannels().contains(channel)));
    }
  }

  public static PolicyCatalogue of(Collection<Policy> policies) {
    return new PolicyCatalogue(policies);
  }

  public static PolicyCatalogue empty() {
    return new PolicyCatalogue(List.of());
  }

  /** Checks that apply to a registered asset. */
  public List<ApplicableCheck> checksFor(String assetClass, String site, String deviceId) {
    return all.checksFor(assetClass, site, deviceId);
  }

  /** Checks that apply to a registered asset and evaluate observations of {@code channel}. */
  public List<ApplicableCheck> checksFor(String assetClass, String site, String deviceId, Channel channel) {
    return byChannel.get(channel).checksFor(assetClass, site, deviceId);
  }

  /** Checks with an empty scope: the only ones evaluated for devices missing from the asset registry. */
  public List<ApplicableCheck> unscopedChecks() {
    return all.unscoped;
  }

  /** Unscoped checks that evaluate observations of {@code channel}. */
  public List<ApplicableCheck> unscopedChecks(Channel channel) {
    return byChannel.get(channel).unscoped;
  }

  /** Heartbeat-loss checks of an asset ({@code null} asset class: an unregistered device). */
  public List<ApplicableCheck> absenceChecksFor(String assetClass, String site, String deviceId) {
    return assetClass == null ? absence.unscoped : absence.checksFor(assetClass, site, deviceId);
  }

  /** Whether any policy has a heartbeat-loss check (the topology punctuates only then). */
  public boolean hasAbsenceChecks() {
    return !absence.checks.isEmpty();
  }

  /**
   * Group checks ({@link GroupRule}) whose device side reads observations of {@code channel}, for a registered asset
   * or ({@code null} asset class) an unregistered device.
   */
  public List<ApplicableCheck> groupChecksFor(String assetClass, String site, String deviceId, Channel channel) {
    Index index = groupByChannel.get(channel);
    return assetClass == null ? index.unscoped : index.checksFor(assetClass, site, deviceId);
  }

  /** One check of one policy, if both exist. */
  public Optional<ApplicableCheck> check(String policyId, String checkId) {
    Policy policy = policies.get(policyId);
    if (policy == null) {
      return Optional.empty();
    }
    return policy.checks().stream().filter(c -> c.id().equals(checkId)).findFirst()
        .map(c -> new ApplicableCheck(policy, c));
  }

  public Optional<Policy> policy(String id) {
    return Optional.ofNullable(policies.get(id));
  }

  /** The policies in load order. */
  public Collection<Policy> policies() {
    return policies.values();
  }

  /** Policy ids: the closed set of values of the {@code policy} metric tag. */
  public Set<String> policyIds() {
    return policies.keySet();
  }

  /** Checks selected by a filter, indexed by asset class. */
  private static final class Index {
    private final List<ApplicableCheck> checks;
    private final List<ApplicableCheck> unscoped;
    private final List<ApplicableCheck> anyClass;
    private final boolean anyClassNarrowed;
    private final Map<String, List<ApplicableCheck>> byAssetClass;
    private final Map<String, Boolean> narrowed;

    Index(List<ApplicableCheck> source, Predicate<ApplicableCheck> filter) {
      this.checks = source.stream().filter(filter).toList();
      this.unscoped = checks.stream().filter(a -> a.check().scope().isUnscoped()).toList();
      this.anyClass = checks.stream().filter(a -> a.check().scope().assetClasses().isEmpty()).toList();
      this.anyClassNarrowed = anyClass.stream().anyMatch(Index::narrowedBySiteOrDevice);
      Map<String, List<ApplicableCheck>> index = new LinkedHashMap<>();
      for (ApplicableCheck a : checks) {
        for (String assetClass : a.check().scope().assetClasses()) {
          index.computeIfAbsent(assetClass, k -> new ArrayList<>(anyClass)).add(a);
        }
      }
      index.replaceAll((k, v) -> List.copyOf(v));
      this.byAssetClass = Map.copyOf(index);
      Map<String, Boolean> flags = new LinkedHashMap<>();
      index.forEach((k, v) -> flags.put(k, v.stream().anyMatch(Index::narrowedBySiteOrDevice)));
      this.narrowed = Map.copyOf(flags);
    }

    private static boolean narrowedBySiteOrDevice(ApplicableCheck a) {
      return !a.check().scope().sites().isEmpty() || !a.check().scope().devices().isEmpty();
    }

    List<ApplicableCheck> checksFor(String assetClass, String site, String deviceId) {
      List<ApplicableCheck> candidates = byAssetClass.get(assetClass);
      boolean filter;
      if (candidates == null) {
        candidates = anyClass;
        filter = anyClassNarrowed;
      } else {
        filter = narrowed.get(assetClass);
      }
      if (!filter) {
        return candidates; // no allocation on the common path
      }
      List<ApplicableCheck> result = new ArrayList<>(candidates.size());
      for (ApplicableCheck candidate : candidates) {
        if (candidate.check().scope().matchesSiteAndDevice(site, deviceId)) {
          result.add(candidate);
        }
      }
      return result;
    }
  }
}
