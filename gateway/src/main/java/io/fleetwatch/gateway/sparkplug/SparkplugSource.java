package io.fleetwatch.gateway.sparkplug;

import io.fleetwatch.gateway.GatewayConfig;
import io.fleetwatch.gateway.mapping.ParseResult;
import io.fleetwatch.gateway.source.PayloadSource;
import io.fleetwatch.gateway.source.SourceContext;
import io.fleetwatch.gateway.source.StatefulSource;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Sparkplug B at the gateway: subscribes {@code spBv1.0/{group filter}/#}, decodes with {@link SparkplugDecoder} and
 * keeps the births in an {@link AliasJournal} (by default the compacted topic {@code <prefix>sparkplug-aliases}).
 * Enabled by {@code sparkplug.enabled=true}.
 */
public final class SparkplugSource implements PayloadSource, StatefulSource {
  /** Value of the {@code source} metric tag. */
  public static final String NAME = "sparkplug";

  private final SparkplugSettings settings;
  private final SparkplugDecoder decoder;
  private final AliasJournal journal;

  /**
   * @param settings which groups
   * @param decoder the decoder (holds the metric tables)
   * @param journal where births are kept; it applies births read back through {@link SparkplugDecoder#restore}
   */
  public SparkplugSource(SparkplugSettings settings, SparkplugDecoder decoder, AliasJournal journal) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.decoder = Objects.requireNonNull(decoder, "decoder");
    this.journal = Objects.requireNonNull(journal, "journal");
  }

  /** The source the gateway's settings describe, when {@code sparkplug.enabled} is true. */
  public static Optional<PayloadSource> create(SourceContext context) {
    GatewayConfig config = context.config();
    SparkplugSettings settings = config.sparkplug();
    if (!settings.enabled()) {
      return Optional.empty();
    }
    SparkplugIdentity identity = settings.identityFile() == null ? SparkplugIdentity.defaults()
        : SparkplugIdentity.load(settings.identityFile());
    SparkplugDecoder decoder = new SparkplugDecoder(identity, config.maxPayloadBytes(), config.maxFutureSkew());
    AliasJournal journal = new KafkaAliasJournal(context.topics().sparkplugAliases().name(), context.forwarder(),
        context.consumerSettings(config.mqttClientId() + "-sparkplug-aliases"), decoder::restore);
    return Optional.of(new SparkplugSource(settings, decoder, journal));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<String> subscriptions() {
    return List.of(settings.subscription());
  }

  @Override
  public boolean matches(String topic) {
    return SparkplugTopic.inNamespace(topic);
  }

  @Override
  public List<ParseResult> decode(String topic, byte[] payload, long receivedAt) {
    SparkplugDecoder.Decoded decoded = decoder.decode(topic, payload, receivedAt);
    for (SparkplugDecoder.Birth birth : decoded.births()) {
      journal.write(birth);
    }
    return decoded.records();
  }

  @Override
  public void start() {
    journal.start();
  }

  @Override
  public boolean ready() {
    return journal.ready();
  }

  @Override
  public void close(Duration timeout) {
    journal.close(timeout);
  }
}
