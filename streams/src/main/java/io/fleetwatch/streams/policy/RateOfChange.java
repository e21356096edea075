package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.CheckState;
import io.fleetwatch.avro.Sample;
import io.fleetwatch.schemas.yaml.YamlMap;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Rate of change of one metric over a window (YAML {@code type: rate-of-change}): the rate is
 * {@code |v(now) - v(ref)| / (t(now) - t(ref))}, expressed per {@code per}, where {@code ref} is the oldest
 * retained reading inside {@code window}; it is compared with {@code maxRate} only when that reading is at least
 * {@code minSpan} old (so that noise between two close readings does not count as a steep change). The check
 * raises and clears with the {@code raise} / {@code clear} triggers.
 *
 * <p>State stays compact: a reading is retained only when it is at least {@code window / 16} after the previous
 * retained one, so at most 17 samples are kept whatever the reporting rate. Late readings (older than the
 * latest applied) are ignored, like {@link Envelope}.
 *
 * @param metric the metric name
 * @param maxRate the highest acceptable absolute rate (units of the metric per {@code per})
 * @param per the time unit of the rate
 * @param window how far back the reference reading may lie
 * @param minSpan minimum age of the reference reading
 * @param raise when a run of steep readings raises the check
 * @param clear when a run of gentle readings clears it
 */
public record RateOfChange(String metric, double maxRate, Duration per, Duration window, Duration minSpan,
    Trigger raise, Trigger clear) implements MetricRule {
  public static final String TYPE = "rate-of-change";
  private static final int RETENTION_STEPS = 16;

  public RateOfChange {
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(raise, "raise");
    Objects.requireNonNull(clear, "clear");
    Require.positive("maxRate", maxRate);
    Require.positive("per", per);
    Require.positive("window", window);
    Require.notNegative("minSpan", minSpan);
    Require.that(minSpan.compareTo(window) <= 0, "minSpan",
        "must not exceed the window " + window + ", got " + minSpan);
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Evaluation apply(CheckState state, double value, Instant at) {
    List<Sample> samples = new ArrayList<>(state.getSamples().size() + 1);
    Instant oldest = at.minus(window);
    for (Sample s : state.getSamples()) {
      if (!s.getAt().isBefore(oldest)) {
        samples.add(s);
      }
    }
    Sample ref = samples.isEmpty() ? null : samples.get(0);
    Sample last = samples.isEmpty() ? null : samples.get(samples.size() - 1);
    if (last == null || Duration.between(last.getAt(), at).compareTo(window.dividedBy(RETENTION_STEPS)) >= 0) {
      samples.add(new Sample(at, value, null));
    }
    state.setSamples(samples);
    if (ref == null) {
      return new Evaluation(state, state.getActive() ? Outcome.HOLD : Outcome.NONE, null, "");
    }
    Duration span = Duration.between(ref.getAt(), at);
    if (span.isZero() || span.compareTo(minSpan) < 0) {
      return new Evaluation(state, state.getActive() ? Outcome.HOLD : Outcome.NONE, null, "");
    }
    double rate = Math.abs(value - ref.getValue()) / span.toNanos() * per.toNanos();
    Supplier<String> text = () -> metric + " changed " + format(ref.getValue()) + " -> " + format(value) + " in "
        + CheckStates.seconds(span) + "s: " + format(rate) + " per " + per;
    return CheckStates.debounce(state, rate > maxRate, at, raise, clear, rate, null,
        () -> text.get() + " above " + format(maxRate), () -> text.get() + " within " + format(maxRate));
  }

  private static String format(double v) {
    return String.valueOf(Math.round(v * 1000.0) / 1000.0);
  }

  /** Reads the {@code rule:} fields of a policy file; errors name the file, line and field. */
  static RateOfChange read(YamlMap rule) {
    rule.allowOnly("type", "metric", "maxRate", "per", "window", "minSpan", "raise", "clear");
    return new RateOfChange(rule.identifier("metric"), rule.requiredNumber("maxRate"),
        rule.optionalDuration("per", Duration.ofSeconds(1)), rule.duration("window"),
        rule.optionalDuration("minSpan", Duration.ZERO), Trigger.optional(rule, "raise"),
        Trigger.optional(rule, "clear"));
  }
}
