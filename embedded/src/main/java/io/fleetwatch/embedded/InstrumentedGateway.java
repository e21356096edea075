package io.fleetwatch.embedded;

import io.fleetwatch.gateway.Gateway;
import io.fleetwatch.gateway.GatewayConfig;
import io.fleetwatch.gateway.kafka.ProducerSettings;
import io.fleetwatch.streams.api.Health;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A {@link Gateway} whose Kafka producer is built here, with the gateway's own {@link ProducerSettings}, so that its
 * client metrics ({@code kafka.producer.*}: send rate, request latency, errors, retries, buffer) are bound to the
 * component's registry through Micrometer's {@link KafkaClientMetrics}. The gateway module builds the same producer
 * internally when given none but does not expose it. Closing stops the gateway (which closes the producer), then
 * unbinds the client metrics.
 */
public final class InstrumentedGateway implements AutoCloseable {
  /** How often producer metrics that appear later (per broker node, per topic) are looked for. */
  static final Duration CLIENT_METRICS_REFRESH = Duration.ofSeconds(15);

  private final Gateway gateway;
  private final KafkaClientMetrics clientMetrics;
  private final ScheduledExecutorService refresher;

  private InstrumentedGateway(Gateway gateway, KafkaClientMetrics clientMetrics, ScheduledExecutorService refresher) {
    this.gateway = gateway;
    this.clientMetrics = clientMetrics;
    this.refresher = refresher;
  }

  /** Builds the producer, binds its metrics to {@code registry} and creates the (not yet started) gateway. */
  public static InstrumentedGateway create(GatewayConfig config, MeterRegistry registry) {
    Producer<String, byte[]> producer = new KafkaProducer<>(ProducerSettings.forGateway(
        config.kafkaBootstrapServers(), config.mqttClientId() + "-producer", config.kafkaOverrides()),
        new StringSerializer(), new ByteArraySerializer());
    ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "fleetwatch-gateway-client-metrics");
      t.setDaemon(true);
      return t;
    });
    KafkaClientMetrics clientMetrics = new KafkaClientMetrics(producer, Tags.empty(), refresher,
        CLIENT_METRICS_REFRESH);
    try {
      clientMetrics.bindTo(registry);
      return new InstrumentedGateway(new Gateway(config, registry, producer, Clock.systemUTC()), clientMetrics,
          refresher);
    } catch (RuntimeException e) {
      clientMetrics.close();
      refresher.shutdownNow();
      producer.close(Duration.ZERO);
      throw e;
    }
  }

  /**
   * The gateway as a health check: live unless closed, ready when connected and subscribed to the broker with Kafka
   * reachable; the detail is its {@link Gateway.Readiness}.
   */
  public Health.State health() {
    return health(gateway());
  }

  /** {@link #health()} of any gateway. */
  public static Health.State health(Gateway gateway) {
    Gateway.Readiness readiness = gateway.readiness();
    return new Health.State(gateway.isLive(), readiness == Gateway.Readiness.READY, readiness.name());
  }

  public Gateway gateway() {
    return gateway;
  }

  @Override
  public void close() {
    try {
      gateway.close();
    } finally {
      clientMetrics.close();
      refresher.shutdownNow();
    }
  }
}
