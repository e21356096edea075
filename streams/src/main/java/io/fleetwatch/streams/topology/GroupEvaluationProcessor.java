package io.fleetwatch.streams.topology;

import io.fleetwatch.avro.Asset;
import io.fleetwatch.avro.CheckState;
import io.fleetwatch.avro.GroupSignal;
import io.fleetwatch.avro.Violation;
import io.fleetwatch.streams.policy.ApplicableCheck;
import io.fleetwatch.streams.policy.GroupInput;
import io.fleetwatch.streams.policy.GroupRule;
import io.fleetwatch.streams.policy.RuntimeCatalogue;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Input: {@link GroupSignal}s from the {@code group-signals} repartition topic (key
 * {@code policyId|checkId|group}, so every signal of a group meets in one task, in order per device). Output:
 * {@link Violation}s, keyed by device id, or by site id for site-level findings. Rule: the group side of the
 * check ({@link GroupRule#evaluateGroup}) on the group's state in the {@code group-states} store; each
 * raised/cleared finding becomes a violation.
 *
 * <p>A device finding is a violation of the device whose check id carries the shared value
 * ({@code checkId:value}), so its raise on a new value and its clear on the old one are independent. A site-level
 * finding is a violation whose device id is the site (as the site incidents' signals of
 * {@link io.fleetwatch.streams.incident.SiteCorrelator}): the incident processor files it as a site incident
 * ({@code policyId|site}). A signal of a check that no longer exists, or is no longer a group check (the catalogue
 * changed at run time), is skipped with a rate-limited WARN.
 */
final class GroupEvaluationProcessor implements Processor<String, GroupSignal, String, Violation> {
  private static final Logger LOG = LoggerFactory.getLogger(GroupEvaluationProcessor.class);
  private static final SkippedRecordLog SKIPPED = new SkippedRecordLog(LOG, 10, TimeUnit.SECONDS);

  private final RuntimeCatalogue catalogue;
  private final PipelineMetrics metrics;
  private final String statesStore;
  private final String assetsStore;
  private ProcessorContext<String, Violation> context;
  private KeyValueStore<String, CheckState> states;
  private KeyValueStore<String, Object> assets;

  GroupEvaluationProcessor(RuntimeCatalogue catalogue, PipelineMetrics metrics, String statesStore,
      String assetsStore) {
    this.catalogue = catalogue;
    this.metrics = metrics;
    this.statesStore = statesStore;
    this.assetsStore = assetsStore;
  }

  @Override
  public void init(ProcessorContext<String, Violation> context) {
    this.context = context;
    this.states = context.getStateStore(statesStore);
    this.assets = context.getStateStore(assetsStore);
  }

  @Override
  public void process(Record<String, GroupSignal> record) {
    GroupSignal signal = record.value();
    if (signal == null) {
      SKIPPED.warn("Skipping a group signal without a value: key={}", record.key());
      return;
    }
    Optional<ApplicableCheck> found = catalogue.current().check(signal.getPolicyId(), signal.getCheckId());
    if (found.isEmpty() || !(found.get().check().rule() instanceof GroupRule rule)) {
      SKIPPED.warn("Skipping a group signal of {}/{} from device {}: no such group check in the catalogue in force",
          signal.getPolicyId(), signal.getCheckId(), signal.getDeviceId());
      return;
    }
    ApplicableCheck applicable = found.get();
    String key = PolicyOutput.groupKey(signal);
    CheckState stored = states.get(key);
    GroupInput input = new GroupInput(signal.getGroup(), GroupInput.Kind.valueOf(signal.getKind().name()),
        signal.getDeviceId(), signal.getSite(), signal.getAt(), signal.getValue());
    GroupRule.GroupEvaluation evaluation =
        rule.evaluateGroup(PolicyEvaluationProcessor.compatible(stored, rule), input);
    if (evaluation.state() == null) {
      if (stored != null) {
        states.delete(key);
      }
    } else if (!Objects.equals(evaluation.state(), stored)) {
      states.put(key, evaluation.state());
    }
    metrics.evaluation(applicable.policy().id());
    for (GroupRule.Finding finding : evaluation.findings()) {
      Violation violation = violation(applicable, finding, signal);
      metrics.violation(applicable.policy().id(), violation.getStatus());
      LOG.debug("Group check {}/{} {} on {} at site {}: {}", applicable.policy().id(), violation.getCheckId(),
          violation.getStatus(), violation.getDeviceId(), violation.getSite(), violation.getDetail());
      context.forward(new Record<>(violation.getDeviceId(), violation, record.timestamp()));
    }
  }

  private Violation violation(ApplicableCheck applicable, GroupRule.Finding finding, GroupSignal signal) {
    if (finding.deviceId() == null) {
      Violation site = PolicyEvaluationProcessor.violation(applicable, finding.evaluation(), finding.site(),
          finding.site(), null, signal.getAt(), null, signal.getEvidence());
      site.setRegistered(true); // a site, not an unknown device
      return site;
    }
    Asset asset = asset(finding.deviceId());
    Violation device = PolicyEvaluationProcessor.violation(applicable, finding.evaluation(), finding.deviceId(),
        asset != null ? asset.getSite() : finding.site(), asset, signal.getAt(), null, signal.getEvidence());
    if (finding.qualifier() != null) {
      device.setCheckId(applicable.check().id() + ":" + finding.qualifier());
    }
    return device;
  }

  private Asset asset(String deviceId) {
    Object value = assets.get(deviceId);
    if (value instanceof ValueAndTimestamp<?> timestamped) {
      value = timestamped.value();
    }
    return (Asset) value;
  }
}
