package io.fleetwatch.streams.api;

/** A client error: {@link ApiServer} answers 400 with the message as {@code {"error": ...}}. */
final class BadRequest extends RuntimeException {
  private static final long serialVersionUID = 1L;

  BadRequest(String message) {
    super(message);
  }
}
