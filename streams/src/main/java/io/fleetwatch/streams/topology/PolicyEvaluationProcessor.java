package io.fleetwatch.streams.topology;

import io.fleetwatch.avro.Asset;
import io.fleetwatch.avro.CheckState;
import io.fleetwatch.avro.DeviceTwin;
import io.fleetwatch.avro.Evidence;
import io.fleetwatch.avro.FrameworkRef;
import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.avro.Violation;
import io.fleetwatch.avro.ViolationStatus;
import io.fleetwatch.streams.policy.ApplicableCheck;
import io.fleetwatch.streams.policy.Evaluation;
import io.fleetwatch.streams.policy.Observation;
import io.fleetwatch.streams.policy.Outcome;
import io.fleetwatch.streams.policy.Policy;
import io.fleetwatch.streams.policy.PolicyCatalogue;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Input: telemetry joined with its asset. Output: {@link Violation}s keyed by device id. Rule: update the
 * device twin, then evaluate every applicable check and forward its RAISED/CLEARED transitions.
 *
 * <p>Registered devices get the checks whose scope matches their asset class, site and id; unregistered
 * devices only the unscoped checks, and their violations say {@code registered=false}.
 */
final class PolicyEvaluationProcessor implements Processor<String, AssetTelemetry, String, Violation> {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyEvaluationProcessor.class);
  private static final SkippedRecordLog SKIPPED = new SkippedRecordLog(LOG, 10, TimeUnit.SECONDS);

  private final PolicyCatalogue catalogue;
  private final PipelineMetrics metrics;
  private ProcessorContext<String, Violation> context;
  private KeyValueStore<String, DeviceTwin> twins;
  private KeyValueStore<String, CheckState> checkStates;

  PolicyEvaluationProcessor(PolicyCatalogue catalogue, PipelineMetrics metrics) {
    this.catalogue = catalogue;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, Violation> context) {
    this.context = context;
    this.twins = context.getStateStore(FleetTopology.DEVICE_TWINS_STORE);
    this.checkStates = context.getStateStore(FleetTopology.CHECK_STATES_STORE);
  }

  @Override
  public void process(Record<String, AssetTelemetry> record) {
    Telemetry telemetry = record.value() == null ? null : record.value().telemetry();
    if (telemetry == null) {
      Evidence at = evidence();
      SKIPPED.warn("Skipping telemetry without a value: key={} topic={} partition={} offset={}",
          record.key(), at == null ? null : at.getTopic(), at == null ? null : at.getPartition(),
          at == null ? null : at.getOffset());
      return;
    }
    String deviceId = telemetry.getDeviceId();
    if (record.key() != null && !record.key().equals(deviceId)) {
      Evidence at = evidence();
      SKIPPED.warn("Telemetry key {} differs from deviceId {}; using deviceId: topic={} partition={} offset={}",
          record.key(), deviceId, at == null ? null : at.getTopic(), at == null ? null : at.getPartition(),
          at == null ? null : at.getOffset());
    }
    metrics.observation();
    updateTwin(telemetry);

    Asset asset = record.value().asset();
    boolean registered = asset != null;
    String site = registered ? asset.getSite() : telemetry.getSite();
    List<ApplicableCheck> checks = registered
        ? catalogue.checksFor(asset.getAssetClass(), site, deviceId)
        : catalogue.unscopedChecks();
    if (checks.isEmpty()) {
      return;
    }
    Observation observation = new Observation(telemetry.getTs(), telemetry.getMetrics());
    Evidence evidence = null;
    for (ApplicableCheck applicable : checks) {
      String key = applicable.stateKey(deviceId);
      CheckState previous = checkStates.get(key);
      Evaluation evaluation = applicable.check().rule().evaluate(previous, observation);
      if (evaluation.observed() == null) {
        continue; // not applicable (metric absent) or out of order: nothing was evaluated
      }
      metrics.evaluation(applicable.policy().id());
      if (evaluation.state() != null && !Objects.equals(evaluation.state(), previous)) {
        checkStates.put(key, evaluation.state());
      }
      if (evaluation.outcome().isTransition()) {
        if (evidence == null) {
          evidence = evidence();
        }
        Violation violation = violation(applicable, evaluation, telemetry, asset, site, evidence);
        metrics.violation(applicable.policy().id(), violation.getStatus());
        LOG.debug("Check {}/{} {} on device {} (topic={} partition={} offset={}): {}",
            applicable.policy().id(), applicable.check().id(), violation.getStatus(), deviceId,
            evidence == null ? null : evidence.getTopic(), evidence == null ? null : evidence.getPartition(),
            evidence == null ? null : evidence.getOffset(), evaluation.detail());
        context.forward(record.withKey(deviceId).withValue(violation));
      }
    }
  }

  private void updateTwin(Telemetry telemetry) {
    String deviceId = telemetry.getDeviceId();
    DeviceTwin twin = twins.get(deviceId);
    Instant ts = telemetry.getTs();
    if (twin == null) {
      twin = DeviceTwin.newBuilder()
          .setDeviceId(deviceId)
          .setSite(telemetry.getSite())
          .setLastSeenAt(ts)
          .setLastReceivedAt(telemetry.getReceivedAt())
          .setLastSeq(telemetry.getSeq())
          .setMetrics(new HashMap<>(telemetry.getMetrics()))
          .setMessages(1L)
          .build();
    } else {
      twin.setMessages(twin.getMessages() + 1);
      if (telemetry.getReceivedAt().isAfter(twin.getLastReceivedAt())) {
        twin.setLastReceivedAt(telemetry.getReceivedAt());
      }
      // A late reading must not overwrite newer values in the twin.
      if (!ts.isBefore(twin.getLastSeenAt())) {
        Map<String, Double> latest = new HashMap<>(twin.getMetrics());
        latest.putAll(telemetry.getMetrics());
        twin.setMetrics(latest);
        twin.setLastSeenAt(ts);
        twin.setSite(telemetry.getSite());
        if (telemetry.getSeq() != null) {
          twin.setLastSeq(telemetry.getSeq());
        }
      }
    }
    twins.put(deviceId, twin);
  }

  private static Violation violation(ApplicableCheck applicable, Evaluation evaluation, Telemetry telemetry,
      Asset asset, String site, Evidence evidence) {
    Policy policy = applicable.policy();
    List<FrameworkRef> references = policy.references().stream()
        .map(r -> new FrameworkRef(r.framework(), r.provision()))
        .toList();
    String metric = applicable.check().rule().metrics().size() == 1
        ? applicable.check().rule().metrics().iterator().next() : null;
    return Violation.newBuilder()
        .setPolicyId(policy.id())
        .setCheckId(applicable.check().id())
        .setPolicyVersion(policy.version())
        .setTitle(policy.title())
        .setKind(policy.kind())
        .setStatus(evaluation.outcome() == Outcome.RAISED ? ViolationStatus.RAISED : ViolationStatus.CLEARED)
        .setSeverity(policy.severity())
        .setDeviceId(telemetry.getDeviceId())
        .setSite(site)
        .setAssetClass(asset == null ? null : asset.getAssetClass())
        .setRegistered(asset != null)
        .setEventTime(telemetry.getTs())
        .setMetric(metric)
        .setObserved(evaluation.observed())
        .setDetail(evaluation.detail())
        .setReferences(references)
        .setEvidence(evidence)
        .build();
  }

  private Evidence evidence() {
    return context.recordMetadata()
        .map(PolicyEvaluationProcessor::evidenceOf)
        .orElse(null);
  }

  private static Evidence evidenceOf(RecordMetadata m) {
    return new Evidence(m.topic(), m.partition(), m.offset());
  }
}
