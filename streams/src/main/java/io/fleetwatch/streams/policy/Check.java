package io.fleetwatch.streams.policy;

import java.util.Objects;

/**
 * One scoped check of a policy: a rule applied to the assets in scope.
 *
 * @param id check id, unique within its policy (e.g. {@code chiller-supply-temp})
 * @param scope which assets it applies to
 * @param rule the condition
 */
public record Check(String id, Scope scope, Rule rule) {
  public Check {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(rule, "rule");
  }
}
