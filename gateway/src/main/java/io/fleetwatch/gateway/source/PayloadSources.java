package io.fleetwatch.gateway.source;

import io.fleetwatch.gateway.sparkplug.SparkplugSource;
import java.util.ArrayList;
import java.util.List;

/**
 * The kinds of payload source the gateway knows, in routing order: a message goes to the first source that
 * {@linkplain PayloadSource#matches matches} its topic, and to the native contract when none does.
 */
public final class PayloadSources {

  /** One line per kind of source. */
  public static final List<SourceFactory> FACTORIES = List.of(
      SparkplugSource::create,
      context -> context.config().jsonSources().senml(context.config().payloadParser()),
      context -> context.config().jsonSources().mapped(context.config().payloadParser()));

  private PayloadSources() {}

  /** The sources {@code context}'s settings enable, in the order of {@link #FACTORIES}. */
  public static List<PayloadSource> enabled(SourceContext context) {
    return enabled(FACTORIES, context);
  }

  /** The sources {@code factories} make of {@code context}'s settings, in order. */
  public static List<PayloadSource> enabled(List<SourceFactory> factories, SourceContext context) {
    List<PayloadSource> sources = new ArrayList<>();
    for (SourceFactory factory : factories) {
      factory.create(context).ifPresent(sources::add);
    }
    return List.copyOf(sources);
  }
}
