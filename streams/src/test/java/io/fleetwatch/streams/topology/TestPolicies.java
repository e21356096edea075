package io.fleetwatch.streams.topology;

import io.fleetwatch.streams.policy.PolicyLoader;
import io.fleetwatch.streams.policy.RuntimeCatalogue;

/** One-policy catalogues for processor tests, written as a policy file would be. */
final class TestPolicies {
  private TestPolicies() {}

  /**
   * A catalogue of one policy.
   *
   * @param id policy id
   * @param policyKind safety, security or safety-security
   * @param checks the {@code checks:} list, indented by two spaces
   */
  static RuntimeCatalogue catalogue(String id, String policyKind, String checks) {
    return new RuntimeCatalogue(new PolicyLoader().parse(id + ".yaml", document(id, 1, policyKind, checks)));
  }

  /** The policy file of one policy, as {@link #catalogue} reads it and as a publisher sends it. */
  static String document(String id, int version, String policyKind, String checks) {
    return """
        apiVersion: fleetwatch.io/v1
        kind: Policy
        id: %s
        version: %d
        title: %s test policy
        policyKind: %s
        severity: high
        references:
          - framework: iot-ssf
            provision: test
        remediation: none
        checks:
        """.formatted(id, version, id, policyKind) + checks;
  }
}
