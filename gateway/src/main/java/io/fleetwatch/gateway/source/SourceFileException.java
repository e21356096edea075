package io.fleetwatch.gateway.source;

import java.util.List;

/**
 * A mapping or unit file that cannot be used: every error found, each as {@code file:line: field: why}. An
 * {@link IllegalArgumentException}, so a gateway started with such a file stops with a configuration error.
 */
public final class SourceFileException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final List<String> errors;

  public SourceFileException(List<String> errors) {
    super(String.join(System.lineSeparator(), errors));
    this.errors = List.copyOf(errors);
  }

  /** The errors, one {@code file:line: field: why} each, in file order. */
  public List<String> errors() {
    return errors;
  }
}
