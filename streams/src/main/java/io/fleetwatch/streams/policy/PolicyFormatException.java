package io.fleetwatch.streams.policy;

import io.fleetwatch.schemas.yaml.YamlFormatException;

/**
 * A policy (or incident rules) file that cannot be accepted. The message reads {@code file:line: field: why}, e.g.
 * {@code saf-01.yaml:14: checks[0].rule.min: expected a number, got 'four'}.
 */
public final class PolicyFormatException extends YamlFormatException {
  private static final long serialVersionUID = 1L;

  public PolicyFormatException(String file, int line, String field, String reason) {
    super(file, line, field, reason);
  }

  public PolicyFormatException(String file, int line, String field, String reason, Throwable cause) {
    super(file, line, field, reason, cause);
  }

  /** The same problem, as a policy file's. */
  public PolicyFormatException(YamlFormatException e) {
    super(e.file(), e.line(), e.field(), e.reason(), e);
  }
}
