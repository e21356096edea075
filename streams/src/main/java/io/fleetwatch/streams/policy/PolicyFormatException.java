package io.fleetwatch.streams.policy;

/**
 * A policy file that cannot be accepted. The message reads {@code file:line: field: why}, e.g.
 * {@code saf-01.yaml:14: checks[0].rule.min: expected a number, got 'four'}.
 */
public final class PolicyFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final int line;
  private final String field;
  private final String reason;

  public PolicyFormatException(String file, int line, String field, String reason) {
    this(file, line, field, reason, null);
  }

  public PolicyFormatException(String file, int line, String field, String reason, Throwable cause) {
    super(file + ":" + line + ": " + (field.isEmpty() ? "" : field + ": ") + reason, cause);
    this.file = file;
    this.line = line;
    this.field = field;
    this.reason = reason;
  }

  public String file() {
    return file;
  }

  public int line() {
    return line;
  }

  public String field() {
    return field;
  }

  public String reason() {
    return reason;
  }
}
