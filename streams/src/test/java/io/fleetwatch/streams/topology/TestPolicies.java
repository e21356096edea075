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
    String yaml = """
        apiVersion: fleetwatch.io/v1
        kind: Policy
        id: %s
        version: 1
        title: %s test policy
        policyKind: %s
        severity: high
        references:
          - framework: iot-ssf
            provision: test
        remediation: none
        checks:
        """.formatted(id, id, policyKind) + checks;
    return new RuntimeCatalogue(new PolicyLoader().parse(id + ".yaml", yaml));
  }
}
