package io.fleetwatch.streams.topology;

import io.fleetwatch.avro.GroupSignal;
import io.fleetwatch.avro.Violation;

/**
 * What the policy evaluation emits: a device's violation (key device id) or a contribution to a group check (key
 * {@code policyId|checkId|group}, repartitioned to {@link GroupEvaluationProcessor}).
 */
record PolicyOutput(Violation violation, GroupSignal groupSignal) {
  static PolicyOutput of(Violation violation) {
    return new PolicyOutput(violation, null);
  }

  static PolicyOutput of(GroupSignal signal) {
    return new PolicyOutput(null, signal);
  }

  /** Key of a group signal: every signal of one group lands in one partition, in order per device. */
  static String groupKey(GroupSignal signal) {
    return signal.getPolicyId() + "|" + signal.getCheckId() + "|" + signal.getGroup();
  }
}
