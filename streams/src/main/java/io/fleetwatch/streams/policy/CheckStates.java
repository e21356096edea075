package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.CheckState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.function.Supplier;

/**
 * Creation of check states, and the raise/clear debouncing shared by the condition-style rules: a condition
 * that holds for the {@code raise} trigger raises the check, one that stops holding for the {@code clear}
 * trigger clears it (the same run logic as {@link Envelope}, without the hysteresis band).
 */
final class CheckStates {
  private CheckStates() {}

  /** A fresh, inactive state written by rule {@code type}. */
  static CheckState fresh(String type, Instant at) {
    return CheckState.newBuilder().setActive(false).setLastEventTime(at).setRuleType(type).build();
  }

  /** A copy of {@code previous} to modify, or a fresh state when there is none. */
  static CheckState copyOrFresh(CheckState previous, String type, Instant at) {
    return previous == null ? fresh(type, at) : copy(previous);
  }

  /**
   * A copy of {@code state} that the caller may change without touching {@code state}. Field by field rather than
   * through {@code CheckState.newBuilder(state)}, whose generic deep copy was a tenth of the evaluation's CPU: every
   * field is immutable except {@code samples}, a list the rules replace and never change in place (it is copied
   * anyway). {@code CheckStatesTest} fails when the schema gains a field this method does not copy.
   */
  static CheckState copy(CheckState state) {
    CheckState copy = new CheckState();
    copy.setActive(state.getActive());
    copy.setBreachCount(state.getBreachCount());
    copy.setBreachSince(state.getBreachSince());
    copy.setOkCount(state.getOkCount());
    copy.setOkSince(state.getOkSince());
    copy.setLastEventTime(state.getLastEventTime());
    copy.setRuleType(state.getRuleType());
    copy.setSamples(new ArrayList<>(state.getSamples()));
    copy.setLow(state.getLow());
    copy.setHigh(state.getHigh());
    copy.setReference(state.getReference());
    copy.setLastSeq(state.getLastSeq());
    copy.setArmedAt(state.getArmedAt());
    return copy;
  }

  /** Whether {@code at} is older than the latest observation applied to {@code previous}. */
  static boolean isLate(CheckState previous, Instant at) {
    return previous != null && at.isBefore(previous.getLastEventTime());
  }

  /**
   * Applies one observation of a condition to {@code state} (a copy the caller owns).
   *
   * @param holds whether the condition holds for this observation
   * @param holdsText detail when it holds, e.g. {@code tls 1.0 in [1.0, 1.1, none]}, built only when asked
   * @param okText detail when it does not, built only when asked
   */
  static Evaluation debounce(CheckState state, boolean holds, Instant at, Trigger raise, Trigger clear,
      Double observed, String observedText, Supplier<String> holdsText, Supplier<String> okText) {
    if (!state.getActive()) {
      state.setOkCount(0);
      state.setOkSince(null);
      if (!holds) {
        state.setBreachCount(0);
        state.setBreachSince(null);
        return new Evaluation(state, Outcome.NONE, observed, observedText, okText);
      }
      int count = state.getBreachCount() + 1;
      Instant since = state.getBreachSince() == null ? at : state.getBreachSince();
      if (raise.isMet(count, Duration.between(since, at))) {
        state.setActive(true);
        state.setBreachCount(0);
        state.setBreachSince(null);
        return new Evaluation(state, Outcome.RAISED, observed, observedText,
            () -> holdsText.get() + runText(count, since, at));
      }
      state.setBreachCount(count);
      state.setBreachSince(since);
      return new Evaluation(state, Outcome.PENDING, observed, observedText,
          () -> holdsText.get() + ", " + count + " so far");
    }
    state.setBreachCount(0);
    state.setBreachSince(null);
    if (holds) {
      state.setOkCount(0);
      state.setOkSince(null);
      return new Evaluation(state, Outcome.HOLD, observed, observedText, holdsText);
    }
    int count = state.getOkCount() + 1;
    Instant since = state.getOkSince() == null ? at : state.getOkSince();
    if (clear.isMet(count, Duration.between(since, at))) {
      state.setActive(false);
      state.setOkCount(0);
      state.setOkSince(null);
      return new Evaluation(state, Outcome.CLEARED, observed, observedText,
          () -> okText.get() + runText(count, since, at));
    }
    state.setOkCount(count);
    state.setOkSince(since);
    return new Evaluation(state, Outcome.HOLD, observed, observedText, () -> okText.get() + ", " + count + " so far");
  }

  private static String runText(int count, Instant since, Instant at) {
    if (count <= 1) {
      return "";
    }
    Duration elapsed = Duration.between(since, at);
    return " (" + count + " in a row" + (elapsed.isZero() ? "" : " over " + elapsed.toMillis() / 1000.0 + "s") + ")";
  }

  /** Seconds of a duration, for observed values. */
  static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }
}
