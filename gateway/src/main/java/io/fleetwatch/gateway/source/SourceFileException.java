package io.fleetwatch.gateway.source;

import io.fleetwatch.schemas.yaml.YamlFormatException;
import java.util.List;

/**
 * A mapping or unit file that cannot be used: every error found, each as {@code file:line: field: why}
 * ({@link #errors()}), read with the shared YAML reader's collecting mode.
 */
public final class SourceFileException extends YamlFormatException {
  private static final long serialVersionUID = 1L;

  public SourceFileException(List<YamlFormatException> problems) {
    super(problems);
  }
}
