package io.fleetwatch.streams.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A firmware version such as {@code 2.4.1}, {@code v2.10} or {@code 2.4.1-rc1}: numeric dot-separated parts
 * compared numerically (missing parts count as 0), then a pre-release suffix sorts before the plain version.
 *
 * @param parts the numeric parts
 * @param suffix text after the numeric parts ({@code -rc1}), empty when none
 * @param text the original text
 */
public record Version(List<Integer> parts, String suffix, String text) implements Comparable<Version> {
  public Version {
    parts = List.copyOf(parts);
    Objects.requireNonNull(suffix, "suffix");
    Objects.requireNonNull(text, "text");
  }

  /** Parses a version; throws {@link IllegalArgumentException} when it does not start with a number. */
  public static Version parse(String text) {
    String s = text.strip();
    int i = (s.startsWith("v") || s.startsWith("V")) ? 1 : 0;
    List<Integer> parts = new ArrayList<>(4);
    while (true) {
      int start = i;
      while (i < s.length() && Character.isDigit(s.charAt(i))) {
        i++;
      }
      if (i == start || i - start > 9) {
        throw new IllegalArgumentException("not a version: '" + text + "'");
      }
      parts.add(Integer.parseInt(s.substring(start, i)));
      if (i + 1 < s.length() && s.charAt(i) == '.' && Character.isDigit(s.charAt(i + 1))) {
        i++;
        continue;
      }
      break;
    }
    return new Version(parts, s.substring(i), text);
  }

  @Override
  public int compareTo(Version other) {
    int n = Math.max(parts.size(), other.parts.size());
    for (int i = 0; i < n; i++) {
      int a = i < parts.size() ? parts.get(i) : 0;
      int b = i < other.parts.size() ? other.parts.get(i) : 0;
      if (a != b) {
        return Integer.compare(a, b);
      }
    }
    if (suffix.isEmpty() != other.suffix.isEmpty()) {
      return suffix.isEmpty() ? 1 : -1; // 2.4.1-rc1 < 2.4.1
    }
    return suffix.compareTo(other.suffix);
  }

  @Override
  public String toString() {
    return text;
  }
}
