package io.fleetwatch.streams.topology;

import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentCommand;
import io.fleetwatch.avro.IncidentCommandRejection;
import io.fleetwatch.avro.Violation;
import io.fleetwatch.schemas.AvroSerde;
import io.fleetwatch.schemas.Topic;
import io.fleetwatch.schemas.Topics;
import io.fleetwatch.streams.incident.IncidentAssessor;
import io.fleetwatch.streams.incident.IncidentLifecycle;
import io.fleetwatch.streams.incident.IncidentRules;
import io.fleetwatch.streams.incident.IncidentTiming;
import java.time.Clock;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Input: violations (any key), {@code fleet.incident-commands} (key incident id) and the global {@code incidents},
 * {@code assets}, {@code services} and {@code stakeholders} stores of the caller. Output: {@code fleet.incidents}
 * (key incident id) and {@code fleet.incident-commands.rejected}. Rule: violations and commands are repartitioned
 * by site (a command's site comes from its incident in the global table) so one task holds every incident of a site
 * and correlates them; {@link IncidentProcessor} keeps the lifecycle.
 */
public final class IncidentTopology {
  /**
   * Names of the store this topology creates ({@code incidentsByDedup}), of the global stores it reads and of its
   * repartition topics.
   */
  public record StoreNames(String incidentsByDedup, String assets, String services, String stakeholders,
      String incidents, String violationsBySite, String commandsBySite) {
  }

  private final Topics topics;
  private final IncidentRules rules;
  private final IncidentTiming timing;
  private final Clock clock;
  private final PipelineMetrics metrics;
  private final IncidentMetrics incidentMetrics;
  private final StoreNames stores;

  /**
   * @param topics the topic catalogue
   * @param rules IoT-SSF matrix, severity factors, escalation, routing, correlation and action templates
   * @param timing quiet period, reopen window and the punctuator's interval
   * @param clock wall clock, used only for {@code detectedAt} and the time of impact assessments
   * @param metrics domain metrics of the pipeline
   * @param incidentMetrics incident gauges and timers
   * @param stores the store and repartition names
   */
  public IncidentTopology(Topics topics, IncidentRules rules, IncidentTiming timing, Clock clock,
      PipelineMetrics metrics, IncidentMetrics incidentMetrics, StoreNames stores) {
    this.topics = Objects.requireNonNull(topics, "topics");
    this.rules = Objects.requireNonNull(rules, "rules");
    this.timing = Objects.requireNonNull(timing, "timing");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.incidentMetrics = Objects.requireNonNull(incidentMetrics, "incidentMetrics");
    this.stores = Objects.requireNonNull(stores, "stores");
  }

  /** Adds incident tracking behind {@code violations}; commands come from {@code fleet.incident-commands}. */
  public void addTo(StreamsBuilder builder, KStream<String, Violation> violations,
      GlobalKTable<String, Incident> incidentsTable) {
    Topic<String, Violation> violationsTopic = topics.violations();
    KStream<String, IncidentInput> violationsBySite = violations
        .selectKey((device, v) -> v.getSite(), Named.as("key-violations-by-site"))
        .repartition(Repartitioned.<String, Violation>as(stores.violationsBySite())
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
        .repartition(Repartitioned.<String, IncidentCommand>as(stores.commandsBySite())
            .withKeySerde(commandsTopic.keySerde()).withValueSerde(commandsTopic.valueSerde()))
        .mapValues(IncidentInput::of, Named.as("command-as-incident-input"));
    Topic<String, Incident> incidentsTopic = topics.incidents();
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
  }

  private ProcessorSupplier<String, IncidentInput, String, IncidentOutput> incidentSupplier() {
    StoreBuilder<KeyValueStore<String, Incident>> open = Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(stores.incidentsByDedup()), Serdes.String(), AvroSerde.of(Incident.class));
    return new ProcessorSupplier<>() {
      @Override
      public IncidentProcessor get() {
        return new IncidentProcessor(new IncidentLifecycle(timing), new IncidentAssessor(rules), clock, metrics,
            incidentMetrics, stores);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(open);
      }
    };
  }
}
