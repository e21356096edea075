package io.fleetwatch.streams.topology;

import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.Violation;
import io.fleetwatch.streams.incident.IncidentChange;
import io.fleetwatch.streams.incident.IncidentLifecycle;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Input: violations keyed by device id. Output: the whole {@link Incident} keyed by incident id on every
 * change. Rule: {@link IncidentLifecycle}, with the open incident of each {@code policyId|deviceId} kept in
 * the {@code incidents-by-dedup} store until it resolves.
 */
final class IncidentProcessor implements Processor<String, Violation, String, Incident> {
  private static final Logger LOG = LoggerFactory.getLogger(IncidentProcessor.class);
  private static final SkippedRecordLog SKIPPED = new SkippedRecordLog(LOG, 10, TimeUnit.SECONDS);

  private final IncidentLifecycle lifecycle = new IncidentLifecycle();
  private final Clock clock;
  private final PipelineMetrics metrics;
  private KeyValueStore<String, Incident> openByDedupKey;

  IncidentProcessor(Clock clock, PipelineMetrics metrics) {
    this.clock = clock;
    this.metrics = metrics;
  }

  private ProcessorContext<String, Incident> context;

  @Override
  public void init(ProcessorContext<String, Incident> context) {
    this.context = context;
    this.openByDedupKey = context.getStateStore(FleetTopology.INCIDENTS_BY_DEDUP_STORE);
  }

  @Override
  public void process(Record<String, Violation> record) {
    Violation violation = record.value();
    if (violation == null) {
      SKIPPED.warn("Skipping violation without a value: device={}", record.key());
      return;
    }
    String dedupKey = IncidentLifecycle.dedupKey(violation);
    Instant now = clock.instant();
    IncidentChange change = lifecycle.apply(openByDedupKey.get(dedupKey), violation, now);
    Incident incident = change.incident();
    switch (change.type()) {
      case IGNORED -> {
        LOG.debug("No open incident for {} {} of check {} on device {}", violation.getPolicyId(),
            violation.getStatus(), violation.getCheckId(), violation.getDeviceId());
        return;
      }
      case OPENED -> {
        openByDedupKey.put(dedupKey, incident);
        metrics.incidentOpened(incident.getPolicyId(), incident.getSeverity(),
            Duration.between(violation.getEventTime(), incident.getDetectedAt()));
        LOG.info("Incident {} opened: policy={} device={} site={} summary={}", incident.getId(),
            incident.getPolicyId(), incident.getDeviceId(), incident.getSite(), incident.getSummary());
      }
      case UPDATED -> openByDedupKey.put(dedupKey, incident);
      case RESOLVED -> {
        openByDedupKey.delete(dedupKey);
        metrics.incidentResolved(incident.getPolicyId(), incident.getSeverity());
        LOG.info("Incident {} resolved: policy={} device={} site={}", incident.getId(),
            incident.getPolicyId(), incident.getDeviceId(), incident.getSite());
      }
      default -> throw new IllegalStateException("unexpected change " + change.type());
    }
    context.forward(record.withKey(incident.getId()).withValue(incident));
  }
}
