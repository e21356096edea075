package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.CheckState;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The result of evaluating one check against one observation.
 *
 * @param state the check state to keep (the previous one, unchanged, when the observation was ignored;
 *     {@code null} only when there was no previous state and the observation was not applicable)
 * @param outcome what the evaluation means for the check's lifecycle
 * @param observed the observed number that was evaluated, or {@code null}
 * @param observedText the observed text value (version, hash, port list, source), or {@code null}
 * @param explanation builds the human-readable explanation, {@link #detail}: only when asked, since most
 *     evaluations change nothing anyone reads about
 */
public record Evaluation(CheckState state, Outcome outcome, Double observed, String observedText,
    Supplier<String> explanation) {
  private static final Supplier<String> NOTHING = () -> "";

  public Evaluation {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(explanation, "explanation");
  }

  /** An evaluation with its explanation already built ({@code detail}). */
  public Evaluation(CheckState state, Outcome outcome, Double observed, String observedText, String detail) {
    this(state, outcome, observed, observedText, text(detail));
  }

  public Evaluation(CheckState state, Outcome outcome, Double observed, String detail) {
    this(state, outcome, observed, null, text(detail));
  }

  /** Nothing to do: keep {@code state} as it is. */
  public static Evaluation unchanged(CheckState state) {
    return new Evaluation(state, Outcome.NONE, null, null, NOTHING);
  }

  /** A human-readable explanation (empty when nothing was evaluated). */
  public String detail() {
    return Objects.requireNonNull(explanation.get(), "detail");
  }

  private static Supplier<String> text(String detail) {
    Objects.requireNonNull(detail, "detail");
    return detail.isEmpty() ? NOTHING : () -> detail;
  }

  /** Whether the observation was applicable and read a value (counts as a policy evaluation). */
  public boolean evaluated() {
    return observed != null || observedText != null || outcome.isTransition();
  }
}
