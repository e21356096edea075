package io.fleetwatch.streams.topology;

import io.fleetwatch.avro.Asset;
import io.fleetwatch.avro.BusinessService;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentCommand;
import io.fleetwatch.avro.IncidentCommandRejection;
import io.fleetwatch.avro.IncidentCommandType;
import io.fleetwatch.avro.IncidentLink;
import io.fleetwatch.avro.IncidentStatus;
import io.fleetwatch.avro.Stakeholder;
import io.fleetwatch.avro.Violation;
import io.fleetwatch.streams.incident.AssetContext;
import io.fleetwatch.streams.incident.CommandResult;
import io.fleetwatch.streams.incident.IncidentAssessor;
import io.fleetwatch.streams.incident.IncidentChange;
import io.fleetwatch.streams.incident.IncidentLifecycle;
import io.fleetwatch.streams.incident.SiteCorrelator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Input: violations and responders' commands, both keyed by site (repartitioned). Output: the whole
 * {@link Incident} keyed by incident id on every change, and rejected commands. Rule: {@link IncidentLifecycle}
 * per dedup key, enriched by {@link IncidentAssessor} from the global {@code assets}, {@code services} and
 * {@code stakeholders} tables, correlated per site by {@link SiteCorrelator} (FLT-01, FLT-03, FLT-04 links). A
 * site-level finding ({@link IncidentLifecycle#isSiteFinding}) becomes a site incident without a device.
 *
 * <p>Store {@code incidents-by-dedup}: {@code site|policyId|deviceOrSite} → the incident
 * while it is unresolved and for the reopen window after. A wall-clock punctuator (the only wall-clock input besides
 * {@code detectedAt} and the impact's {@code assessedAt}) resolves incidents whose checks stayed clear for the quiet
 * period, re-assesses business impact and escalation (downtime grows with wall-clock time), forgets resolved
 * incidents past the reopen window, and refreshes the incident gauges.
 */
final class IncidentProcessor implements Processor<String, IncidentInput, String, IncidentOutput> {
  private static final Logger LOG = LoggerFactory.getLogger(IncidentProcessor.class);
  private static final SkippedRecordLog SKIPPED = new SkippedRecordLog(LOG, 10, TimeUnit.SECONDS);

  private final IncidentLifecycle lifecycle;
  private final IncidentAssessor assessor;
  private final SiteCorrelator correlator;
  private final Clock clock;
  private final PipelineMetrics metrics;
  private final IncidentMetrics incidentMetrics;
  private final IncidentTopology.StoreNames stores;
  private ProcessorContext<String, IncidentOutput> context;
  private KeyValueStore<String, Incident> incidents;
  private KeyValueStore<String, Object> assets;
  private KeyValueStore<String, Object> services;
  private KeyValueStore<String, Object> stakeholders;
  private KeyValueStore<String, Object> published;
  private String taskId;

  IncidentProcessor(IncidentLifecycle lifecycle, IncidentAssessor assessor, Clock clock, PipelineMetrics metrics,
      IncidentMetrics incidentMetrics, IncidentTopology.StoreNames stores) {
    this.stores = stores;
    this.lifecycle = lifecycle;
    this.assessor = assessor;
    this.correlator = new SiteCorrelator(assessor.rules());
    this.clock = clock;
    this.metrics = metrics;
    this.incidentMetrics = incidentMetrics;
  }

  @Override
  public void init(ProcessorContext<String, IncidentOutput> context) {
    this.context = context;
    this.incidents = context.getStateStore(stores.incidentsByDedup());
    this.assets = context.getStateStore(stores.assets());
    this.services = context.getStateStore(stores.services());
    this.stakeholders = context.getStateStore(stores.stakeholders());
    this.published = context.getStateStore(stores.incidents());
    this.taskId = context.taskId().toString();
    context.schedule(lifecycle.timing().scanInterval(), PunctuationType.WALL_CLOCK_TIME, this::scan);
  }

  @Override
  public void close() {
    incidentMetrics.forget(taskId);
  }

  @Override
  public void process(Record<String, IncidentInput> record) {
    IncidentInput input = record.value();
    if (input != null && input.violation() != null) {
      violation(input.violation(), record.timestamp());
    } else if (input != null && input.command() != null) {
      command(input.command(), record.timestamp());
    } else {
      SKIPPED.warn("Skipping an incident input without a value: key={}", record.key());
    }
  }

  private void violation(Violation violation, long timestamp) {
    String key = key(violation.getSite(), IncidentLifecycle.dedupKey(violation));
    Instant now = clock.instant();
    IncidentChange change = lifecycle.apply(incidents.get(key), violation, now);
    if (change.type() == IncidentChange.Type.IGNORED) {
      LOG.debug("No incident for {} {} of check {} on device {}", violation.getPolicyId(), violation.getStatus(),
          violation.getCheckId(), violation.getDeviceId());
      return;
    }
    Incident changed = change.incident();
    if (IncidentLifecycle.isSiteFinding(violation)) {
      // a site-level finding (e.g. many sources across the site): a site incident, like FLT-01 / FLT-03
      changed = Incident.newBuilder(changed).setDeviceId(null).setAssetClass(null).build();
    }
    Incident incident = save(key, assessor.assess(changed, context(changed), now), change.type(), timestamp);
    afterDeviceChange(incident, change.type(), now, timestamp);
  }

  /** Site correlation and FLT-04 links after a device incident changed. */
  private void afterDeviceChange(Incident incident, IncidentChange.Type type, Instant now, long timestamp) {
    String site = incident.getSite();
    if (incident.getPolicyId().equals(correlator.rules().safetyAfterChange().policyId())
        && (type == IncidentChange.Type.OPENED || type == IncidentChange.Type.REOPENED)) {
      linkSafetyAfterChange(incident, now, timestamp);
    }
    Map<String, Incident> siteIncidents = siteIncidents(site);
    int[] registered = {-1}; // counted at most once, and only when the correlation needs it (a registry scan)
    List<Violation> signals = correlator.signals(siteIncidents.values(),
        () -> registered[0] >= 0 ? registered[0] : (registered[0] = registeredDevices(site)), incident);
    for (Violation signal : signals) {
      String siteKey = key(site, IncidentLifecycle.dedupKey(signal));
      IncidentChange change = lifecycle.apply(incidents.get(siteKey), signal, now);
      if (change.type() == IncidentChange.Type.IGNORED) {
        continue;
      }
      Incident siteIncident = Incident.newBuilder(change.incident()).setDeviceId(null).setAssetClass(null).build();
      Incident member = siteIncidents.get(signal.getCheckId());
      if (member != null && signal.getStatus() == io.fleetwatch.avro.ViolationStatus.RAISED) {
        siteIncident = SiteCorrelator.link(siteIncident, member.getId(), SiteCorrelator.GROUPS);
        List<String> devices = new ArrayList<>(siteIncident.getDevices());
        if (!devices.contains(member.getDeviceId())) {
          devices.add(member.getDeviceId());
          siteIncident.setDevices(devices);
        }
      }
      if (siteIncident.getPolicyId().equals(correlator.rules().massOffline().policyId())) {
        String assessment = correlator.massOfflineAssessment(siteIncidents.values());
        if (!assessment.equals(siteIncident.getAssessment())) {
          siteIncident.setAssessment(assessment);
          IncidentLifecycle.note(siteIncident, now, "assessed as " + assessment);
        }
      }
      siteIncident = save(siteKey, assessor.assess(siteIncident, context(siteIncident), now), change.type(),
          timestamp);
      if (member != null && signal.getStatus() == io.fleetwatch.avro.ViolationStatus.RAISED) {
        Incident grouped = SiteCorrelator.link(member, siteIncident.getId(), SiteCorrelator.GROUPED_IN);
        if (grouped != member) {
          String memberKey = key(site, member.getDedupKey());
          save(memberKey, assessor.assess(grouped, context(grouped), now), IncidentChange.Type.UPDATED, timestamp);
        }
      }
    }
    reassessMassOffline(siteIncidents, incident, now, timestamp);
  }

  /** A security incident at a site with an open FLT-03 incident turns its assessment into an attack. */
  private void reassessMassOffline(Map<String, Incident> before, Incident trigger, Instant now, long timestamp) {
    String siteKey = key(trigger.getSite(),
        IncidentLifecycle.siteDedupKey(correlator.rules().massOffline().policyId(), trigger.getSite()));
    Incident flt03 = incidents.get(siteKey);
    if (flt03 == null || flt03.getStatus() == IncidentStatus.RESOLVED) {
      return;
    }
    String assessment = correlator.massOfflineAssessment(siteIncidents(trigger.getSite()).values());
    if (!assessment.equals(flt03.getAssessment())) {
      Incident next = Incident.newBuilder(flt03).setAssessment(assessment).build();
      IncidentLifecycle.note(next, now, "assessed as " + assessment);
      save(siteKey, assessor.assess(next, context(next), now), IncidentChange.Type.UPDATED, timestamp);
    }
  }

  private void linkSafetyAfterChange(Incident flt04, Instant now, long timestamp) {
    Map<String, Incident> siteIncidents = siteIncidents(flt04.getSite());
    Incident next = flt04;
    for (IncidentLink link : correlator.safetyAfterChangeLinks(flt04, siteIncidents.values())) {
      next = SiteCorrelator.link(next, link.getIncidentId(), link.getRelation());
      Incident other = siteIncidents.get(link.getIncidentId());
      Incident explained = SiteCorrelator.link(other, flt04.getId(), SiteCorrelator.EXPLAINED_BY);
      if (explained != other) {
        save(key(other.getSite(), other.getDedupKey()), explained, IncidentChange.Type.UPDATED, timestamp);
      }
    }
    if (next != flt04) {
      save(key(flt04.getSite(), flt04.getDedupKey()), next, IncidentChange.Type.UPDATED, timestamp);
    }
  }

  private void command(IncidentCommand command, long timestamp) {
    Instant now = clock.instant();
    Incident known = unwrap(published.get(command.getIncidentId()), Incident.class);
    Incident current = null;
    String key = null;
    if (known != null) {
      key = key(known.getSite(), known.getDedupKey());
      Incident stored = incidents.get(key);
      current = stored != null && stored.getId().equals(command.getIncidentId()) ? stored : null;
    }
    CommandResult result = current == null && known != null
        ? CommandResult.rejected("incident " + command.getIncidentId() + " is closed (resolved past its reopen "
            + "window or superseded)")
        : lifecycle.command(current, command);
    if (!result.isApplied()) {
      LOG.warn("Command {} {} on incident {} by {} rejected: {}", command.getCommandId(), command.getType(),
          command.getIncidentId(), command.getActor(), result.rejection());
      IncidentCommandRejection rejection = new IncidentCommandRejection(command, result.rejection(),
          current != null ? current.getStatus() : known != null ? known.getStatus() : null, now);
      context.forward(new Record<>(command.getIncidentId(), IncidentOutput.of(rejection), timestamp));
      return;
    }
    Incident next = assessor.assess(result.incident(), context(result.incident()), now);
    IncidentChange.Type type = next.getStatus() == IncidentStatus.RESOLVED ? IncidentChange.Type.RESOLVED
        : IncidentChange.Type.UPDATED;
    save(key, next, type, timestamp);
    if (command.getType() == IncidentCommandType.ACKNOWLEDGE) {
      incidentMetrics.acknowledged(next.getPolicyId(), next.getSeverity(),
          Duration.between(next.getDetectedAt(), command.getIssuedAt()));
    }
    LOG.info("Incident {} {} by {}", next.getId(), command.getType(), command.getActor());
    if (next.getDeviceId() != null && type == IncidentChange.Type.RESOLVED) {
      afterDeviceChange(next, type, now, timestamp);
    }
  }

  /** Wall-clock punctuation: quiet period, impact and escalation, reopen-window expiry, gauges. */
  private void scan(long wallClockMs) {
    Instant now = Instant.ofEpochMilli(wallClockMs);
    List<KeyValue<String, Incident>> all = new ArrayList<>();
    try (KeyValueIterator<String, Incident> it = incidents.all()) {
      while (it.hasNext()) {
        KeyValue<String, Incident> next = it.next();
        if (next.value != null) {
          all.add(next);
        }
      }
    }
    for (KeyValue<String, Incident> entry : all) {
      Incident stored = incidents.get(entry.key);
      if (stored == null) {
        continue;
      }
      if (entry.key.chars().filter(c -> c == '|').count() != 2) {
        // keyed policyId|deviceId by versions before site correlation; the topic keeps its last state
        LOG.warn("Dropping incident {} stored under the legacy key {}", stored.getId(), entry.key);
        incidents.delete(entry.key);
        continue;
      }
      if (lifecycle.expired(stored, now)) {
        incidents.delete(entry.key);
        continue;
      }
      IncidentChange change = lifecycle.tick(stored, now);
      if (change.type() == IncidentChange.Type.RESOLVED) {
        Incident resolved = save(entry.key, assessor.assess(change.incident(), context(change.incident()), now),
            change.type(), wallClockMs);
        if (resolved.getDeviceId() != null) {
          afterDeviceChange(resolved, change.type(), now, wallClockMs);
        }
        continue;
      }
      if (stored.getStatus() == IncidentStatus.RESOLVED) {
        continue;
      }
      Incident assessed = assessor.assess(stored, context(stored), now);
      boolean escalationChanged = assessed.getEscalationLevel() != stored.getEscalationLevel();
      boolean stale = stored.getImpact() != null && !now.isBefore(
          stored.getImpact().getAssessedAt().plus(lifecycle.timing().impactRefresh()));
      if (escalationChanged || stale || assessed.getSeverity() != stored.getSeverity()) {
        save(entry.key, assessed, IncidentChange.Type.UPDATED, wallClockMs);
      }
    }
    List<Incident> current = new ArrayList<>();
    try (KeyValueIterator<String, Incident> it = incidents.all()) {
      it.forEachRemaining(kv -> current.add(kv.value));
    }
    incidentMetrics.publish(taskId, current);
  }

  private Incident save(String key, Incident incident, IncidentChange.Type type, long timestamp) {
    Objects.requireNonNull(key, "key");
    if (incident.getStatus() == IncidentStatus.RESOLVED && lifecycle.timing().reopenWindow().isZero()) {
      incidents.delete(key); // nothing can reopen it
    } else {
      incidents.put(key, incident);
    }
    switch (type) {
      case OPENED -> {
        metrics.incidentOpened(incident.getPolicyId(), incident.getSeverity(),
            Duration.between(incident.getOpenedAt(), incident.getDetectedAt()),
            incident.getOpenedReceivedAt() == null ? null
                : Duration.between(incident.getOpenedReceivedAt(), incident.getDetectedAt()));
        LOG.info("Incident {} opened: policy={} device={} site={} severity={} summary={}", incident.getId(),
            incident.getPolicyId(), incident.getDeviceId(), incident.getSite(), incident.getSeverity(),
            incident.getSummary());
      }
      case REOPENED -> LOG.info("Incident {} reopened: policy={} device={} site={}", incident.getId(),
          incident.getPolicyId(), incident.getDeviceId(), incident.getSite());
      case RESOLVED -> {
        metrics.incidentResolved(incident.getPolicyId(), incident.getSeverity());
        LOG.info("Incident {} resolved: policy={} device={} site={}", incident.getId(), incident.getPolicyId(),
            incident.getDeviceId(), incident.getSite());
      }
      default -> { }
    }
    context.forward(new Record<>(incident.getId(), IncidentOutput.of(incident), timestamp));
    return incident;
  }

  private AssetContext context(Incident incident) {
    if (incident.getDeviceId() != null) {
      return AssetContext.of(unwrap(assets.get(incident.getDeviceId()), Asset.class), this::service,
          this::stakeholder);
    }
    List<Asset> members = new ArrayList<>();
    for (String device : incident.getDevices()) {
      Asset asset = unwrap(assets.get(device), Asset.class);
      if (asset != null) {
        members.add(asset);
      }
    }
    if (incident.getDevices().isEmpty()) {
      // a site-level finding that names no device (e.g. many auth-failure sources across the site): it concerns the
      // whole site, so its business context is that of every registered device there
      members.addAll(siteAssets(incident.getSite()));
    }
    return AssetContext.ofAll(members, this::service, this::stakeholder);
  }

  private List<Asset> siteAssets(String site) {
    List<Asset> result = new ArrayList<>();
    try (KeyValueIterator<String, Object> it = assets.all()) {
      while (it.hasNext()) {
        Asset asset = unwrap(it.next().value, Asset.class);
        if (asset != null && site.equals(asset.getSite())) {
          result.add(asset);
        }
      }
    }
    return result;
  }

  private BusinessService service(String id) {
    return unwrap(services.get(id), BusinessService.class);
  }

  private Stakeholder stakeholder(String id) {
    return unwrap(stakeholders.get(id), Stakeholder.class);
  }

  private Map<String, Incident> siteIncidents(String site) {
    Map<String, Incident> result = new LinkedHashMap<>();
    try (KeyValueIterator<String, Incident> it = incidents.prefixScan(site + "|", new StringSerializer())) {
      while (it.hasNext()) {
        Incident i = it.next().value;
        if (i != null && site.equals(i.getSite())) {
          result.put(i.getId(), i);
        }
      }
    }
    return result;
  }

  private int registeredDevices(String site) {
    return siteAssets(site).size();
  }

  private static String key(String site, String dedupKey) {
    return site + "|" + dedupKey;
  }

  private static <T> T unwrap(Object value, Class<T> type) {
    if (value instanceof ValueAndTimestamp<?> timestamped) {
      value = timestamped.value();
    }
    return type.isInstance(value) ? type.cast(value) : null;
  }
}
