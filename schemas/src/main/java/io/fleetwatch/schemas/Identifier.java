package io.fleetwatch.schemas;

import java.util.regex.Pattern;

/**
 * The identifier of the device contract: device ids, sites, asset classes, policy check ids, metric and attribute
 * names in files. Letters, digits, {@code .}, {@code _} and {@code -}, 1 to {@value #MAX_LENGTH} characters.
 */
public final class Identifier {
  /** Longest identifier. */
  public static final int MAX_LENGTH = 64;
  /** The characters allowed besides ASCII letters and digits: {@value}. */
  public static final String PUNCTUATION = "._-";
  /** The pattern as text, for messages: {@value}. */
  public static final String SYNTAX = "[A-Za-z0-9" + PUNCTUATION + "]{1," + MAX_LENGTH + "}";
  public static final Pattern PATTERN = Pattern.compile(SYNTAX);

  private Identifier() {
  }

  /**
   * Whether {@code text} is an identifier ({@code null} is not): {@link #PATTERN} without a regex matcher, as the
   * gateway checks the site and device id of every message.
   */
  public static boolean isValid(String text) {
    if (text == null) {
      return false;
    }
    int n = text.length();
    if (n == 0 || n > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (!isAllowed(text.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code c} may appear in an identifier. */
  public static boolean isAllowed(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || PUNCTUATION.indexOf(c) >= 0;
  }
}
