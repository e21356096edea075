package io.fleetwatch.schemas.yaml;

import java.util.List;

/**
 * A YAML file that cannot be accepted. The message reads {@code file:line: field: why} (or {@code file:line: why}
 * when no field is to blame), e.g. {@code saf-01.yaml:14: checks[0].rule.min: expected a number, got 'four'}.
 * Readers of a particular kind of file may subclass it to keep their own type name. A reader that collects every
 * problem of a file ({@link YamlProblems}) throws one exception listing them all, a line each; its file, line,
 * field and reason are those of the first.
 */
public class YamlFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final int line;
  private final String field;
  private final String reason;
  private final List<YamlFormatException> problems;

  public YamlFormatException(String file, int line, String field, String reason) {
    this(file, line, field, reason, null);
  }

  public YamlFormatException(String file, int line, String field, String reason, Throwable cause) {
    super(file + ":" + line + ": " + (field.isEmpty() ? "" : field + ": ") + reason, cause);
    this.file = file;
    this.line = line;
    this.field = field;
    this.reason = reason;
    this.problems = List.of(this);
  }

  /** Every problem of a file, in the order found; at least one. */
  public YamlFormatException(List<YamlFormatException> problems) {
    super(String.join(System.lineSeparator(), problems.stream().map(Throwable::getMessage).toList()));
    YamlFormatException first = problems.get(0);
    this.file = first.file;
    this.line = first.line;
    this.field = first.field;
    this.reason = first.reason;
    this.problems = problems.stream().flatMap(p -> p.problems().stream()).toList();
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

  /** The problems this exception reports: itself, or each problem of a file read by collecting them. */
  public List<YamlFormatException> problems() {
    return problems;
  }

  /** The problems as {@code file:line: field: why} lines, in the order found. */
  public List<String> errors() {
    return problems.stream().map(Throwable::getMessage).toList();
  }
}
