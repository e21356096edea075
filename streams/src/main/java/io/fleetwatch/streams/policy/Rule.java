package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.CheckState;
import java.util.Set;

/**
 * The condition of one policy check, parsed from the {@code rule:} block of a policy file. Every rule kind is
 * a record with its own {@code type:} name in the YAML; add a kind by adding a record to {@code permits} and
 * a branch to {@link PolicyLoader}.
 *
 * <p>Evaluation is a pure function of the previous state and the observation. It uses the observation's
 * event time only (never the wall clock), so replays and tests give the same results.
 */
public sealed interface Rule permits Envelope {

  /** The {@code type:} name of this rule kind in policy files. */
  String type();

  /** Metrics this rule reads; an observation carrying none of them is not applicable. */
  Set<String> metrics();

  /**
   * Evaluates one observation.
   *
   * @param previous the state left by the previous evaluation of this check on this device, or {@code null}
   * @param observation the new observation
   * @return the new state and the outcome
   */
  Evaluation evaluate(CheckState previous, Observation observation);
}
