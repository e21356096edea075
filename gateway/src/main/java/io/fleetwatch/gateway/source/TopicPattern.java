package io.fleetwatch.gateway.source;

import io.fleetwatch.avro.DeadLetterReason;
import io.fleetwatch.gateway.mapping.ParseResult;
import io.fleetwatch.schemas.Identifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An MQTT topic pattern with named segments, such as {@code senml/{site}/{device}} or
 * {@code bacnet/{site}/+/{device}/present-value}: literal segments, {@code {site}} and {@code {device}} (each at most
 * once; a whole segment), {@code +} (any one segment) and a final {@code #} (any rest).
 *
 * <p>Input: the pattern text. Output: the MQTT subscription filter ({@code {site}} and {@code {device}} become
 * {@code +}) and, per topic, whether it matches and the site and device it names. Immutable, thread-safe.
 */
public final class TopicPattern {
  private static final String SITE = "{site}";
  private static final String DEVICE = "{device}";
  private static final int MAX_ECHO = 200;

  private final String text;
  private final List<String> segments;
  private final int siteIndex;
  private final int deviceIndex;
  private final boolean multiLevel;

  private TopicPattern(String text, List<String> segments, int siteIndex, int deviceIndex, boolean multiLevel) {
    this.text = text;
    this.segments = segments;
    this.siteIndex = siteIndex;
    this.deviceIndex = deviceIndex;
    this.multiLevel = multiLevel;
  }

  /**
   * Parses a pattern.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static TopicPattern parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("topic pattern is empty");
    }
    if (text.startsWith("$")) {
      throw new IllegalArgumentException("topic pattern must not start with '$' (shared subscriptions are set by "
          + "mqtt.share.group)");
    }
    String[] parts = text.split("/", -1);
    List<String> segments = new ArrayList<>();
    int site = -1;
    int device = -1;
    boolean multiLevel = false;
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      if (part.equals("#")) {
        if (i != parts.length - 1) {
          throw new IllegalArgumentException("'#' may only be the last segment of '" + text + "'");
        }
        multiLevel = true;
        continue;
      }
      if (part.equals(SITE)) {
        if (site >= 0) {
          throw new IllegalArgumentException("{site} appears more than once in '" + text + "'");
        }
        site = i;
      } else if (part.equals(DEVICE)) {
        if (device >= 0) {
          throw new IllegalArgumentException("{device} appears more than once in '" + text + "'");
        }
        device = i;
      } else if (part.isEmpty()) {
        throw new IllegalArgumentException("empty segment in '" + text + "'");
      } else if (!part.equals("+") && (part.contains("+") || part.contains("#") || part.contains("{")
          || part.contains("}"))) {
        throw new IllegalArgumentException("segment '" + part + "' of '" + text
            + "' mixes text with a wildcard or a name; use a whole segment: +, #, {site} or {device}");
      }
      segments.add(part);
    }
    if (site < 0) {
      throw new IllegalArgumentException("'" + text + "' has no {site} segment; every record needs a site");
    }
    return new TopicPattern(text, List.copyOf(segments), site, device, multiLevel);
  }

  /** The pattern as written. */
  public String text() {
    return text;
  }

  /** Whether the pattern names the device ({@code {device}}). */
  public boolean namesDevice() {
    return deviceIndex >= 0;
  }

  /** The MQTT subscription filter: the pattern with {@code {site}} and {@code {device}} as {@code +}. */
  public String filter() {
    StringBuilder filter = new StringBuilder();
    for (String segment : segments) {
      if (filter.length() > 0) {
        filter.append('/');
      }
      filter.append(segment.equals(SITE) || segment.equals(DEVICE) ? "+" : segment);
    }
    if (multiLevel) {
      filter.append(filter.length() > 0 ? "/#" : "#");
    }
    return filter.toString();
  }

  /**
   * Matches a topic name.
   *
   * @return {@code null} when the topic does not have the pattern's shape, else the site and device segments
   *     (device {@code null} when the pattern names none), not yet checked as identifiers
   */
  public Match match(String topic) {
    if (topic == null) {
      return null;
    }
    String[] parts = topic.split("/", -1);
    if (multiLevel ? parts.length < segments.size() : parts.length != segments.size()) {
      return null;
    }
    for (int i = 0; i < segments.size(); i++) {
      String segment = segments.get(i);
      boolean named = i == siteIndex || i == deviceIndex;
      if (!named && !segment.equals("+") && !segment.equals(parts[i])) {
        return null;
      }
    }
    return new Match(parts[siteIndex], deviceIndex < 0 ? null : parts[deviceIndex]);
  }

  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TopicPattern other && other.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  /**
   * The site and device segments of a matching topic.
   *
   * @param site site segment
   * @param device device segment, {@code null} when the pattern names no device
   */
  public record Match(String site, String device) {
    public Match {
      Objects.requireNonNull(site, "site");
    }

    /**
     * {@code null} when site and device (if named) are identifiers of the contract ({@value Identifier#SYNTAX}),
     * else the {@code BAD_IDENTIFIER} rejection.
     */
    public ParseResult.Rejected checkIdentifiers() {
      if (!Identifier.isValid(site)) {
        return badIdentifier("site", site);
      }
      if (device != null && !Identifier.isValid(device)) {
        return badIdentifier("deviceId", device);
      }
      return null;
    }

    /** The {@code BAD_IDENTIFIER} rejection of a site or device id that is not an identifier of the contract. */
    public static ParseResult.Rejected badIdentifier(String what, String value) {
      String echo = value.length() <= MAX_ECHO ? value : value.substring(0, MAX_ECHO) + "...";
      return new ParseResult.Rejected(DeadLetterReason.BAD_IDENTIFIER,
          what + " '" + echo + "' must match " + Identifier.SYNTAX);
    }
  }
}
