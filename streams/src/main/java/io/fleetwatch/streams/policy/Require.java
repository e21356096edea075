package io.fleetwatch.streams.policy;

import java.time.Duration;
import java.util.Objects;

/**
 * The checks of the policy records' constructors. Each throws an {@link InvalidFieldException} naming the field and
 * saying what was received against which bound, so the same check serves records built in code and records read
 * from policy files (where it becomes {@code file:line: field: why}). A {@code null} value is a
 * {@link NullPointerException} naming the field, as with {@link Objects#requireNonNull}.
 */
final class Require {
  private Require() {
  }

  /** Fails with {@code reason} at {@code field} unless {@code accepted}. */
  static void that(boolean accepted, String field, String reason) {
    if (!accepted) {
      throw new InvalidFieldException(field, reason);
    }
  }

  /** A finite number. */
  static void finite(String field, double value) {
    that(Double.isFinite(value), field, "must be a finite number, got " + value);
  }

  /** A finite number above zero. */
  static void positive(String field, double value) {
    that(value > 0 && Double.isFinite(value), field, "must be a finite number > 0, got " + value);
  }

  /** A finite number of at least zero. */
  static void notNegative(String field, double value) {
    that(value >= 0 && Double.isFinite(value), field, "must be a finite number >= 0, got " + value);
  }

  /** An integer of at least {@code least}; {@code meaning} (may be empty) says what the bound stands for. */
  static void atLeast(String field, int value, int least, String meaning) {
    that(value >= least, field, "must be >= " + least + (meaning.isEmpty() ? "" : " " + meaning) + ", got " + value);
  }

  /** A duration longer than zero. */
  static void positive(String field, Duration value) {
    Objects.requireNonNull(value, field);
    that(!value.isNegative() && !value.isZero(), field, "must be longer than zero, got " + value);
  }

  /** A duration that is not negative. */
  static void notNegative(String field, Duration value) {
    Objects.requireNonNull(value, field);
    that(!value.isNegative(), field, "must not be negative, got " + value);
  }
}
