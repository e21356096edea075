package io.fleetwatch.schemas;

import io.fleetwatch.avro.Advisory;
import io.fleetwatch.avro.Asset;
import io.fleetwatch.avro.BusinessService;
import io.fleetwatch.avro.DeadLetter;
import io.fleetwatch.avro.DeviceEvent;
import io.fleetwatch.avro.DeviceModel;
import io.fleetwatch.avro.DeviceState;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentCommand;
import io.fleetwatch.avro.IncidentCommandRejection;
import io.fleetwatch.avro.KnownExploited;
import io.fleetwatch.avro.Policy;
import io.fleetwatch.avro.Sbom;
import io.fleetwatch.avro.Stakeholder;
import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.avro.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The topic catalogue of fleetwatch, built from a configurable prefix ({@code fleet.} by default). Keys are
 * device ids unless a topic says otherwise.
 */
public final class Topics {
  public static final String DEFAULT_PREFIX = "fleet.";
  private static final Pattern LEGAL_PREFIX = Pattern.compile("[A-Za-z0-9._-]{0,200}");

  private final String prefix;
  private final Topic<String, ? extends SpecificRecord>[] channels;
  private final Topic<String, Telemetry> telemetry;
  private final Topic<String, DeviceEvent> events;
  private final Topic<String, DeviceState> state;
  private final Topic<String, DeadLetter> deadLetter;
  private final Topic<String, Asset> assets;
  private final Topic<String, Violation> violations;
  private final Topic<String, Incident> incidents;
  private final Topic<String, Policy> policies;
  private final Topic<String, BusinessService> services;
  private final Topic<String, Stakeholder> stakeholders;
  private final Topic<String, IncidentCommand> incidentCommands;
  private final Topic<String, IncidentCommandRejection> incidentCommandsRejected;
  private final Topic<String, Advisory> advisories;
  private final Topic<String, KnownExploited> knownExploited;
  private final Topic<String, DeviceModel> models;
  private final Topic<String, Sbom> sboms;
  private final Topic<String, byte[]> sparkplugAliases;

  public Topics(String prefix) {
    if (prefix == null || !LEGAL_PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException(
          "topic prefix must match [A-Za-z0-9._-]{0,200}, got '" + prefix + "'");
    }
    this.prefix = prefix;
    Serde<String> key = Serdes.String();
    DeviceChannel[] deviceChannels = DeviceChannel.values();
    @SuppressWarnings("unchecked")
    Topic<String, ? extends SpecificRecord>[] byChannel = new Topic[deviceChannels.length];
    for (DeviceChannel channel : deviceChannels) {
      byChannel[channel.ordinal()] = channelTopic(prefix + channel.topicSuffix(), key, channel.valueType());
    }
    this.channels = byChannel;
    this.telemetry = typed(DeviceChannel.TELEMETRY, Telemetry.class);
    this.events = typed(DeviceChannel.EVENT, DeviceEvent.class);
    this.state = typed(DeviceChannel.STATE, DeviceState.class);
    this.deadLetter = new Topic<>(prefix + "deadletter", key, AvroSerde.of(DeadLetter.class), false);
    this.assets = new Topic<>(prefix + "assets", key, AvroSerde.of(Asset.class), true);
    this.violations = new Topic<>(prefix + "violations", key, AvroSerde.of(Violation.class), false);
    this.incidents = new Topic<>(prefix + "incidents", key, AvroSerde.of(Incident.class), true);
    this.policies = new Topic<>(prefix + "policies", key, AvroSerde.of(Policy.class), true);
    this.services = new Topic<>(prefix + "services", key, AvroSerde.of(BusinessService.class), true);
    this.stakeholders = new Topic<>(prefix + "stakeholders", key, AvroSerde.of(Stakeholder.class), true);
    this.incidentCommands = new Topic<>(prefix + "incident-commands", key, AvroSerde.of(IncidentCommand.class),
        false);
    this.incidentCommandsRejected = new Topic<>(prefix + "incident-commands.rejected", key,
        AvroSerde.of(IncidentCommandRejection.class), false);
    this.advisories = new Topic<>(prefix + "advisories", key, AvroSerde.of(Advisory.class), true);
    this.knownExploited = new Topic<>(prefix + "known-exploited", key, AvroSerde.of(KnownExploited.class), true);
    this.models = new Topic<>(prefix + "models", key, AvroSerde.of(DeviceModel.class), true);
    this.sboms = new Topic<>(prefix + "sboms", key, AvroSerde.of(Sbom.class), true);
    this.sparkplugAliases = new Topic<>(prefix + "sparkplug-aliases", key, Serdes.ByteArray(), true);
  }

  public static Topics withDefaultPrefix() {
    return new Topics(DEFAULT_PREFIX);
  }

  public String prefix() {
    return prefix;
  }

  /** The topic of a device channel's records: {@code <prefix>} + {@link DeviceChannel#topicSuffix()}, key device id. */
  public Topic<String, ? extends SpecificRecord> channel(DeviceChannel channel) {
    return channels[channel.ordinal()];
  }

  /** The topics of every device channel, in {@link DeviceChannel} order. */
  public List<Topic<String, ? extends SpecificRecord>> channels() {
    return List.of(channels);
  }

  private static <V extends SpecificRecord> Topic<String, V> channelTopic(String name, Serde<String> key,
      Class<V> type) {
    return new Topic<>(name, key, AvroSerde.of(type), false);
  }

  /** The topic of {@code channel} with its value type, checked against the descriptor. */
  @SuppressWarnings("unchecked")
  private <V extends SpecificRecord> Topic<String, V> typed(DeviceChannel channel, Class<V> type) {
    if (channel.valueType() != type) {
      throw new IllegalStateException(
          channel + " carries " + channel.valueType().getName() + ", not " + type.getName());
    }
    return (Topic<String, V>) channels[channel.ordinal()];
  }

  /** Measurements ({@link DeviceChannel#TELEMETRY}), key device id. */
  public Topic<String, Telemetry> telemetry() {
    return telemetry;
  }

  /** Device events ({@link DeviceChannel#EVENT}), key device id. */
  public Topic<String, DeviceEvent> events() {
    return events;
  }

  /** Reported state and inventory ({@link DeviceChannel#STATE}), key device id. */
  public Topic<String, DeviceState> state() {
    return state;
  }

  /** Rejected input with its reason, key MQTT topic or source topic. */
  public Topic<String, DeadLetter> deadLetter() {
    return deadLetter;
  }

  /** Asset registry, compacted, key device id. */
  public Topic<String, Asset> assets() {
    return assets;
  }

  /** Raised and cleared policy checks, key device id. */
  public Topic<String, Violation> violations() {
    return violations;
  }

  /** Current state of each incident, compacted, key incident id. */
  public Topic<String, Incident> incidents() {
    return incidents;
  }

  /** Policy definitions published at run time, compacted, key policy id. */
  public Topic<String, Policy> policies() {
    return policies;
  }

  /** Business services with RTO/RPO and cost rate, compacted, key service id. */
  public Topic<String, BusinessService> services() {
    return services;
  }

  /** Supply-chain stakeholders and their contact points, compacted, key stakeholder id. */
  public Topic<String, Stakeholder> stakeholders() {
    return stakeholders;
  }

  /** Security advisories (parsed CSAF), compacted, key advisory id. */
  public Topic<String, Advisory> advisories() {
    return advisories;
  }

  /** Vulnerabilities known to be exploited (KEV-style list), compacted, key CVE id. */
  public Topic<String, KnownExploited> knownExploited() {
    return knownExploited;
  }

  /** Model catalogue of the registry (minimum firmware, support end, SBOMs, stakeholders), compacted, key model. */
  public Topic<String, DeviceModel> models() {
    return models;
  }

  /** SBOMs per model and firmware, compacted, key model@firmware. */
  public Topic<String, Sbom> sboms() {
    return sboms;
  }

  /** Responders' commands on incidents (acknowledge, assign, resolve, verify), key incident id. */
  public Topic<String, IncidentCommand> incidentCommands() {
    return incidentCommands;
  }

  /** Commands that were not applied, with the reason, key incident id. */
  public Topic<String, IncidentCommandRejection> incidentCommandsRejected() {
    return incidentCommandsRejected;
  }

  /**
   * Sparkplug B metric tables of the gateways, compacted, key {@code group/edge node} or {@code group/edge node/device}:
   * the latest birth payload (Sparkplug B protobuf, as received) of each edge node and device, so gateways of one share
   * group and a restarted gateway resolve aliases without a rebirth.
   */
  public Topic<String, byte[]> sparkplugAliases() {
    return sparkplugAliases;
  }

  /** Every topic of the catalogue, for creation at start-up. */
  public List<Topic<String, ?>> all() {
    List<Topic<String, ?>> all = new ArrayList<>(List.of(channels));
    all.addAll(List.of(deadLetter, assets, violations, incidents, policies, services,
        stakeholders, advisories, knownExploited, models, sboms,
        incidentCommands, incidentCommandsRejected, sparkplugAliases));
    return List.copyOf(all);
  }
}
