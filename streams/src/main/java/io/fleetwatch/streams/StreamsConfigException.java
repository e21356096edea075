package io.fleetwatch.streams;

/** A configuration value that cannot be used; the message starts with the offending key. */
public final class StreamsConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final String key;

  public StreamsConfigException(String key, String why) {
    super(key + ": " + why);
    this.key = key;
  }

  /** The configuration key (environment variable name or {@code kafka.*} property) that is wrong. */
  public String key() {
    return key;
  }
}
