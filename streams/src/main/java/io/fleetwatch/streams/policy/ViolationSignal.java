package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.PolicyKind;
import java.util.Objects;

/**
 * A check transition on a device as seen by sequence rules.
 *
 * @param policyId the policy that raised or cleared
 * @param kind its safety/security nature
 * @param raised true when raised, false when cleared
 */
public record ViolationSignal(String policyId, PolicyKind kind, boolean raised) {
  public ViolationSignal {
    Objects.requireNonNull(policyId, "policyId");
    Objects.requireNonNull(kind, "kind");
  }
}
