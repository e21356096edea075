package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.CheckState;
import io.fleetwatch.schemas.yaml.YamlMap;
import java.util.EnumSet;
import java.util.Set;

/**
 * Known-vulnerable component (YAML {@code type: vulnerable-component}, SEC-10): inventories joined with advisories.
 * This rule is not evaluated per device message: the vulnerability topology matches every device's reported
 * components against the advisories and raises or clears the policy's violations (one check per advisory and
 * component). The policy document only supplies what those violations say: title, version, kind, severity,
 * references and remediation. It listens to no channel, so the policy evaluation never offers it an observation.
 */
public record VulnerableComponent() implements Rule {
  public static final String TYPE = "vulnerable-component";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Set<Channel> channels() {
    return EnumSet.noneOf(Channel.class);
  }

  @Override
  public Evaluation evaluate(CheckState previous, Observation observation) {
    return Evaluation.unchanged(previous);
  }

  /** Reads the {@code rule:} fields of a policy file: the kind has no parameters. */
  static VulnerableComponent read(YamlMap rule) {
    rule.allowOnly("type");
    return new VulnerableComponent();
  }
}
