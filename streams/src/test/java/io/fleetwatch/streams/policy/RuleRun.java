package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.CheckState;
import java.util.ArrayList;
import java.util.List;

/**
 * Feeds observations to one rule as the policy processor does: each evaluation starts from the state the previous
 * one left.
 */
final class RuleRun {
  private final Rule rule;
  private CheckState state;
  private final List<Evaluation> evaluations = new ArrayList<>();

  RuleRun(Rule rule) {
    this.rule = rule;
  }

  /** Evaluates {@code observation} against the carried state and keeps the new state. */
  Outcome feed(Observation observation) {
    Evaluation e = rule.evaluate(state, observation);
    state = e.state();
    evaluations.add(e);
    return e.outcome();
  }

  Evaluation last() {
    return evaluations.get(evaluations.size() - 1);
  }

  CheckState state() {
    return state;
  }

  boolean active() {
    return state != null && state.getActive();
  }
}
