package io.fleetwatch.streams.topology;

import io.fleetwatch.avro.Asset;
import io.fleetwatch.avro.CheckState;
import io.fleetwatch.avro.DeviceEvent;
import io.fleetwatch.avro.DeviceModel;
import io.fleetwatch.avro.DeviceState;
import io.fleetwatch.avro.DeviceTwin;
import io.fleetwatch.avro.Evidence;
import io.fleetwatch.avro.FrameworkRef;
import io.fleetwatch.avro.GroupSignal;
import io.fleetwatch.avro.GroupSignalKind;
import io.fleetwatch.avro.ReportedState;
import io.fleetwatch.avro.Telemetry;
import io.fleetwatch.avro.Violation;
import io.fleetwatch.avro.ViolationStatus;
import io.fleetwatch.streams.policy.Absence;
import io.fleetwatch.streams.policy.ApplicableCheck;
import io.fleetwatch.streams.policy.Channel;
import io.fleetwatch.streams.policy.Envelope;
import io.fleetwatch.streams.policy.Evaluation;
import io.fleetwatch.streams.policy.GroupInput;
import io.fleetwatch.streams.policy.GroupRule;
import io.fleetwatch.streams.policy.Observation;
import io.fleetwatch.streams.policy.Outcome;
import io.fleetwatch.streams.policy.Policy;
import io.fleetwatch.streams.policy.PolicyCatalogue;
import io.fleetwatch.streams.policy.Rule;
import io.fleetwatch.streams.policy.RuntimeCatalogue;
import io.fleetwatch.streams.policy.ViolationSignal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Input: device messages (telemetry, events, state) keyed by device id. Output: {@link Violation}s keyed by device
 * id, and {@link GroupSignal}s keyed {@code policyId|checkId|group} for the group checks. Rule: update the device
 * twin, then run the device side of every group check in scope ({@link GroupRule#route}, routing state with the
 * device's check states), then evaluate every check in scope of the device's asset that listens to the
 * message's channel and forward its RAISED/CLEARED transitions; those transitions are offered once to the
 * checks listening to violations (sequence rules such as FLT-04). A wall-clock punctuator evaluates heartbeat loss
 * over all twins of this task (the only wall-clock input of policy evaluation; the violation's event time is that
 * wall-clock time). Every violation carries the gateway receive time of the message that caused it, or none when
 * the heartbeat scan raised it.
 *
 * <p>Registered devices get the checks whose scope matches their asset class, site and id; unregistered
 * devices only the unscoped checks, and their violations say {@code registered=false}. The catalogue is read
 * once per message from the {@link RuntimeCatalogue}, so a policy change applies from the next message on. Every
 * observation carries the device's asset and, for state reports, the registry's catalogue entry of the reported
 * model (global tables {@code assets} and {@code models}), read per message too, so a registry change (a model's
 * minimum firmware, an approved change, a maintenance window) applies from the next message on.
 *
 * <p>The states of all checks of a device are one store value ({@link CheckStateStore}), written once at the end of
 * a record (or a punctuation) that changed any of them.
 */
final class PolicyEvaluationProcessor implements Processor<String, DeviceMessage, String, PolicyOutput> {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyEvaluationProcessor.class);
  private static final SkippedRecordLog SKIPPED = new SkippedRecordLog(LOG, 10, TimeUnit.SECONDS);

  /** Twins kept decoded per task (each about a kilobyte on the heap). */
  static final int CACHED_TWINS = 20_000;
  /** Devices whose check states are kept decoded per task (a few hundred bytes per check of the device). */
  static final int CACHED_CHECK_STATES = 20_000;

  private final RuntimeCatalogue catalogue;
  private final PipelineMetrics metrics;
  private final Duration heartbeatScan;
  private final PolicyTopology.StoreNames stores;
  private ProcessorContext<String, PolicyOutput> context;
  private WriteThroughCache<DeviceTwin> twins;
  private CheckStateStore checkStates;
  /**
   * What the heartbeat scan needs of every twin of this task, by device id: read from the store in {@code init}, kept
   * up to date in place with every twin written, so the scan does not decode every twin each time (it visits them in
   * device id order, sorted when it runs, not on every message).
   */
  private Map<String, Heard> heard;
  private KeyValueStore<String, Object> assets;
  private KeyValueStore<String, Object> models;

  PolicyEvaluationProcessor(RuntimeCatalogue catalogue, PipelineMetrics metrics, Duration heartbeatScan,
      PolicyTopology.StoreNames stores) {
    this.catalogue = catalogue;
    this.metrics = metrics;
    this.heartbeatScan = heartbeatScan;
    this.stores = stores;
  }

  /**
   * Starts with empty caches: after an aborted transaction or a restore, Kafka Streams initializes the processor
   * again, and everything it knows is read back from the (restored) stores.
   */
  @Override
  public void init(ProcessorContext<String, PolicyOutput> context) {
    this.context = context;
    this.twins = new WriteThroughCache<>(context.getStateStore(stores.twins()), CACHED_TWINS);
    this.checkStates = new CheckStateStore(context.getStateStore(stores.checkStates()),
        context.getStateStore(stores.legacyCheckStates()), CACHED_CHECK_STATES);
    this.assets = context.getStateStore(stores.assets());
    this.models = context.getStateStore(stores.models());
    this.heard = new HashMap<>();
    try (KeyValueIterator<String, DeviceTwin> all = twins.store().all()) {
      while (all.hasNext()) {
        KeyValue<String, DeviceTwin> next = all.next();
        if (next.value != null) {
          heard.put(next.key, new Heard(next.value.getSite(), next.value.getLastReceivedAt()));
        }
      }
    }
    context.schedule(heartbeatScan, PunctuationType.WALL_CLOCK_TIME, this::scanForSilence);
  }

  @Override
  public void process(Record<String, DeviceMessage> record) {
    DeviceMessage message = record.value();
    if (message == null) {
      Evidence at = evidence();
      SKIPPED.warn("Skipping a device record without a value: key={} topic={} partition={} offset={}",
          record.key(), at == null ? null : at.getTopic(), at == null ? null : at.getPartition(),
          at == null ? null : at.getOffset());
      return;
    }
    String deviceId = message.deviceId();
    if (record.key() != null && !record.key().equals(deviceId)) {
      Evidence at = evidence();
      SKIPPED.warn("Record key {} differs from deviceId {}; using deviceId: topic={} partition={} offset={}",
          record.key(), deviceId, at == null ? null : at.getTopic(), at == null ? null : at.getPartition(),
          at == null ? null : at.getOffset());
    }
    metrics.observation();
    try {
      processMessage(record, message, deviceId);
      checkStates.flush();
    } catch (RuntimeException e) {
      checkStates.discard();
      throw e;
    }
  }

  /** Everything {@link #process} does with a message, check states written by the caller at the end. */
  private void processMessage(Record<String, DeviceMessage> record, DeviceMessage message, String deviceId) {
    Asset asset = asset(deviceId);
    Observation observation = observation(message);
    updateTwin(message, observation);
    observation = observation.registered(asset, observation.reported() == null ? null
        : model(observation.reported().getModel()));

    PolicyCatalogue current = catalogue.current();
    String site = asset != null ? asset.getSite() : message.site();
    routeToGroups(current, asset, site, deviceId, observation, record.timestamp());
    List<ApplicableCheck> checks = checksFor(current, asset, site, deviceId, observation.channel());
    if (checks.isEmpty()) {
      return;
    }
    Evidence evidence = null; // built on the first transition: most records change no check
    List<ViolationSignal> transitions = null;
    for (ApplicableCheck applicable : checks) {
      Evaluation evaluation = evaluate(applicable, deviceId, observation);
      if (evaluation.outcome().isTransition()) {
        if (evidence == null) {
          evidence = evidence();
        }
        forward(applicable, evaluation, deviceId, site, asset, observation.eventTime(), observation.receivedAt(),
            evidence, record.timestamp());
        if (transitions == null) {
          transitions = new ArrayList<>(2);
        }
        transitions.add(new ViolationSignal(applicable.policy().id(), applicable.policy().kind(),
            evaluation.outcome() == Outcome.RAISED));
      }
    }
    if (transitions != null) {
      feedBack(current, transitions, asset, site, deviceId, observation.eventTime(), observation.receivedAt(),
          evidence, record.timestamp());
    }
  }

  /** Device side of the group checks in scope: updates the device's routing state, forwards its group signals. */
  private void routeToGroups(PolicyCatalogue current, Asset asset, String site, String deviceId,
      Observation observation, long timestamp) {
    List<ApplicableCheck> groupChecks = current.groupChecksFor(asset == null ? null : asset.getAssetClass(), site,
        deviceId, observation.channel());
    for (ApplicableCheck applicable : groupChecks) {
      GroupRule rule = (GroupRule) applicable.check().rule();
      String key = applicable.stateKey();
      CheckState stored = checkStates.get(deviceId, key);
      GroupRule.Routing routing = rule.route(compatible(stored, rule), observation, deviceId, site);
      if (routing.state() != null && !Objects.equals(routing.state(), stored)) {
        checkStates.put(deviceId, key, routing.state());
      }
      if (routing.inputs().isEmpty()) {
        continue;
      }
      Evidence evidence = evidence();
      for (GroupInput input : routing.inputs()) {
        GroupSignal signal = GroupSignal.newBuilder()
            .setPolicyId(applicable.policy().id())
            .setCheckId(applicable.check().id())
            .setGroup(input.group())
            .setKind(GroupSignalKind.valueOf(input.kind().name()))
            .setDeviceId(input.deviceId())
            .setSite(input.site())
            .setAt(input.at())
            .setValue(input.value())
            .setEvidence(evidence)
            .build();
        context.forward(new Record<>(PolicyOutput.groupKey(signal), PolicyOutput.of(signal), timestamp));
      }
    }
  }

  /**
   * Offers this message's transitions to the checks that listen to violations; their own are not fed back. What they
   * raise carries the message's event and receive times: the message is what caused it.
   */
  private void feedBack(PolicyCatalogue current, List<ViolationSignal> transitions, Asset asset, String site,
      String deviceId, Instant eventTime, Instant receivedAt, Evidence evidence, long timestamp) {
    List<ApplicableCheck> listeners = checksFor(current, asset, site, deviceId, Channel.VIOLATION);
    for (ViolationSignal signal : transitions) {
      Observation observation = Observation.violation(eventTime, signal);
      for (ApplicableCheck applicable : listeners) {
        if (applicable.policy().id().equals(signal.policyId())) {
          continue; // a policy never reacts to itself
        }
        Evaluation evaluation = evaluate(applicable, deviceId, observation);
        if (evaluation.outcome().isTransition()) {
          forward(applicable, evaluation, deviceId, site, asset, eventTime, receivedAt, evidence, timestamp);
        }
      }
    }
  }

  @Override
  public void close() {
    metrics.forgetDevices(context.taskId().toString());
    twins = null;
    checkStates = null;
    heard = null;
  }

  /** A twin's site and the gateway receive time of its device's latest message; updated in place. */
  private static final class Heard {
    private String site;
    private Instant lastReceivedAt;

    Heard(String site, Instant lastReceivedAt) {
      this.site = site;
      this.lastReceivedAt = lastReceivedAt;
    }

    String site() {
      return site;
    }

    Instant lastReceivedAt() {
      return lastReceivedAt;
    }
  }

  /**
   * Wall-clock punctuation: raises heartbeat loss for every silent device of this task, and counts the task's devices
   * online and offline (a raised absence check) for the {@code fleetwatch.devices} gauge.
   */
  private void scanForSilence(long wallClockMs) {
    try {
      scan(wallClockMs);
      checkStates.flush();
    } catch (RuntimeException e) {
      checkStates.discard();
      throw e;
    }
  }

  private void scan(long wallClockMs) {
    PolicyCatalogue current = catalogue.current();
    boolean absence = current.hasAbsenceChecks();
    long online = 0;
    long offline = 0;
    Instant now = Instant.ofEpochMilli(wallClockMs);
    if (!absence) {
      metrics.devices(context.taskId().toString(), heard.size(), 0);
      return;
    }
    for (Map.Entry<String, Heard> device : new TreeMap<>(heard).entrySet()) {
      String deviceId = device.getKey();
      boolean silent = false;
      Asset asset = asset(deviceId);
      String site = asset != null ? asset.getSite() : device.getValue().site();
      List<ApplicableCheck> checks = current.absenceChecksFor(asset == null ? null : asset.getAssetClass(),
          site, deviceId);
      for (ApplicableCheck applicable : checks) {
        String key = applicable.stateKey();
        CheckState previous = compatible(checkStates.get(deviceId, key), applicable.check().rule());
        Evaluation evaluation = ((Absence) applicable.check().rule())
            .evaluateSilence(previous, device.getValue().lastReceivedAt(), now);
        if (evaluation.outcome() == Outcome.RAISED) {
          checkStates.put(deviceId, key, evaluation.state());
          metrics.evaluation(applicable.policy().id());
          // raised by the wall clock, not by a received record: no receive time
          forward(applicable, evaluation, deviceId, site, asset, now, null, null, wallClockMs);
          silent = true;
        } else {
          silent |= previous != null && previous.getActive();
        }
      }
      if (silent) {
        offline++;
      } else {
        online++;
      }
    }
    metrics.devices(context.taskId().toString(), online, offline);
  }

  private Evaluation evaluate(ApplicableCheck applicable, String deviceId, Observation observation) {
    String key = applicable.stateKey();
    CheckState stored = checkStates.get(deviceId, key);
    Rule rule = applicable.check().rule();
    Evaluation evaluation = rule.evaluate(compatible(stored, rule), observation);
    if (evaluation.state() != null && !Objects.equals(evaluation.state(), stored)) {
      checkStates.put(deviceId, key, evaluation.state());
    }
    if (evaluation.evaluated()) {
      metrics.evaluation(applicable.policy().id());
    }
    return evaluation;
  }

  /**
   * A state written by another rule type (the policy changed at run time) keeps only whether the check is raised,
   * so that a raised check can still clear under the new rule. States from before rule types were recorded are
   * envelope states.
   */
  static CheckState compatible(CheckState stored, Rule rule) {
    if (stored == null) {
      return null;
    }
    String writtenBy = stored.getRuleType() == null ? Envelope.TYPE : stored.getRuleType();
    if (writtenBy.equals(rule.type())) {
      return stored;
    }
    return CheckState.newBuilder().setActive(stored.getActive()).setRuleType(rule.type())
        .setLastEventTime(stored.getLastEventTime()).build();
  }

  private static List<ApplicableCheck> checksFor(PolicyCatalogue current, Asset asset, String site, String deviceId,
      Channel channel) {
    return asset != null
        ? current.checksFor(asset.getAssetClass(), site, deviceId, channel)
        : current.unscopedChecks(channel);
  }

  private void forward(ApplicableCheck applicable, Evaluation evaluation, String deviceId, String site, Asset asset,
      Instant eventTime, Instant receivedAt, Evidence evidence, long timestamp) {
    Violation violation = violation(applicable, evaluation, deviceId, site, asset, eventTime, receivedAt, evidence);
    metrics.violation(applicable.policy().id(), violation.getStatus());
    if (LOG.isDebugEnabled()) {
      LOG.debug("Check {}/{} {} on device {} (topic={} partition={} offset={}): {}",
          applicable.policy().id(), applicable.check().id(), violation.getStatus(), deviceId,
          evidence == null ? null : evidence.getTopic(), evidence == null ? null : evidence.getPartition(),
          evidence == null ? null : evidence.getOffset(), evaluation.detail());
    }
    context.forward(new Record<>(deviceId, PolicyOutput.of(violation), timestamp));
  }

  private Asset asset(String deviceId) {
    return (Asset) unwrap(assets.get(deviceId));
  }

  private DeviceModel model(String model) {
    return model == null ? null : (DeviceModel) unwrap(models.get(model));
  }

  private static Object unwrap(Object value) {
    return value instanceof ValueAndTimestamp<?> timestamped ? timestamped.value() : value;
  }

  /** What a device channel's record means to the rules: no default, so a new channel must say. */
  private static Observation observation(DeviceMessage message) {
    return switch (message.channel()) {
      case TELEMETRY -> {
        Telemetry t = (Telemetry) message.value();
        yield Observation.telemetry(t.getTs(), t.getReceivedAt(), t.getSeq(), t.getMetrics());
      }
      case EVENT -> {
        DeviceEvent e = (DeviceEvent) message.value();
        yield Observation.event(e.getTs(), e.getReceivedAt(), e.getSeq(), e.getType(), e.getAttributes());
      }
      case STATE -> {
        DeviceState s = (DeviceState) message.value();
        yield Observation.state(s.getTs(), s.getReceivedAt(), s.getSeq(), reported(s));
      }
    };
  }

  private static ReportedState reported(DeviceState s) {
    return ReportedState.newBuilder()
        .setReportedAt(s.getTs())
        .setModel(s.getModel())
        .setVendor(s.getVendor())
        .setFirmware(s.getFirmware())
        .setConfigHash(s.getConfigHash())
        .setOpenPorts(s.getOpenPorts() == null ? new ArrayList<>() : s.getOpenPorts())
        .setTls(s.getTls())
        .setSecurityState(s.getSecurityState())
        .setMode(s.getMode())
        .build();
  }

  private void updateTwin(DeviceMessage message, Observation observation) {
    String deviceId = message.deviceId();
    DeviceTwin twin = twins.get(deviceId);
    Instant ts = message.ts();
    Instant received = message.receivedAt();
    if (twin == null) {
      twin = DeviceTwin.newBuilder()
          .setDeviceId(deviceId)
          .setSite(message.site())
          .setLastSeenAt(ts)
          .setLastReceivedAt(received)
          .setLastSeq(message.seq())
          .setMetrics(new HashMap<>())
          .setMessages(0L)
          .build();
    }
    twin.setMessages(twin.getMessages() + 1);
    if (received.isAfter(twin.getLastReceivedAt())) {
      twin.setLastReceivedAt(received);
    }
    // A late message must not overwrite newer values in the twin.
    boolean newest = !ts.isBefore(twin.getLastSeenAt());
    if (newest) {
      twin.setLastSeenAt(ts);
      twin.setSite(message.site());
      if (message.seq() != null) {
        twin.setLastSeq(message.seq());
      }
    }
    switch (message.channel()) {
      case TELEMETRY -> {
        if (newest) {
          // in place: the twin is this task's own copy (decoded from the store, or new) and is written back below
          twin.getMetrics().putAll(observation.metrics());
        }
      }
      case EVENT -> {
        if (twin.getLastEventAt() == null || !ts.isBefore(twin.getLastEventAt())) {
          twin.setLastEventAt(ts);
          twin.setLastEventType(observation.eventType());
        }
      }
      case STATE -> {
        if (twin.getReported() == null || !ts.isBefore(twin.getReported().getReportedAt())) {
          twin.setReported(observation.reported());
        }
      }
    }
    twins.put(deviceId, twin);
    Heard known = heard.get(deviceId);
    if (known == null) {
      heard.put(deviceId, new Heard(twin.getSite(), twin.getLastReceivedAt()));
    } else {
      known.site = twin.getSite();
      known.lastReceivedAt = twin.getLastReceivedAt();
    }
  }

  static Violation violation(ApplicableCheck applicable, Evaluation evaluation, String deviceId,
      String site, Asset asset, Instant eventTime, Instant receivedAt, Evidence evidence) {
    Policy policy = applicable.policy();
    List<FrameworkRef> references = new ArrayList<>(policy.references().size());
    policy.references().forEach(r -> references.add(new FrameworkRef(r.framework(), r.provision())));
    Set<String> metricNames = applicable.check().rule().metrics();
    String metric = metricNames.size() == 1 ? metricNames.iterator().next() : null;
    return Violation.newBuilder()
        .setPolicyId(policy.id())
        .setCheckId(applicable.check().id())
        .setPolicyVersion(policy.version())
        .setTitle(policy.title())
        .setKind(policy.kind())
        .setStatus(evaluation.outcome() == Outcome.RAISED ? ViolationStatus.RAISED : ViolationStatus.CLEARED)
        .setSeverity(policy.severity())
        .setDeviceId(deviceId)
        .setSite(site)
        .setAssetClass(asset == null ? null : asset.getAssetClass())
        .setRegistered(asset != null)
        .setEventTime(eventTime)
        .setReceivedAt(receivedAt)
        .setMetric(metric)
        .setObserved(evaluation.observed())
        .setObservedText(evaluation.observedText())
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
