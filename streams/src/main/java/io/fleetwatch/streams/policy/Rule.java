package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.CheckState;
import java.util.Set;

/**
 * The condition of one policy check, parsed from the {@code rule:} block of a policy file. Every rule kind is
 * a record with its own {@code type:} name in the YAML and a static {@code read(YamlMap)} beside it that reads its
 * fields; the record's constructor checks them ({@link Require}), for files and code alike. Add a kind by adding the
 * record to {@code permits} and a line to {@link RuleKinds}.
 *
 * <p>Evaluation is a pure function of the previous state and the observation. It uses the observation's
 * event time (and, for clock skew, the gateway receive time it carries), never the wall clock, so replays and
 * tests give the same results. The one wall-clock rule, {@link Absence}, is driven by a punctuator that passes
 * the time in. Rules over several devices (a site, devices sharing a value) are {@link GroupRule}s, evaluated in
 * two halves on either side of a repartition.
 */
public sealed interface Rule permits MetricRule, RedundantSensors, WindowedCount, Absence,
    StatePredicate, VersionBelow, SupportEnded, ChangeDetection, ClockSkew, Sequence, CommandResponse, RateBaseline,
    GroupRule, VulnerableComponent {

  /** The {@code type:} name of this rule kind in policy files. */
  String type();

  /** Metrics this rule reads (telemetry rules); empty for the others. */
  default Set<String> metrics() {
    return Set.of();
  }

  /** Channels whose observations this rule evaluates; the topology offers it nothing else. */
  Set<Channel> channels();

  /**
   * Evaluates one observation.
   *
   * @param previous the state left by the previous evaluation of this check on this device, or {@code null}
   * @param observation the new observation
   * @return the new state and the outcome
   */
  Evaluation evaluate(CheckState previous, Observation observation);
}
