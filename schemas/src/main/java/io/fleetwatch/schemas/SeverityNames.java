package io.fleetwatch.schemas;

import io.fleetwatch.avro.Severity;
import java.util.Map;

/** The lower-case names of {@link Severity} as files and the HTTP API write them ({@code info} .. {@code critical}). */
public final class SeverityNames {
  /** Name to severity; {@link Severity#UNKNOWN}, the reader's fallback, has no name. */
  public static final Map<String, Severity> BY_NAME = Map.of("info", Severity.INFO, "low", Severity.LOW,
      "medium", Severity.MEDIUM, "high", Severity.HIGH, "critical", Severity.CRITICAL);

  private SeverityNames() {
  }
}
