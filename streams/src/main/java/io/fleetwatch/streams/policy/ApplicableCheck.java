package io.fleetwatch.streams.policy;

import java.util.Objects;

/**
 * A check together with the policy it belongs to, as answered by {@link PolicyCatalogue}.
 *
 * @param policy the policy
 * @param check one of its checks
 */
public record ApplicableCheck(Policy policy, Check check) {
  public ApplicableCheck {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(check, "check");
  }

  /** Key of this check's state among the check states of a device: {@code policyId|checkId}. */
  public String stateKey() {
    return policy.id() + "|" + check.id();
  }
}
