package io.fleetwatch.simulator.scenario;

import io.fleetwatch.schemas.yaml.YamlFormatException;

/** A scenario file that cannot be used; the message reads {@code file:line: field: what is wrong}. */
public final class ScenarioFormatException extends YamlFormatException {
  private static final long serialVersionUID = 1L;

  public ScenarioFormatException(String source, int line, String field, String problem) {
    super(source, line, field, problem);
  }

  /** The same problem, as a scenario file's. */
  public ScenarioFormatException(YamlFormatException e) {
    super(e.file(), e.line(), e.field(), e.reason(), e);
  }

  /** The file (name) the problem is in. */
  public String source() {
    return file();
  }
}
