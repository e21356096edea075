package io.fleetwatch.schemas;

import java.util.regex.Pattern;

/**
 * The identifier of the device contract: device ids, sites, asset classes, policy check ids, metric and attribute
 * names in files. Letters, digits, {@code .}, {@code _} and {@code -}, 1 to 64 characters.
 */
public final class Identifier {
  /** The pattern as text, for messages: {@value}. */
  public static final String SYNTAX = "[A-Za-z0-9._-]{1,64}";
  public static final Pattern PATTERN = Pattern.compile(SYNTAX);

  private Identifier() {
  }

  /** Whether {@code text} is an identifier ({@code null} is not). */
  public static boolean isValid(String text) {
    return text != null && PATTERN.matcher(text).matches();
  }
}
