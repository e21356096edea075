package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.CheckState;
import io.fleetwatch.schemas.yaml.YamlMap;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Windowed count over all devices of a site (YAML {@code type: site-count}): raises one site-level finding when at
 * least {@code threshold} events matching {@code signal} (or, with {@code distinct}, that many distinct values of
 * that attribute, e.g. auth_failure sources) from any devices of the site fall inside the sliding event-time window
 * ending at the site's latest input; clears when the count drops below the threshold.
 *
 * <p>Device side: each matching event is sent to its site as a sample; once the device's own event time has moved a
 * whole window past its latest sample (any message of the device), it sends one tick, so the site's window moves
 * on and a burst clears even when no further matching event comes. Group side: the same sliding window as
 * {@link WindowedCount} over the site's samples (late samples inside the window count). Routing state per device:
 * the time of its latest sample ({@code armedAt}).
 *
 * @param signal the events counted (an event signal; its attribute conditions are checked on the device side)
 * @param window the sliding window
 * @param threshold the count that raises ({@code >= 1})
 * @param distinct event attribute whose distinct values are counted, or {@code null} to count events
 */
public record SiteCount(SignalMatch.Event signal, Duration window, int threshold, String distinct)
    implements GroupRule {
  public static final String TYPE = "site-count";
  private static final String MISSING_VALUE = "(none)";

  public SiteCount {
    Objects.requireNonNull(signal, "signal");
    counter(signal, window, threshold, distinct); // validates window and threshold
  }

  private static WindowedCount counter(SignalMatch.Event signal, Duration window, int threshold, String distinct) {
    return new WindowedCount(SignalMatch.Event.ofType(signal.type()), window, threshold, distinct);
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Set<Channel> routedChannels() {
    return Channel.DEVICE;
  }

  @Override
  public boolean siteLevel() {
    return true;
  }

  @Override
  public Routing route(CheckState previous, Observation observation, String deviceId, String site) {
    Instant at = observation.eventTime();
    if (!signal.matches(observation)) {
      if (previous == null || previous.getArmedAt() == null
          || !at.isAfter(previous.getArmedAt().plus(window))) {
        return Routing.unchanged(previous);
      }
      CheckState state = CheckStates.copyOrFresh(previous, TYPE, at);
      state.setArmedAt(null);
      state.setLastEventTime(at);
      return new Routing(state, List.of(new GroupInput(site, GroupInput.Kind.TICK, deviceId, site, at, null)));
    }
    String value = distinct == null ? null : observation.attributes().getOrDefault(distinct, MISSING_VALUE);
    CheckState state = CheckStates.copyOrFresh(previous, TYPE, at);
    if (state.getArmedAt() == null || at.isAfter(state.getArmedAt())) {
      state.setArmedAt(at);
    }
    if (at.isAfter(state.getLastEventTime())) {
      state.setLastEventTime(at);
    }
    return new Routing(state, List.of(new GroupInput(site, GroupInput.Kind.SAMPLE, deviceId, site, at, value)));
  }

  @Override
  public GroupEvaluation evaluateGroup(CheckState previous, GroupInput input) {
    Observation observation = switch (input.kind()) {
      case SAMPLE -> Observation.event(input.at(), null, null, signal.type(),
          distinct == null || input.value() == null ? Map.of() : Map.of(distinct, input.value()));
      case TICK -> Observation.telemetry(input.at(), null, null, Map.of()); // moves the window, never counted
      case JOIN, LEAVE -> null;
    };
    if (observation == null) {
      return new GroupEvaluation(previous, List.of());
    }
    Evaluation evaluation = counter(signal, window, threshold, distinct).evaluate(previous, observation);
    if (evaluation.state() != null && !TYPE.equals(evaluation.state().getRuleType())) {
      evaluation.state().setRuleType(TYPE); // a fresh state of the window: the group state of this rule kind
    }
    if (!evaluation.outcome().isTransition()) {
      return new GroupEvaluation(evaluation.state(), List.of());
    }
    Evaluation atSite = new Evaluation(evaluation.state(), evaluation.outcome(), evaluation.observed(),
        evaluation.observedText(), "site " + input.group() + ": " + evaluation.detail() + " (latest from "
        + input.deviceId() + ")");
    return new GroupEvaluation(evaluation.state(), List.of(new GroupRule.Finding(null, input.group(), null, atSite)));
  }

  /** Reads the {@code rule:} fields of a policy file; errors name the file, line and field. */
  static SiteCount read(YamlMap rule) {
    rule.allowOnly("type", "signal", "window", "threshold", "distinct");
    if (!(SignalMatch.read(rule.requiredMapping("signal")) instanceof SignalMatch.Event signal)) {
      throw rule.error("signal", "a site count counts events: give {event: TYPE}");
    }
    return new SiteCount(signal, rule.duration("window"), rule.requiredInt("threshold"),
        rule.optionalIdentifier("distinct"));
  }
}
