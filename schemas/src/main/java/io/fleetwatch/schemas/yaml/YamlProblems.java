package io.fleetwatch.schemas.yaml;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The problems of one file, for readers that report every error of a file instead of stopping at the first. A
 * reader runs the ordinary (first-error) accessors through {@link #attempt} and goes on with the rest of the file
 * when one fails, records its own findings with {@link #add}, and calls {@link #throwIfAny()} at the end, which
 * throws one {@link YamlFormatException} whose message has one {@code file:line: field: why} line per problem.
 * Not thread-safe; one instance per read.
 */
public final class YamlProblems {
  private final List<YamlFormatException> found = new ArrayList<>();

  /** Records a problem (every problem of a combined exception). */
  public void add(YamlFormatException problem) {
    found.addAll(problem.problems());
  }

  /** The result of {@code read}, or {@code null} with its problem recorded when it fails. */
  public <T> T attempt(Supplier<? extends T> read) {
    try {
      return read.get();
    } catch (YamlFormatException e) {
      add(e);
      return null;
    }
  }

  /** Runs {@code check}; whether it passed, its problem recorded when not. */
  public boolean check(Runnable check) {
    try {
      check.run();
      return true;
    } catch (YamlFormatException e) {
      add(e);
      return false;
    }
  }

  /** Number of problems so far. */
  public int count() {
    return found.size();
  }

  public boolean isEmpty() {
    return found.isEmpty();
  }

  /** The problems so far, in the order found. */
  public List<YamlFormatException> all() {
    return List.copyOf(found);
  }

  /** Throws one {@link YamlFormatException} listing every problem, if there is any. */
  public void throwIfAny() {
    throwIfAny(YamlFormatException::new);
  }

  /** Throws the exception {@code combine} makes of every problem (e.g. a reader's subclass), if there is any. */
  public void throwIfAny(Function<List<YamlFormatException>, ? extends YamlFormatException> combine) {
    if (!found.isEmpty()) {
      throw combine.apply(List.copyOf(found));
    }
  }
}
