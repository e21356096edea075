package io.fleetwatch.streams.incident;

/**
 * An escalation level reached when the given fraction of the tightest RTO of the hurt services has elapsed.
 *
 * @param level 1, 2, ... (0 is "not escalated")
 * @param rtoElapsed fraction of the RTO, e.g. 0.5; 1.0 is the RTO breach
 */
public record EscalationStep(int level, double rtoElapsed) {
  public EscalationStep {
    if (level < 1) {
      throw new IllegalArgumentException("escalation level must be >= 1, got " + level);
    }
    if (!(rtoElapsed > 0) || Double.isInfinite(rtoElapsed)) {
      throw new IllegalArgumentException("rtoElapsed must be a positive fraction, got " + rtoElapsed);
    }
  }
}
