package io.fleetwatch.streams.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The loaded policies, indexed so that "which checks apply to this asset" costs a map lookup plus a filter
 * over the few checks of that asset class, not a scan of the whole catalogue. Immutable and thread-safe.
 */
public final class PolicyCatalogue {
  private final Map<String, Policy> policies;
  private final List<ApplicableCheck> unscoped;
  private final List<ApplicableCheck> anyClass;
  private final Map<String, List<ApplicableCheck>> byAssetClass;

  private PolicyCatalogue(Collection<Policy> loaded) {
    Map<String, Policy> byId = new LinkedHashMap<>();
    for (Policy policy : loaded) {
      Policy previous = byId.putIfAbsent(policy.id(), policy);
      if (previous != null) {
        throw new IllegalArgumentException("policy " + policy.id() + " is defined twice: in "
            + previous.source() + " and in " + policy.source());
      }
    }
    this.policies = Map.copyOf(byId);
    List<ApplicableCheck> all = new ArrayList<>();
    byId.values().forEach(p -> p.checks().forEach(c -> all.add(new ApplicableCheck(p, c))));
    this.unscoped = all.stream().filter(a -> a.check().scope().isUnscoped()).toList();
    this.anyClass = all.stream().filter(a -> a.check().scope().assetClasses().isEmpty()).toList();
    Map<String, List<ApplicableCheck>> index = new LinkedHashMap<>();
    for (ApplicableCheck a : all) {
      for (String assetClass : a.check().scope().assetClasses()) {
        index.computeIfAbsent(assetClass, k -> new ArrayList<>(anyClass)).add(a);
      }
    }
    index.replaceAll((k, v) -> List.copyOf(v));
    this.byAssetClass = Map.copyOf(index);
  }

  public static PolicyCatalogue of(Collection<Policy> policies) {
    return new PolicyCatalogue(policies);
  }

  public static PolicyCatalogue empty() {
    return new PolicyCatalogue(List.of());
  }

  /** Checks that apply to a registered asset. */
  public List<ApplicableCheck> checksFor(String assetClass, String site, String deviceId) {
    List<ApplicableCheck> candidates = byAssetClass.getOrDefault(assetClass, anyClass);
    List<ApplicableCheck> result = new ArrayList<>(candidates.size());
    for (ApplicableCheck candidate : candidates) {
      if (candidate.check().scope().matchesSiteAndDevice(site, deviceId)) {
        result.add(candidate);
      }
    }
    return result;
  }

  /** Checks with an empty scope: the only ones evaluated for devices missing from the asset registry. */
  public List<ApplicableCheck> unscopedChecks() {
    return unscoped;
  }

  public Optional<Policy> policy(String id) {
    return Optional.ofNullable(policies.get(id));
  }

  public Collection<Policy> policies() {
    return policies.values();
  }

  /** Policy ids: the closed set of values of the {@code policy} metric tag. */
  public Set<String> policyIds() {
    return policies.keySet();
  }
}
