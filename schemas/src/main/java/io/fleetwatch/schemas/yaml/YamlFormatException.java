package io.fleetwatch.schemas.yaml;

/**
 * A YAML file that cannot be accepted. The message reads {@code file:line: field: why} (or {@code file:line: why}
 * when no field is to blame), e.g. {@code saf-01.yaml:14: checks[0].rule.min: expected a number, got 'four'}.
 * Readers of a particular kind of file may subclass it to keep their own type name.
 */
public class YamlFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final int line;
  private final String field;
  private final String reason;

  public YamlFormatException(String file, int line, String field, String reason) {
    this(file, line, field, reason, null);
  }

  public YamlFormatException(String file, int line, String field, String reason, Throwable cause) {
    super(file + ":" + line + ": " + (field.isEmpty() ? "" : field + ": ") + reason, cause);
    this.file = file;
    this.line = line;
    this.field = field;
    this.reason = reason;
  }

  /** The file (name) the problem is in. */
  public String file() {
    return file;
  }

  /** 1-based line of the problem, 0 when unknown. */
  public int line() {
    return line;
  }

  /** The field path, e.g. {@code checks[0].rule.min}; empty when the problem is the file itself. */
  public String field() {
    return field;
  }

  /** Why the value is not accepted, without file, line and field. */
  public String reason() {
    return reason;
  }
}
