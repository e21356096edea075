package io.fleetwatch.streams.policy;

import io.fleetwatch.schemas.yaml.YamlMap;
import java.util.function.Supplier;

/**
 * A value a policy record does not accept, naming the field to blame: the field of the policy file (and the record
 * component) the check is about. The records' constructors throw it (through {@link Require}), so a check is stated
 * once, in the record; {@link #reportedAt} turns it into the {@code file:line: field: why} error of the file the
 * record was read from. The message is {@code field: why}, or {@code why} when no single field is to blame.
 */
public final class InvalidFieldException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String field;
  private final String reason;

  /**
   * @param field the field (record component and policy-file key) to blame, or empty for the record as a whole
   * @param reason why the value is not accepted, with the value received and the bound it misses
   */
  public InvalidFieldException(String field, String reason) {
    super(field.isEmpty() ? reason : field + ": " + reason);
    this.field = field;
    this.reason = reason;
  }

  /** The field to blame, e.g. {@code maxRate}; empty when the record as a whole is not accepted. */
  public String field() {
    return field;
  }

  /** Why the value is not accepted, without the field. */
  public String reason() {
    return reason;
  }

  /**
   * The record {@code construct} builds from the fields of {@code map}; when the record refuses a value, the error
   * of that field of the file (its line and field path) instead.
   */
  static <T> T reportedAt(YamlMap map, Supplier<T> construct) {
    try {
      return construct.get();
    } catch (InvalidFieldException e) {
      throw map.error(e.field(), e.reason());
    }
  }
}
