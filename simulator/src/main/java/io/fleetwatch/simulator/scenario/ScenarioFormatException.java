package io.fleetwatch.simulator.scenario;

/** A scenario file that cannot be used; the message reads {@code file:line: field: what is wrong}. */
public final class ScenarioFormatException extends RuntimeException {
  private final String source;
  private final int line;

  public ScenarioFormatException(String source, int line, String field, String problem) {
    super(source + ":" + line + ": " + (field.isEmpty() ? "" : field + ": ") + problem);
    this.source = source;
    this.line = line;
  }

  /** The file (name) the problem is in. */
  public String source() {
    return source;
  }

  /** 1-based line of the problem (0 when unknown). */
  public int line() {
    return line;
  }
}
