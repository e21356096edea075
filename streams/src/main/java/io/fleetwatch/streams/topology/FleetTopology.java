package io.fleetwatch.streams.topology;

import io.fleetwatch.avro.Asset;
import io.fleetwatch.avro.BusinessService;
import io.fleetwatch.avro.CheckState;
import io.fleetwatch.avro.DeviceTwin;
import io.fleetwatch.avro.GroupSignal;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentCommand;
import io.fleetwatch.avro.IncidentCommandRejection;
import io.fleetwatch.avro.DeviceEvent;
import io.fleetwatch.avro.DeviceState;
import io.fleetwatch.avro.Policy;
import io.fleetwatch.avro.Stakeholder;
import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.avro.Violation;
import io.fleetwatch.schemas.AvroSerde;
import io.fleetwatch.schemas.Topic;
import io.fleetwatch.schemas.Topics;
import io.fleetwatch.streams.incident.IncidentAssessor;
import io.fleetwatch.streams.incident.IncidentLifecycle;
import io.fleetwatch.streams.incident.IncidentRules;
import io.fleetwatch.streams.incident.IncidentTiming;
import io.fleetwatch.streams.policy.PolicyCatalogue;
import io.fleetwatch.streams.policy.RuntimeCatalogue;
import io.fleetwatch.streams.vulnerability.VulnerabilityTopology;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Inputs: {@code fleet.telemetry}, {@code fleet.events}, {@code fleet.state} (all keyed by device id and
 * co-partitioned), {@code fleet.assets} (global; with approved changes and maintenance windows), {@code fleet.models}
 * (global, added by {@link VulnerabilityTopology}; minimum firmware and end of support per model),
 * {@code fleet.policies} (global, changes to the catalogue at run time), {@code fleet.incidents} (global, for the
 * API). Outputs: {@code fleet.violations} (key device id),
 * {@code fleet.incidents} (key incident id). Rule: every device message updates its twin and is evaluated against
 * the policy checks in scope of its asset that listen to its channel; raised/cleared checks become violations
 * (fed back once to sequence rules on the same device), which open, update and resolve one incident per policy and
 * device. A wall-clock punctuator evaluates heartbeat loss. Group checks (a site's distinct auth-failure sources,
 * a credential shared by several devices) are routed per device to {@value #GROUP_SIGNALS}, keyed by group, and
 * evaluated there ({@link GroupEvaluationProcessor}); their violations join the others (site-level ones keyed by
 * site).
 *
 * <p>Stores: {@value #ASSETS_STORE}, {@value #POLICIES_STORE} and {@value #INCIDENTS_STORE} (global),
 * {@value #DEVICE_TWINS_STORE} (device id to {@link DeviceTwin}), {@value #CHECK_STATES_STORE}
 * ({@code deviceId|policyId|checkId} to {@link CheckState}), {@value #INCIDENTS_BY_DEDUP_STORE}
 * ({@code policyId|deviceId} to the open {@link Incident}), {@value #GROUP_STATES_STORE}
 * ({@code policyId|checkId|group} to the group's {@link CheckState}). Device channels and device violations stay
 * keyed by device id; only group signals, and violations and commands for the incidents, are repartitioned.
 */
public final class FleetTopology {
  public static final String ASSETS_STORE = "assets";
  public static final String POLICIES_STORE = "policies";
  public static final String INCIDENTS_STORE = "incidents";
  public static final String DEVICE_TWINS_STORE = "device-twins";
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

  private final Topics topics;
  private final RuntimeCatalogue catalogue;
  private final Clock clock;
  private final PipelineMetrics metrics;
  private final Duration heartbeatScan;
  private Duration vulnerabilityScan = VulnerabilityTopology.DEFAULT_SCAN_INTERVAL;
  private final IncidentRules incidentRules;
  private final IncidentTiming incidentTiming;
  private final IncidentMetrics incidentMetrics;
  private final MeterRegistry registry;

  /**
   * @param topics the topic catalogue
   * @param catalogue the policies loaded from files; changes arrive on {@code fleet.policies}
   * @param clock wall clock, used only for {@code detectedAt} of new incidents
   * @param registry where the domain metrics go (see {@link PipelineMetrics})
   */
  public FleetTopology(Topics topics, PolicyCatalogue catalogue, Clock clock, MeterRegistry registry) {
    this(topics, new RuntimeCatalogue(catalogue.policies()), clock, registry, DEFAULT_HEARTBEAT_SCAN);
  }

  /**
   * @param topics the topic catalogue
   * @param catalogue the catalogue in force, updated from {@code fleet.policies}
   * @param clock wall clock, used only for {@code detectedAt} of new incidents
   * @param registry where the domain metrics go (see {@link PipelineMetrics})
   * @param heartbeatScan how often the wall-clock punctuator looks for silent devices
   */
  public FleetTopology(Topics topics, RuntimeCatalogue catalogue, Clock clock, MeterRegistry registry,
      Duration heartbeatScan) {
    this(topics, catalogue, clock, registry, heartbeatScan, IncidentRules.defaults(), IncidentTiming.IMMEDIATE);
  }

  /**
   * @param topics the topic catalogue
   * @param catalogue the catalogue in force, updated from {@code fleet.policies}
   * @param clock wall clock, used only for {@code detectedAt} of new incidents and the time of impact assessments
   * @param registry where the domain metrics go (see {@link PipelineMetrics}, {@link IncidentMetrics})
   * @param heartbeatScan how often the wall-clock punctuator looks for silent devices
   * @param incidentRules IoT-SSF matrix, severity factors, escalation, routing, correlation and action templates
   * @param incidentTiming quiet period, reopen window and the incident punctuator's interval
   */
  public FleetTopology(Topics topics, RuntimeCatalogue catalogue, Clock clock, MeterRegistry registry,
      Duration heartbeatScan, IncidentRules incidentRules, IncidentTiming incidentTiming) {
    this.incidentRules = Objects.requireNonNull(incidentRules, "incidentRules");
    this.incidentTiming = Objects.requireNonNull(incidentTiming, "incidentTiming");
    this.topics = Objects.requireNonNull(topics, "topics");
    this.catalogue = Objects.requireNonNull(catalogue, "catalogue");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.heartbeatScan = Objects.requireNonNull(heartbeatScan, "heartbeatScan");
    if (heartbeatScan.isNegative() || heartbeatScan.isZero()) {
      throw new IllegalArgumentException("heartbeatScan must be positive, got " + heartbeatScan);
    }
    Supplier<Set<String>> policyIds = () -> {
      Set<String> ids = new HashSet<>(catalogue.knownIds());
      ids.add(incidentRules.correlation().siteIncident().policyId());
      ids.add(incidentRules.correlation().massOffline().policyId());
      return ids;
    };
    this.metrics = new PipelineMetrics(Objects.requireNonNull(registry, "registry"), policyIds);
    this.incidentMetrics = new IncidentMetrics(registry, policyIds, incidentRules.matrix().categories());
    this.registry = registry;
  }

  /**
   * How often each task looks for new, changed or withdrawn advisories (wall clock; see
   * {@link VulnerabilityTopology}). Call before {@link #build()}.
   */
  public FleetTopology withVulnerabilityScan(Duration interval) {
    this.vulnerabilityScan = Objects.requireNonNull(interval, "interval");
    return this;
  }

  /** The catalogue in force, for the API. */
  public RuntimeCatalogue catalogue() {
    return catalogue;
  }

  public Topology build() {
    StreamsBuilder builder = new StreamsBuilder();
    Topic<String, Asset> assetsTopic = topics.assets();
    builder.globalTable(assetsTopic.name(),
        Consumed.with(assetsTopic.keySerde(), assetsTopic.valueSerde()).withName("assets-source"),
        Materialized.<String, Asset, KeyValueStore<Bytes, byte[]>>as(ASSETS_STORE)
            .withKeySerde(assetsTopic.keySerde())
            .withValueSerde(assetsTopic.valueSerde()));

    Topic<String, Policy> policiesTopic = topics.policies();
    builder.addGlobalStore(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(POLICIES_STORE), policiesTopic.keySerde(),
            policiesTopic.valueSerde()).withLoggingDisabled(),
        policiesTopic.name(),
        Consumed.with(policiesTopic.keySerde(), policiesTopic.valueSerde()).withName("policies-source"),
        () -> new PolicyUpdateProcessor(catalogue));

    Topic<String, BusinessService> servicesTopic = topics.services();
    builder.globalTable(servicesTopic.name(),
        Consumed.with(servicesTopic.keySerde(), servicesTopic.valueSerde()).withName("services-source"),
        Materialized.<String, BusinessService, KeyValueStore<Bytes, byte[]>>as(SERVICES_STORE)
            .withKeySerde(servicesTopic.keySerde())
            .withValueSerde(servicesTopic.valueSerde()));
    Topic<String, Stakeholder> stakeholdersTopic = topics.stakeholders();
    builder.globalTable(stakeholdersTopic.name(),
        Consumed.with(stakeholdersTopic.keySerde(), stakeholdersTopic.valueSerde()).withName("stakeholders-source"),
        Materialized.<String, Stakeholder, KeyValueStore<Bytes, byte[]>>as(STAKEHOLDERS_STORE)
            .withKeySerde(stakeholdersTopic.keySerde())
            .withValueSerde(stakeholdersTopic.valueSerde()));

    Topic<String, Incident> incidentsTopic = topics.incidents();
    GlobalKTable<String, Incident> incidentsTable = builder.globalTable(incidentsTopic.name(),
        Consumed.with(incidentsTopic.keySerde(), incidentsTopic.valueSerde()).withName("incidents-source"),
        Materialized.<String, Incident, KeyValueStore<Bytes, byte[]>>as(INCIDENTS_STORE)
            .withKeySerde(incidentsTopic.keySerde())
            .withValueSerde(incidentsTopic.valueSerde()));

    Topic<String, Telemetry> telemetryTopic = topics.telemetry();
    KStream<String, DeviceMessage> telemetry = builder.stream(telemetryTopic.name(),
            Consumed.with(telemetryTopic.keySerde(), telemetryTopic.valueSerde()).withName("telemetry-source"))
        .mapValues(DeviceMessage::of, Named.as("telemetry-as-message"));
    Topic<String, DeviceEvent> eventsTopic = topics.events();
    KStream<String, DeviceMessage> events = builder.stream(eventsTopic.name(),
            Consumed.with(eventsTopic.keySerde(), eventsTopic.valueSerde()).withName("events-source"))
        .mapValues(DeviceMessage::of, Named.as("events-as-message"));
    Topic<String, DeviceState> stateTopic = topics.state();
    KStream<String, DeviceState> stateRecords = builder.stream(stateTopic.name(),
        Consumed.with(stateTopic.keySerde(), stateTopic.valueSerde()).withName("state-source"));
    KStream<String, DeviceMessage> states = stateRecords
        .mapValues(DeviceMessage::of, Named.as("state-as-message"));
    KStream<String, Violation> vulnerabilityViolations =
        new VulnerabilityTopology(topics, catalogue, vulnerabilityScan, registry).addTo(builder, stateRecords);

    Topic<String, Violation> violationsTopic = topics.violations();
    KStream<String, PolicyOutput> evaluated = telemetry
        .merge(events, Named.as("merge-events"))
        .merge(states, Named.as("merge-states"))
        .process(evaluationSupplier(), Named.as("evaluate-policies"));
    // Group checks (site-level counts, values shared by devices): each group's signals meet in one task.
    KStream<String, Violation> groupViolations = evaluated
        .filter((key, out) -> out.groupSignal() != null, Named.as("group-signals"))
        .mapValues(PolicyOutput::groupSignal, Named.as("group-signal-values"))
        .repartition(Repartitioned.<String, GroupSignal>as(GROUP_SIGNALS)
            .withKeySerde(Serdes.String()).withValueSerde(AvroSerde.of(GroupSignal.class)))
        .process(groupSupplier(), Named.as("evaluate-group-checks"));
    KStream<String, Violation> violations = evaluated
        .filter((key, out) -> out.violation() != null, Named.as("device-violations"))
        .mapValues(PolicyOutput::violation, Named.as("device-violation-values"))
        .merge(vulnerabilityViolations, Named.as("merge-vulnerability-violations"))
        .merge(groupViolations, Named.as("merge-group-violations"));
    violations.to(violationsTopic.name(),
        Produced.with(violationsTopic.keySerde(), violationsTopic.valueSerde()).withName("violations-sink"));

    // Incidents are tracked per site (correlation needs every incident of a site in one task): violations and
    // commands are repartitioned by site; a command's site comes from the incident in the global table.
    KStream<String, IncidentInput> violationsBySite = violations
        .selectKey((device, v) -> v.getSite(), Named.as("key-violations-by-site"))
        .repartition(Repartitioned.<String, Violation>as(VIOLATIONS_BY_SITE)
            .withKeySerde(violationsTopic.keySerde()).withValueSerde(violationsTopic.valueSerde()))
        .mapValues(IncidentInput::of, Named.as("violation-as-incident-input"));
    Topic<String, IncidentCommand> commandsTopic = topics.incidentCommands();
    KStream<String, IncidentInput> commandsBySite = builder.stream(commandsTopic.name(),
            Consumed.with(commandsTopic.keySerde(), commandsTopic.valueSerde()).withName("incident-commands-source"))
        .filter((id, command) -> command != null, Named.as("incident-commands-with-value"))
        .leftJoin(incidentsTable, (id, command) -> command.getIncidentId(),
            (command, incident) -> KeyValue.pair(incident == null ? command.getIncidentId() : incident.getSite(),
                command), Named.as("incident-commands-find-site"))
        .map((id, routed) -> routed, Named.as("key-incident-commands-by-site"))
        .repartition(Repartitioned.<String, IncidentCommand>as(COMMANDS_BY_SITE)
            .withKeySerde(commandsTopic.keySerde()).withValueSerde(commandsTopic.valueSerde()))
        .mapValues(IncidentInput::of, Named.as("command-as-incident-input"));
    Topic<String, IncidentCommandRejection> rejectedTopic = topics.incidentCommandsRejected();
    violationsBySite
        .merge(commandsBySite, Named.as("merge-incident-commands"))
        .process(incidentSupplier(), Named.as("track-incidents"))
        .split(Named.as("incident-output-"))
        .branch((id, out) -> out.incident() != null, Branched.withConsumer(incidents -> incidents
            .mapValues(IncidentOutput::incident, Named.as("incident-output-incident"))
            .to(incidentsTopic.name(), Produced.with(incidentsTopic.keySerde(), incidentsTopic.valueSerde())
                .withName("incidents-sink")), "incidents"))
        .branch((id, out) -> out.rejection() != null, Branched.withConsumer(rejections -> rejections
            .mapValues(IncidentOutput::rejection, Named.as("incident-output-rejection"))
            .to(rejectedTopic.name(), Produced.with(rejectedTopic.keySerde(), rejectedTopic.valueSerde())
                .withName("incident-commands-rejected-sink")), "rejections"));
    return builder.build();
  }

  private ProcessorSupplier<String, DeviceMessage, String, PolicyOutput> evaluationSupplier() {
    StoreBuilder<KeyValueStore<String, DeviceTwin>> twins = Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(DEVICE_TWINS_STORE), Serdes.String(), AvroSerde.of(DeviceTwin.class));
    StoreBuilder<KeyValueStore<String, CheckState>> states = Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(CHECK_STATES_STORE), Serdes.String(), AvroSerde.of(CheckState.class));
    return new ProcessorSupplier<>() {
      @Override
      public PolicyEvaluationProcessor get() {
        return new PolicyEvaluationProcessor(catalogue, metrics, heartbeatScan);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(twins, states);
      }
    };
  }

  private ProcessorSupplier<String, GroupSignal, String, Violation> groupSupplier() {
    StoreBuilder<KeyValueStore<String, CheckState>> groups = Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(GROUP_STATES_STORE), Serdes.String(), AvroSerde.of(CheckState.class));
    return new ProcessorSupplier<>() {
      @Override
      public GroupEvaluationProcessor get() {
        return new GroupEvaluationProcessor(catalogue, metrics);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(groups);
      }
    };
  }

  private ProcessorSupplier<String, IncidentInput, String, IncidentOutput> incidentSupplier() {
    StoreBuilder<KeyValueStore<String, Incident>> open = Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(INCIDENTS_BY_DEDUP_STORE), Serdes.String(), AvroSerde.of(Incident.class));
    return new ProcessorSupplier<>() {
      @Override
      public IncidentProcessor get() {
        return new IncidentProcessor(new IncidentLifecycle(incidentTiming), new IncidentAssessor(incidentRules), clock,
            metrics, incidentMetrics);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(open);
      }
    };
  }
}
