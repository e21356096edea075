package io.fleetwatch.streams;

import io.fleetwatch.schemas.Topics;
import io.fleetwatch.streams.api.InstanceRouting;
import io.fleetwatch.streams.api.KafkaStreamsInstanceRouting;
import io.fleetwatch.streams.api.KafkaIncidentCommandSink;
import io.fleetwatch.streams.api.KafkaStreamsIncidentQueries;
import io.fleetwatch.streams.api.StreamsApi;
import io.fleetwatch.streams.incident.IncidentRules;
import io.fleetwatch.streams.incident.IncidentRulesLoader;
import io.fleetwatch.streams.incident.IncidentTiming;
import io.fleetwatch.streams.policy.PolicyCatalogue;
import io.fleetwatch.streams.policy.RuntimeCatalogue;
import io.fleetwatch.streams.topology.DeadLetterDeserializationHandler;
import io.fleetwatch.streams.topology.FleetTopology;
import io.fleetwatch.streams.vulnerability.KafkaStreamsVulnerabilityQueries;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.Tags;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams app: {@link FleetTopology} on a {@link KafkaStreams} instance configured by
 * {@link StreamsConfigFactory}, with Kafka Streams client metrics bound to Micrometer. Inputs and outputs
 * are those of {@link FleetTopology}. An unexpected exception in a stream thread shuts the client down
 * (state becomes ERROR, {@code /health} turns 503) rather than replaying the same record forever. A start after a
 * run that did not stop cleanly rebuilds the global stores from their topics ({@link UncleanStopRecovery}). Incident rules
 * ({@code iot-ssf*.yaml}) are read from the policy path; a producer publishes responders' commands from the API.
 */
public final class FleetStreamsApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FleetStreamsApp.class);

  private final KafkaStreams streams;
  /** How often Kafka Streams' own metrics are re-read for new meters (tasks, stores). */
  static final Duration METRICS_REFRESH = Duration.ofSeconds(5);

  private final KafkaStreamsMetrics streamsMetrics;
  private final ScheduledExecutorService metricsRefresher;
  private final Topology topology;
  private final RuntimeCatalogue catalogue;
  private final KafkaIncidentCommandSink commands;
  private final InstanceRouting routing;
  private final UncleanStopRecovery recovery;

  /**
   * @param config validated configuration
   * @param catalogue policies to evaluate
   * @param registry where domain and Kafka Streams metrics go
   * @param clock wall clock for {@code detectedAt}
   */
  public FleetStreamsApp(StreamsAppConfig config, PolicyCatalogue catalogue, MeterRegistry registry, Clock clock) {
    Objects.requireNonNull(config, "config");
    Topics topics = new Topics(config.topicPrefix());
    IncidentRules incidentRules = new IncidentRulesLoader().load(config.policies());
    IncidentTiming timing = new IncidentTiming(config.incidentQuietPeriod(), config.incidentReopenWindow(),
        config.incidentScanInterval(), IncidentTiming.IMMEDIATE.impactRefresh());
    FleetTopology fleet = new FleetTopology(topics, new RuntimeCatalogue(catalogue.policies()), clock, registry,
        FleetTopology.Options.defaults().withHeartbeatScan(config.heartbeatScanInterval())
            .withIncidents(incidentRules, timing));
    this.catalogue = fleet.catalogue();
    this.topology = fleet.build();
    Properties props = StreamsConfigFactory.properties(config, topics);
    props.put(DeadLetterDeserializationHandler.METER_REGISTRY_CONFIG, registry);
    Map<String, Object> clients = new HashMap<>(config.kafka());
    clients.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    this.commands = new KafkaIncidentCommandSink(clients, topics.incidentCommands(), config.apiToken());
    LOG.info("Starting streams app with {} ({} policies)", config.redacted(), catalogue.policyIds().size());
    this.streams = new KafkaStreams(topology, props);
    this.streams.setUncaughtExceptionHandler(e -> {
      LOG.error("Stream thread failed; shutting the streams client down", e);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    this.streams.setStateListener((next, previous) ->
        LOG.info("Streams state {} -> {}", previous, next));
    this.routing = config.advertisedApiAddress()
        .<InstanceRouting>map(address -> new KafkaStreamsInstanceRouting(streams, HostInfo.buildFromEndpoint(address)))
        .orElse(InstanceRouting.LOCAL);
    // Task and state-store metrics exist only once tasks are assigned; a short refresh makes them appear within
    // seconds of RUNNING instead of up to a minute later (Micrometer's default), so dashboards have data at once.
    this.metricsRefresher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "fleetwatch-streams-metrics-refresh");
      t.setDaemon(true);
      return t;
    });
    this.streamsMetrics = new KafkaStreamsMetrics(streams, Tags.empty(), metricsRefresher, METRICS_REFRESH);
    this.streamsMetrics.bindTo(registry);
    this.recovery = new UncleanStopRecovery(config.stateDir(), config.applicationId());
  }

  /** Starts processing; after a run that did not stop cleanly the global stores are rebuilt first. */
  public void start() {
    recovery.starting();
    streams.start();
  }

  /** Whether the client is processing (RUNNING, or REBALANCING which is part of normal operation). */
  public boolean isRunning() {
    return streams.state().isRunningOrRebalancing();
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  public Topology topology() {
    return topology;
  }

  /**
   * The HTTP API of this app, to bind with {@link StreamsApi#server}: incidents (global store), device twins and
   * check states (this instance's partitions, with the routing to the other instances' partitions), the policy
   * catalogue in force, vulnerability findings, and responders' commands (published to
   * {@code fleet.incident-commands}, protected by the configured API token).
   */
  public StreamsApi api() {
    KafkaStreamsIncidentQueries queries = new KafkaStreamsIncidentQueries(streams, catalogue);
    return new StreamsApi(queries).devices(queries).policies(queries).commands(commands)
        .vulnerabilities(new KafkaStreamsVulnerabilityQueries(streams)).routing(routing);
  }

  /** The policy catalogue in force (files overlaid by {@code fleet.policies}). */
  public RuntimeCatalogue catalogue() {
    return catalogue;
  }

  /** Stops processing, waiting at most {@code timeout}; returns whether it stopped in time. */
  public boolean close(Duration timeout) {
    boolean stopped = streams.close(timeout);
    streamsMetrics.close();
    metricsRefresher.shutdownNow();
    commands.close();
    if (stopped) {
      recovery.stoppedCleanly();
    }
    return stopped;
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }
}
