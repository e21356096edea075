package io.fleetwatch.gateway.source;

import java.util.List;

/**
 * A {@link PayloadSource} whose messages are those on a list of {@link TopicPattern}s: it subscribes to their
 * filters and takes a topic when one of them matches.
 */
public abstract class TopicPatternSource implements PayloadSource {
  private final String name;
  private final List<TopicPattern> patterns;

  /**
   * @param name the {@code source} metric tag
   * @param patterns at least one pattern
   */
  protected TopicPatternSource(String name, List<TopicPattern> patterns) {
    if (patterns.isEmpty()) {
      throw new IllegalArgumentException("the " + name + " source needs at least one topic pattern");
    }
    this.name = name;
    this.patterns = List.copyOf(patterns);
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final List<String> subscriptions() {
    return patterns.stream().map(TopicPattern::filter).distinct().toList();
  }

  @Override
  public final boolean matches(String topic) {
    return firstMatching(topic) != null;
  }

  /** The first pattern that matches {@code topic}, or {@code null}. */
  protected final TopicPattern firstMatching(String topic) {
    for (TopicPattern pattern : patterns) {
      if (pattern.match(topic) != null) {
        return pattern;
      }
    }
    return null;
  }
}
