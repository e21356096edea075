package io.fleetwatch.streams.registry;

/** A registry file that cannot be applied; the message names the file, the line and the field. */
public final class RegistryException extends Exception {
  private static final long serialVersionUID = 1L;

  public RegistryException(String message) {
    super(message);
  }
}
