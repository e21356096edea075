package io.fleetwatch.gateway.source;

import io.fleetwatch.avro.DeadLetterReason;
import io.fleetwatch.gateway.mapping.ParseResult;

/**
 * A rejection raised deep inside a source's decoding and turned into a {@link ParseResult.Rejected} at the
 * source's boundary ({@link PayloadSource#decode} never throws). Control flow only: no stack trace.
 */
public final class Rejection extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient ParseResult.Rejected rejected;

  public Rejection(DeadLetterReason reason, String detail) {
    this(new ParseResult.Rejected(reason, detail));
  }

  public Rejection(ParseResult.Rejected rejected) {
    super(rejected.detail(), null, false, false);
    this.rejected = rejected;
  }

  /** The rejection to send to the dead-letter topic. */
  public ParseResult.Rejected rejected() {
    return rejected;
  }
}
