package io.fleetwatch.streams.topology;

import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.DeviceState;
import io.fleetwatch.avro.Policy;
import io.fleetwatch.avro.Violation;
import io.fleetwatch.schemas.DeviceChannel;
import io.fleetwatch.schemas.Topic;
import io.fleetwatch.schemas.Topics;
import io.fleetwatch.streams.incident.IncidentRules;
import io.fleetwatch.streams.incident.IncidentTiming;
import io.fleetwatch.streams.policy.PolicyCatalogue;
import io.fleetwatch.streams.policy.RuntimeCatalogue;
import io.fleetwatch.streams.vulnerability.VulnerabilityTopology;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * Inputs: the topic of every {@link DeviceChannel} ({@code fleet.telemetry}, {@code fleet.events},
 * {@code fleet.state}; all keyed by device id and co-partitioned), {@code fleet.assets} (global; with approved
 * changes and maintenance windows), {@code fleet.models} (global, added by {@link VulnerabilityTopology}; minimum
 * firmware and end of support per model),
 * {@code fleet.policies} (global, changes to the catalogue at run time), {@code fleet.incidents} (global, for the
 * API). Outputs: {@code fleet.violations} (key device id),
 * {@code fleet.incidents} (key incident id). Rule: every device message updates its twin and is evaluated against
 * the policy checks in scope of its asset that listen to its channel; raised/cleared checks become violations
 * (fed back once to sequence rules on the same device), which open, update and resolve one incident per policy and
 * device. A wall-clock punctuator evaluates heartbeat loss. Group checks (a site's distinct auth-failure sources,
 * a credential shared by several devices) are routed per device to {@value #GROUP_SIGNALS}, keyed by group, and
 * evaluated there ({@link GroupEvaluationProcessor}); their violations join the others (site-level ones keyed by
 * site). This class owns the sources and global tables and wires {@link PolicyTopology}, {@link VulnerabilityTopology}
 * and {@link IncidentTopology}, passing each the names of its stores.
 *
 * <p>Stores: see streams/README.md (one table); the constants below are the names passed to each part. Device
 * channels and device violations stay keyed by device id; only group signals, and violations and commands for the
 * incidents, are repartitioned.
 */
public final class FleetTopology {
  public static final String ASSETS_STORE = "assets";
  public static final String POLICIES_STORE = "policies";
  public static final String INCIDENTS_STORE = "incidents";
  public static final String DEVICE_TWINS_STORE = "device-twins";
  /** Device id to the state of each of its checks ({@code policyId|checkId} to the check's state). */
  public static final String DEVICE_CHECK_STATES_STORE = "device-check-states";
  /**
   * {@code deviceId|policyId|checkId} to one check's state: the form of check states before
   * {@link #DEVICE_CHECK_STATES_STORE}, read for devices not moved there yet (each is moved on its next message).
   */
  public static final String CHECK_STATES_STORE = "check-states";
  /** {@code site|policyId|deviceOrSite} to the incident (unresolved, or resolved within the reopen window). */
  public static final String INCIDENTS_BY_DEDUP_STORE = "incidents-by-dedup";
  public static final String SERVICES_STORE = "services";
  public static final String STAKEHOLDERS_STORE = "stakeholders";
  /** Repartition of violations by site, so that one task sees every incident of a site (correlation). */
  public static final String VIOLATIONS_BY_SITE = "violations-by-site";
  /** {@code policyId|checkId|group} to the state of one group of a group check (site window, sharing devices). */
  public static final String GROUP_STATES_STORE = "group-states";
  /** Repartition of the group checks' signals by {@code policyId|checkId|group} (site, or shared value). */
  public static final String GROUP_SIGNALS = "group-signals";
  /** Repartition of responders' commands by the site of their incident. */
  public static final String COMMANDS_BY_SITE = "incident-commands-by-site";
  /** How often the heartbeat-loss punctuator runs (wall clock) unless configured. */
  public static final Duration DEFAULT_HEARTBEAT_SCAN = Duration.ofSeconds(5);

  /**
   * What can be tuned besides the collaborators; start from {@link #defaults()}.
   *
   * @param heartbeatScan how often the wall-clock punctuator looks for silent devices
   * @param incidentRules IoT-SSF matrix, severity factors, escalation, routing, correlation and action templates
   * @param incidentTiming quiet period, reopen window and the incident punctuator's interval
   * @param vulnerabilityScan how often each task looks for new, changed or withdrawn advisories (wall clock)
   */
  public record Options(Duration heartbeatScan, IncidentRules incidentRules, IncidentTiming incidentTiming,
      Duration vulnerabilityScan) {
    public Options {
      Objects.requireNonNull(heartbeatScan, "heartbeatScan");
      Objects.requireNonNull(incidentRules, "incidentRules");
      Objects.requireNonNull(incidentTiming, "incidentTiming");
      Objects.requireNonNull(vulnerabilityScan, "vulnerabilityScan");
    }

    /** Heartbeat scan every 5 s, the built-in incident rules, immediate incident timing, advisory scan every 1 s. */
    public static Options defaults() {
      return new Options(DEFAULT_HEARTBEAT_SCAN, IncidentRules.defaults(), IncidentTiming.IMMEDIATE,
          VulnerabilityTopology.DEFAULT_SCAN_INTERVAL);
    }

    public Options withHeartbeatScan(Duration interval) {
      return new Options(interval, incidentRules, incidentTiming, vulnerabilityScan);
    }

    public Options withIncidents(IncidentRules rules, IncidentTiming timing) {
      return new Options(heartbeatScan, rules, timing, vulnerabilityScan);
    }

    public Options withVulnerabilityScan(Duration interval) {
      return new Options(heartbeatScan, incidentRules, incidentTiming, interval);
    }
  }

  private final Topics topics;
  private final RuntimeCatalogue catalogue;
  private final PolicyTopology policies;
  private final VulnerabilityTopology vulnerabilities;
  private final IncidentTopology incidents;

  /**
   * @param topics the topic catalogue
   * @param catalogue the catalogue in force, updated from {@code fleet.policies}
   * @param clock wall clock, used only for {@code detectedAt} of new incidents and the time of impact assessments
   * @param registry where the domain metrics go (see {@link PipelineMetrics}, {@link IncidentMetrics})
   * @param options scan intervals and incident rules
   */
  public FleetTopology(Topics topics, RuntimeCatalogue catalogue, Clock clock, MeterRegistry registry,
      Options options) {
    this.topics = Objects.requireNonNull(topics, "topics");
    this.catalogue = Objects.requireNonNull(catalogue, "catalogue");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(options, "options");
    IncidentRules incidentRules = options.incidentRules();
    Supplier<Set<String>> policyIds = new KnownPolicyIds(catalogue, Set.copyOf(new HashSet<>(List.of(
        incidentRules.correlation().siteIncident().policyId(),
        incidentRules.correlation().massOffline().policyId()))));
    PipelineMetrics metrics = new PipelineMetrics(registry, policyIds);
    IncidentMetrics incidentMetrics = new IncidentMetrics(registry, policyIds, incidentRules.matrix().categories());
    this.policies = new PolicyTopology(catalogue, metrics, options.heartbeatScan(),
        new PolicyTopology.StoreNames(DEVICE_TWINS_STORE, DEVICE_CHECK_STATES_STORE, CHECK_STATES_STORE,
            GROUP_STATES_STORE, ASSETS_STORE, VulnerabilityTopology.MODELS_STORE), GROUP_SIGNALS);
    this.vulnerabilities = new VulnerabilityTopology(topics, catalogue, options.vulnerabilityScan(), ASSETS_STORE,
        STAKEHOLDERS_STORE, registry);
    this.incidents = new IncidentTopology(topics, incidentRules, options.incidentTiming(), clock, metrics,
        incidentMetrics, new IncidentTopology.StoreNames(INCIDENTS_BY_DEDUP_STORE, ASSETS_STORE, SERVICES_STORE,
            STAKEHOLDERS_STORE, INCIDENTS_STORE, VIOLATIONS_BY_SITE, COMMANDS_BY_SITE));
  }

  /** The shipped policies from files, with the default options. */
  public static FleetTopology withDefaults(Topics topics, PolicyCatalogue catalogue, Clock clock,
      MeterRegistry registry) {
    return new FleetTopology(topics, new RuntimeCatalogue(catalogue.policies()), clock, registry, Options.defaults());
  }

  /** The catalogue in force, for the API. */
  public RuntimeCatalogue catalogue() {
    return catalogue;
  }

  public Topology build() {
    StreamsBuilder builder = new StreamsBuilder();
    GlobalTables.registry(builder, topics.assets(), ASSETS_STORE, "assets-source");
    Topic<String, Policy> policiesTopic = topics.policies();
    builder.addGlobalStore(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(POLICIES_STORE), policiesTopic.keySerde(),
            policiesTopic.valueSerde()).withLoggingDisabled(),
        policiesTopic.name(),
        Consumed.with(policiesTopic.keySerde(), policiesTopic.valueSerde()).withName("policies-source"),
        () -> new PolicyUpdateProcessor(catalogue, POLICIES_STORE));
    GlobalTables.table(builder, topics.services(), SERVICES_STORE, "services-source");
    GlobalTables.table(builder, topics.stakeholders(), STAKEHOLDERS_STORE, "stakeholders-source");
    GlobalKTable<String, Incident> incidentsTable =
        GlobalTables.table(builder, topics.incidents(), INCIDENTS_STORE, "incidents-source");

    // One source per device channel, merged into one stream of messages for the policies.
    Map<DeviceChannel, KStream<String, ? extends SpecificRecord>> records = new EnumMap<>(DeviceChannel.class);
    KStream<String, DeviceMessage> messages = null;
    for (DeviceChannel channel : DeviceChannel.values()) {
      KStream<String, ? extends SpecificRecord> source = source(builder, topics.channel(channel),
          channel.topicSuffix() + "-source");
      records.put(channel, source);
      KStream<String, DeviceMessage> asMessages = source.mapValues(value -> DeviceMessage.of(channel, value),
          Named.as(channel.topicSuffix() + "-as-message"));
      messages = messages == null ? asMessages
          : messages.merge(asMessages, Named.as("merge-" + channel.topicSuffix()));
    }
    @SuppressWarnings("unchecked") // the STATE source reads topics.channel(STATE), whose values are DeviceState
    KStream<String, DeviceState> stateRecords = (KStream<String, DeviceState>) records.get(DeviceChannel.STATE);
    KStream<String, Violation> vulnerabilityViolations = vulnerabilities.addTo(builder, stateRecords);

    KStream<String, Violation> violations = policies.addTo(messages)
        .merge(vulnerabilityViolations, Named.as("merge-vulnerability-violations"));
    Topic<String, Violation> violationsTopic = topics.violations();
    violations.to(violationsTopic.name(),
        Produced.with(violationsTopic.keySerde(), violationsTopic.valueSerde()).withName("violations-sink"));
    incidents.addTo(builder, violations, incidentsTable);
    return builder.build();
  }

  private static <V extends SpecificRecord> KStream<String, V> source(StreamsBuilder builder, Topic<String, V> topic,
      String name) {
    return builder.stream(topic.name(), Consumed.with(topic.keySerde(), topic.valueSerde()).withName(name));
  }

  /**
   * The policy ids allowed as meter tags: every id the catalogue has ever had plus the correlation policies. Asked on
   * every evaluation, so the union is rebuilt only when the catalogue's set is replaced (a policy published at run
   * time), never per call.
   */
  private static final class KnownPolicyIds implements Supplier<Set<String>> {
    private final RuntimeCatalogue catalogue;
    private final Set<String> extra;
    private volatile Snapshot snapshot = new Snapshot(null, Set.of());

    private record Snapshot(Set<String> source, Set<String> ids) {}

    KnownPolicyIds(RuntimeCatalogue catalogue, Set<String> extra) {
      this.catalogue = catalogue;
      this.extra = extra;
    }

    @Override
    public Set<String> get() {
      Set<String> source = catalogue.knownIds();
      Snapshot current = snapshot;
      if (current.source() != source) {
        Set<String> ids = new HashSet<>(source);
        ids.addAll(extra);
        current = new Snapshot(source, Set.copyOf(ids));
        snapshot = current;
      }
      return current.ids();
    }
  }
}
