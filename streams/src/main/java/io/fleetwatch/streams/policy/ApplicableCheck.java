package io.fleetwatch.streams.policy;

import java.util.Objects;

/**
 * A check together with the policy it belongs to, as answered by {@link PolicyCatalogue}, and the key of the check's
 * state among a device's check states ({@code policyId|checkId}, interned: the same instance for every check of that
 * id, so looking a state up by it compares references, not characters).
 */
public final class ApplicableCheck {
  private final Policy policy;
  private final Check check;
  private final String stateKey;

  /**
   * @param policy the policy
   * @param check one of its checks
   */
  public ApplicableCheck(Policy policy, Check check) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.check = Objects.requireNonNull(check, "check");
    this.stateKey = (policy.id() + "|" + check.id()).intern();
  }

  public Policy policy() {
    return policy;
  }

  public Check check() {
    return check;
  }

  /** Key of this check's state among the check states of a device: {@code policyId|checkId}, interned. */
  public String stateKey() {
    return stateKey;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ApplicableCheck that && policy.equals(that.policy) && check.equals(that.check);
  }

  @Override
  public int hashCode() {
    return Objects.hash(policy, check);
  }

  @Override
  public String toString() {
    return "ApplicableCheck[policy=" + policy + ", check=" + check + "]";
  }
}
