package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.ReportedState;
import java.time.Instant;

/** Hand-built state reports for rule tests. */
final class Reports {
  private Reports() {}

  /** A report builder with its device time set; callers set the fields the rule reads. */
  static ReportedState.Builder reported(Instant at) {
    return ReportedState.newBuilder().setReportedAt(at);
  }

  /** A state observation of {@code reported} at its device time, without receive time or sequence number. */
  static Observation state(ReportedState.Builder reported) {
    ReportedState built = reported.build();
    return Observation.state(built.getReportedAt(), null, null, built);
  }
}
