package io.fleetwatch.simulator.scenario;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A named fault or attack, read from a scenario file ({@code scenarios/<name>.yaml}): which devices it touches
 * (named targets), when it runs ({@link Schedule}), what happens ({@link Step}s built from generic
 * {@link Action}s), which incidents the pipeline should raise because of it ({@link Expectation}s) and which it must
 * not raise while it runs ({@link Forbidden}).
 *
 * @param name scenario name, equal to the file name without {@code .yaml}
 * @param description what the scenario shows, for people
 * @param source file the scenario was read from (for messages)
 * @param schedule when the steps run, relative to the simulator start
 * @param targets named targets the steps and expectations refer to, in file order
 * @param steps what happens, in file order
 * @param expectations incidents the scenario should cause
 * @param forbidden incidents that must not appear while the scenario runs
 */
public record Scenario(String name, String description, String source, Schedule schedule, Map<String, Target> targets,
    List<Step> steps, List<Expectation> expectations, List<Forbidden> forbidden) {

  public Scenario {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(schedule, "schedule");
    targets = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(targets));
    steps = List.copyOf(steps);
    expectations = List.copyOf(expectations);
    forbidden = List.copyOf(forbidden);
  }

  /** The same scenario with another schedule (e.g. a start offset given on the command line). */
  public Scenario withSchedule(Schedule other) {
    return new Scenario(name, description, source, other, targets, steps, expectations, forbidden);
  }

  /** The same scenario with some targets replaced (e.g. {@code chiller-overheat:chiller-11}). */
  public Scenario withTargets(Map<String, Target> replaced) {
    Map<String, Target> merged = new java.util.LinkedHashMap<>(targets);
    for (String key : replaced.keySet()) {
      if (!targets.containsKey(key)) {
        throw new IllegalArgumentException("scenario " + name + " has no target '" + key + "'; its targets are "
            + targets.keySet());
      }
    }
    merged.putAll(replaced);
    return new Scenario(name, description, source, schedule, merged, steps, expectations, forbidden);
  }

  /** The step with this id, if any. */
  public Step step(String id) {
    return steps.stream().filter(s -> id.equals(s.id())).findFirst().orElse(null);
  }
}
