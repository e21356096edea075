package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.PolicyKind;
import io.fleetwatch.avro.Severity;
import java.util.List;
import java.util.Objects;

/**
 * A versioned policy definition ({@code apiVersion: fleetwatch.io/v1}, {@code kind: Policy}).
 *
 * @param id policy id, e.g. {@code SAF-01}
 * @param version definition version, increases with every change
 * @param title short human-readable title
 * @param kind safety, security or both
 * @param severity default severity of its violations
 * @param references framework provisions it serves
 * @param remediation what a responder should do
 * @param checks its scoped checks, at least one
 * @param source where it was loaded from (file name), for messages
 */
public record Policy(String id, int version, String title, PolicyKind kind, Severity severity,
    List<FrameworkReference> references, String remediation, List<Check> checks, String source) {

  public Policy {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(remediation, "remediation");
    Objects.requireNonNull(source, "source");
    references = List.copyOf(references);
    checks = List.copyOf(checks);
    Require.that(!checks.isEmpty(), "checks", "a policy needs at least one check");
    Require.atLeast("version", version, 1, "");
  }
}
