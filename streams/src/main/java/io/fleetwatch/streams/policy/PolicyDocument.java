package io.fleetwatch.streams.policy;

import java.util.Objects;

/**
 * One validated policy together with the YAML text of its document, as published to {@code fleet.policies}.
 *
 * @param policy the parsed policy
 * @param yaml the text of its YAML document (one document, no {@code ---} separators)
 */
public record PolicyDocument(Policy policy, String yaml) {
  public PolicyDocument {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(yaml, "yaml");
  }
}
