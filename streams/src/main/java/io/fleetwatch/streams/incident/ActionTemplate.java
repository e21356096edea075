package io.fleetwatch.streams.incident;

import io.fleetwatch.avro.IncidentAction;
import io.fleetwatch.avro.Perspective;
import java.util.List;
import java.util.Set;

/**
 * Actions that apply to incidents of some policies, kinds and categories (configuration, see
 * {@code policies/iot-ssf-actions.yaml}).
 *
 * @param policies policy ids or prefixes ending in {@code *} ({@code SAF-*}, {@code *}); empty matches all
 * @param kinds incident kinds (safety, security, safety-security); empty matches all
 * @param categories IoT-SSF categories; empty matches all
 * @param actions the actions, each with its perspective; text may hold {@code {device}}, {@code {site}},
 *     {@code {services}}, {@code {fallback}}
 */
public record ActionTemplate(List<String> policies, Set<String> kinds, Set<String> categories,
    List<IncidentAction> actions) {
  public ActionTemplate {
    policies = List.copyOf(policies);
    kinds = Set.copyOf(kinds);
    categories = Set.copyOf(categories);
    actions = List.copyOf(actions);
  }

  boolean matches(String policyId, String kind, String category) {
    return (policies.isEmpty() || policies.stream().anyMatch(p -> p.endsWith("*")
            ? policyId.startsWith(p.substring(0, p.length() - 1)) : p.equals(policyId)))
        && (kinds.isEmpty() || kinds.contains(kind))
        && (categories.isEmpty() || categories.contains(category));
  }

  /** Perspective of a {@code P1}..{@code P4} key. */
  static Perspective perspective(String key) {
    return Perspective.valueOf(key);
  }
}
