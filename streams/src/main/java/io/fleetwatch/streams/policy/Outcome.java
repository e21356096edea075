package io.fleetwatch.streams.policy;

/**
 * What one evaluation of a check means for its lifecycle, in the shape of ThingsBoard's alarm results
 * (FALSE / NOT_YET_TRUE / TRUE) plus the two transitions a raised check can make.
 */
public enum Outcome {
  /** The condition does not hold (or the observation was not applicable / ignored); nothing raised. */
  NONE,
  /** The condition holds but the raise trigger (count and/or duration) is not reached yet. */
  PENDING,
  /** The check has just become raised: emit a RAISED violation. */
  RAISED,
  /** The check stays raised (still in breach, or not yet long enough back inside the clearing band). */
  HOLD,
  /** The check has just cleared: emit a CLEARED violation. */
  CLEARED;

  /** Whether this outcome is a transition that downstream consumers must hear about. */
  public boolean isTransition() {
    return this == RAISED || this == CLEARED;
  }
}
