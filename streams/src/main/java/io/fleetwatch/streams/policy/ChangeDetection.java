package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.ApprovedChange;
import io.fleetwatch.avro.CheckState;
import io.fleetwatch.schemas.yaml.YamlMap;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Change detection (YAML {@code type: change}), one of three {@code detect} modes:
 * <ul>
 *   <li>{@code baseline}: the reported {@code configHash} differs from the approved baseline of the device's model
 *       ({@code baselines}); with {@code learnFirst}, a model without a configured baseline learns the first hash
 *       it reports (trust on first use). Clears when the hash equals the baseline again. Late reports ignored.</li>
 *   <li>{@code decrease}: the reported firmware version is lower than the highest version seen before
 *       (downgrade) and no approved change of the device's asset covers it (registry {@code approvedChanges:},
 *       see {@link RegistrySchedules#approval}: from the highest version to the reported one, at the report's event
 *       time). An approved downgrade does not raise; the approved version becomes the reference, so later reports
 *       of it do not raise once the approval has expired either. Clears once the device reports at least the
 *       highest version again, or when an approval published later covers the next report. Late reports
 *       ignored.</li>
 *   <li>{@code regression}: the sequence number of a message on {@code channel} is lower than the highest seen
 *       on that channel (replay). Evaluated in <em>arrival</em> order, not event time: a replayed message
 *       carries an old device time too, so ignoring late records would hide exactly what this detects. An equal
 *       number is a duplicate (MQTT QoS 1 redelivers) and ignored. An event of type {@code resetOn} (e.g.
 *       {@code boot}) restarts the counter. Clears after the {@code clear} trigger of increasing numbers.</li>
 * </ul>
 *
 * @param detect the mode
 * @param baselines model to approved config hash ({@code baseline} mode)
 * @param learnFirst whether a model without baseline learns its first hash ({@code baseline} mode)
 * @param channel the channel whose sequence numbers are checked ({@code regression} mode)
 * @param resetOn event type that restarts the counter, or {@code null} ({@code regression} mode)
 * @param clear when increasing numbers clear a replay ({@code regression} mode)
 */
public record ChangeDetection(Detect detect, Map<String, String> baselines, boolean learnFirst, Channel channel,
    String resetOn, Trigger clear) implements Rule {
  public static final String TYPE = "change";
  private static final Trigger IMMEDIATELY = Trigger.afterConsecutive(1);

  /** What kind of change is detected. */
  public enum Detect { BASELINE, DECREASE, REGRESSION }

  public ChangeDetection {
    Objects.requireNonNull(detect, "detect");
    baselines = Map.copyOf(baselines);
    clear = clear == null ? IMMEDIATELY : clear;
    Require.that(detect != Detect.REGRESSION || (channel != null && channel != Channel.VIOLATION), "channel",
        "regression needs a device channel, got " + channel);
    Require.that(detect != Detect.BASELINE || !baselines.isEmpty() || learnFirst, "baselines",
        "give approved baselines per model and/or learnFirst: true");
  }

  public static ChangeDetection baseline(Map<String, String> baselines, boolean learnFirst) {
    return new ChangeDetection(Detect.BASELINE, baselines, learnFirst, null, null, null);
  }

  public static ChangeDetection downgrade() {
    return new ChangeDetection(Detect.DECREASE, Map.of(), false, null, null, null);
  }

  public static ChangeDetection replay(Channel channel, String resetOn, Trigger clear) {
    return new ChangeDetection(Detect.REGRESSION, Map.of(), false, channel, resetOn, clear);
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Set<Channel> channels() {
    if (detect != Detect.REGRESSION) {
      return EnumSet.of(Channel.STATE);
    }
    return resetOn == null ? EnumSet.of(channel) : EnumSet.of(channel, Channel.EVENT);
  }

  @Override
  public Evaluation evaluate(CheckState previous, Observation observation) {
    return switch (detect) {
      case BASELINE -> configDrift(previous, observation);
      case DECREASE -> downgrade(previous, observation);
      case REGRESSION -> replay(previous, observation);
    };
  }

  private Evaluation configDrift(CheckState previous, Observation o) {
    Instant at = o.eventTime();
    String hash = o.reported() == null ? null : o.reported().getConfigHash();
    if (hash == null || CheckStates.isLate(previous, at)) {
      return Evaluation.unchanged(previous);
    }
    String model = o.reported().getModel();
    String baseline = model == null ? null : baselines.get(model);
    CheckState state = CheckStates.copyOrFresh(previous, TYPE, at);
    state.setLastEventTime(at);
    if (baseline == null) {
      if (!learnFirst) {
        return Evaluation.unchanged(previous);
      }
      if (state.getReference() == null) {
        state.setReference(hash);
        return new Evaluation(state, Outcome.NONE, null, hash, "learned configuration baseline " + hash);
      }
      baseline = state.getReference();
    }
    String approved = baseline;
    return CheckStates.debounce(state, !hash.equals(approved), at, IMMEDIATELY, IMMEDIATELY, null, hash,
        () -> "configuration " + hash + " differs from the approved baseline " + approved,
        () -> "configuration back on the approved baseline " + approved);
  }

  private Evaluation downgrade(CheckState previous, Observation o) {
    Instant at = o.eventTime();
    String firmware = o.reported() == null ? null : o.reported().getFirmware();
    if (firmware == null || CheckStates.isLate(previous, at)) {
      return Evaluation.unchanged(previous);
    }
    Version reported;
    try {
      reported = Version.parse(firmware);
    } catch (IllegalArgumentException e) {
      return Evaluation.unchanged(previous); // not comparable; version-below policies report it
    }
    CheckState state = CheckStates.copyOrFresh(previous, TYPE, at);
    state.setLastEventTime(at);
    if (state.getReference() == null) {
      state.setReference(firmware);
      return new Evaluation(state, Outcome.NONE, null, firmware, "first firmware version " + firmware);
    }
    Version highest = Version.parse(state.getReference());
    boolean lower = reported.compareTo(highest) < 0;
    ApprovedChange approval = lower ? RegistrySchedules.approval(o.asset(), highest, reported, at) : null;
    if (reported.compareTo(highest) > 0 || approval != null) {
      state.setReference(firmware);
    }
    Supplier<String> cleared = () -> approval == null
        ? "firmware " + firmware + " at or above " + highest + " again"
        : "downgrade from " + highest + " to " + firmware + " approved"
            + (approval.getReference() == null ? "" : " (" + approval.getReference() + ")");
    return CheckStates.debounce(state, lower && approval == null, at, IMMEDIATELY, IMMEDIATELY, null, firmware,
        () -> "firmware went down from " + highest + " to " + firmware, cleared);
  }

  private Evaluation replay(CheckState previous, Observation o) {
    Instant at = o.eventTime();
    if (resetOn != null && o.isEvent(resetOn)) {
      if (previous == null || previous.getLastSeq() == null) {
        return Evaluation.unchanged(previous);
      }
      CheckState state = CheckStates.copyOrFresh(previous, TYPE, at);
      state.setLastSeq(o.channel() == channel ? o.seq() : null);
      return new Evaluation(state, state.getActive() ? Outcome.HOLD : Outcome.NONE, null, "");
    }
    Long seq = o.seq();
    if (o.channel() != channel || seq == null) {
      return Evaluation.unchanged(previous);
    }
    Long last = previous == null ? null : previous.getLastSeq();
    if (last != null && seq.longValue() == last) {
      return Evaluation.unchanged(previous); // duplicate delivery
    }
    CheckState state = CheckStates.copyOrFresh(previous, TYPE, at);
    if (at.isAfter(state.getLastEventTime())) {
      state.setLastEventTime(at);
    }
    boolean regressed = last != null && seq < last;
    if (!regressed) {
      state.setLastSeq(seq);
    }
    return CheckStates.debounce(state, regressed, at, IMMEDIATELY, clear, seq.doubleValue(), null,
        () -> "sequence number " + seq + " after " + last + " on " + channel.name().toLowerCase()
            + ": replayed message",
        () -> "sequence number " + seq + " increasing");
  }

  private static final Map<String, Detect> DETECT = Map.of("baseline", Detect.BASELINE, "decrease", Detect.DECREASE,
      "regression", Detect.REGRESSION);

  /** Reads the {@code rule:} fields of a policy file; errors name the file, line and field. */
  static ChangeDetection read(YamlMap rule) {
    ChangeDetection.Detect detect = rule.oneOf("detect", DETECT);
    return switch (detect) {
      case BASELINE -> {
        rule.allowOnly("type", "detect", "baselines", "learnFirst");
        yield ChangeDetection.baseline(rule.textMap("baselines"), rule.optionalBoolean("learnFirst", false));
      }
      case DECREASE -> {
        rule.allowOnly("type", "detect");
        yield ChangeDetection.downgrade();
      }
      case REGRESSION -> {
        rule.allowOnly("type", "detect", "channel", "resetOn", "clear");
        yield ChangeDetection.replay(rule.oneOf("channel", Channel.BY_SEGMENT),
            rule.has("resetOn") ? rule.identifier("resetOn") : null, Trigger.optional(rule, "clear"));
      }
    };
  }
}
