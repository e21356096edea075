package io.fleetwatch.simulator.scenario;

import io.fleetwatch.simulator.fleet.DeviceProfile;
import io.fleetwatch.simulator.SimulatedDevice;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Scenarios bound to a fleet: every step's target resolved to devices and its schedule turned into times in
 * milliseconds since the simulator started. The simulator asks it, per message, how the device deviates from
 * normal (forced metrics, silence, clock skew, changed state), and per tick which discrete actions fall due
 * (events, state reports, replays). Pure with respect to time: the caller passes the elapsed time. Not
 * thread-safe (the simulator's single publishing thread owns it; frozen readings are remembered here).
 */
public final class FaultPlan {
  private final List<Scenario> scenarios;
  private final List<Bound> bound = new ArrayList<>();
  private final Map<String, List<Bound>> byDevice = new HashMap<>();
  private final List<ResolvedExpectation> expectations = new ArrayList<>();
  private final List<ResolvedForbidden> forbidden = new ArrayList<>();
  private final Map<String, Double> frozen = new HashMap<>();
  private final Random noise;

  /** What the simulator does when a discrete action falls due. */
  public interface Actions {
    void event(SimulatedDevice device, String type, Map<String, String> attributes);

    void reportState(SimulatedDevice device);

    void replay(SimulatedDevice device, int count);
  }

  /**
   * An expectation bound to the fleet.
   *
   * @param scenario scenario name
   * @param policy expected policy id
   * @param deviceId expected device, or null for a site-wide incident
   * @param site the device's site, or the site of a site target
   * @param injectedAfter offset of the fault injection from the simulator start
   * @param within detection deadline counted from the injection
   */
  public record ResolvedExpectation(String scenario, String policy, String deviceId, String site,
      Duration injectedAfter, Duration within) {
    /** {@code SAF-01 on chiller-01} or {@code FLT-03 at site hq}. */
    public String subject() {
      return policy + (deviceId != null ? " on " + deviceId : " at site " + site);
    }
  }

  /**
   * A forbidden incident bound to the fleet.
   *
   * @param scenario scenario name
   * @param policy forbidden policy id
   * @param deviceId the device it must not appear on, or null (site-wide, or anywhere when {@code site} is null too)
   * @param site the device's site or the site of a site target, or null for anywhere
   * @param from offset of the scenario's start from the simulator start: incidents detected from then on count
   */
  public record ResolvedForbidden(String scenario, String policy, String deviceId, String site, Duration from) {
    /** {@code SAF-01 on chiller-01}, {@code FLT-01 at site hq} or {@code SEC-14 anywhere}. */
    public String subject() {
      return policy + (deviceId != null ? " on " + deviceId : site != null ? " at site " + site : " anywhere");
    }
  }

  /**
   * Binds the scenarios to the fleet.
   *
   * @throws IllegalArgumentException when a target matches no device of the fleet
   */
  public FaultPlan(List<Scenario> scenarios, List<SimulatedDevice> fleet, long seed) {
    this.scenarios = List.copyOf(scenarios);
    this.noise = new Random(seed);
    for (Scenario scenario : scenarios) {
      Map<String, List<SimulatedDevice>> resolved = new LinkedHashMap<>();
      scenario.targets().forEach((name, target) -> {
        List<SimulatedDevice> devices = target.resolve(fleet);
        if (devices.isEmpty()) {
          throw new IllegalArgumentException("scenario " + scenario.name() + ": target '" + name + "' (" + target
              + ") matches no device of the simulated fleet");
        }
        resolved.put(name, devices);
      });
      for (Step step : scenario.steps()) {
        Bound b = new Bound(bound.size(), scenario, step, resolved.get(step.target()));
        bound.add(b);
        for (SimulatedDevice d : b.devices) {
          byDevice.computeIfAbsent(d.deviceId(), k -> new ArrayList<>()).add(b);
        }
      }
      for (Expectation e : scenario.expectations()) {
        Step injection = e.after() == null ? scenario.steps().get(0) : scenario.step(e.after());
        Duration injectedAfter = scenario.schedule().start().plus(injection.at());
        Target target = scenario.targets().get(e.target());
        List<SimulatedDevice> devices = resolved.get(e.target());
        if (target.siteWide()) {
          expectations.add(new ResolvedExpectation(scenario.name(), e.policy(), null, devices.get(0).site(),
              injectedAfter, e.within()));
        } else {
          for (SimulatedDevice d : devices) {
            expectations.add(new ResolvedExpectation(scenario.name(), e.policy(), d.deviceId(), d.site(),
                injectedAfter, e.within()));
          }
        }
      }
      Duration scenarioStart = scenario.schedule().start();
      for (Forbidden f : scenario.forbidden()) {
        if (f.target() == null) {
          forbidden.add(new ResolvedForbidden(scenario.name(), f.policy(), null, null, scenarioStart));
        } else if (scenario.targets().get(f.target()).siteWide()) {
          forbidden.add(new ResolvedForbidden(scenario.name(), f.policy(), null,
              resolved.get(f.target()).get(0).site(), scenarioStart));
        } else {
          for (SimulatedDevice d : resolved.get(f.target())) {
            forbidden.add(new ResolvedForbidden(scenario.name(), f.policy(), d.deviceId(), d.site(), scenarioStart));
          }
        }
      }
    }
  }

  public List<Scenario> scenarios() {
    return scenarios;
  }

  /** The scenarios' expected incidents, bound to devices and sites. */
  public List<ResolvedExpectation> expectations() {
    return List.copyOf(expectations);
  }

  /** The incidents the scenarios forbid, bound to devices and sites. */
  public List<ResolvedForbidden> forbidden() {
    return List.copyOf(forbidden);
  }

  /** The reading of {@code metric} on {@code device} at {@code elapsed} ms, given its normal value. */
  public double metric(SimulatedDevice device, String metric, long elapsed, double normal) {
    List<Bound> steps = byDevice.get(device.deviceId());
    if (steps == null) {
      return normal;
    }
    double value = normal;
    for (Bound b : steps) {
      if (!metric.equals(b.step.action().metric())) {
        continue;
      }
      long k = b.occurrence(elapsed);
      if (k < 0) {
        continue;
      }
      Action action = b.step.action();
      if (action instanceof Action.Force f) {
        value = f.value() + (f.noise() > 0 ? f.noise() * noise.nextGaussian() : 0.0);
      } else if (action instanceof Action.Ramp r) {
        double progress = Math.min(1.0, (elapsed - b.occurrenceStart(k)) / (double) b.durationMillis);
        double from = r.from() == null ? value : r.from();
        value = from + (r.to() - from) * progress;
      } else if (action instanceof Action.Freeze) {
        String key = b.index + "/" + k + "/" + device.deviceId();
        Double held = frozen.get(key);
        if (held == null) {
          String prefix = b.index + "/";
          String suffix = "/" + device.deviceId();
          frozen.keySet().removeIf(old -> old.startsWith(prefix) && old.endsWith(suffix));
          frozen.put(key, value);
        } else {
          value = held;
        }
      }
    }
    return value;
  }

  /** Whether {@code device} publishes nothing at {@code elapsed} ms. */
  public boolean silenced(SimulatedDevice device, long elapsed) {
    List<Bound> steps = byDevice.get(device.deviceId());
    if (steps == null) {
      return false;
    }
    for (Bound b : steps) {
      if (b.step.action() instanceof Action.Silence && b.occurrence(elapsed) >= 0) {
        return true;
      }
    }
    return false;
  }

  /** How far {@code device}'s clock is off at {@code elapsed} ms. */
  public long skewMillis(SimulatedDevice device, long elapsed) {
    List<Bound> steps = byDevice.get(device.deviceId());
    long skew = 0;
    if (steps != null) {
      for (Bound b : steps) {
        if (b.step.action() instanceof Action.Skew s && b.occurrence(elapsed) >= 0) {
          skew = s.offset().toMillis();
        }
      }
    }
    return skew;
  }

  /** What {@code device} reports on its state channel at {@code elapsed} ms. */
  public DeviceProfile state(SimulatedDevice device, long elapsed) {
    List<Bound> steps = byDevice.get(device.deviceId());
    DeviceProfile profile = device.profile();
    if (steps != null) {
      for (Bound b : steps) {
        if (b.step.action() instanceof Action.ReportState s && b.occurrence(elapsed) >= 0) {
          profile = s.change().applyTo(profile);
        }
      }
    }
    return profile;
  }

  /** How many recent telemetry messages of {@code deviceId} a replay step may re-send (0: none). */
  public int replayDepth(String deviceId) {
    List<Bound> steps = byDevice.get(deviceId);
    int depth = 0;
    if (steps != null) {
      for (Bound b : steps) {
        if (b.step.action() instanceof Action.Replay r) {
          depth = Math.max(depth, r.count());
        }
      }
    }
    return depth;
  }

  /** Calls {@code sink} for every discrete action due in {@code (fromExclusive, toInclusive]} ms, in time order per step. */
  public void actionsBetween(long fromExclusive, long toInclusive, Actions sink) {
    for (Bound b : bound) {
      Action action = b.step.action();
      if (action instanceof Action.Events e) {
        long span = Math.max(0, b.durationMillis);
        b.forOccurrences(fromExclusive, toInclusive, span, base -> {
          for (int i = 0; i < e.count(); i++) {
            long at = base + span * i / e.count();
            if (at > fromExclusive && at <= toInclusive) {
              Map<String, String> attributes = attributes(e.attributes(), i);
              b.devices.forEach(d -> sink.event(d, e.type(), attributes));
            }
          }
        });
      } else if (action instanceof Action.ReportState) {
        b.forOccurrences(fromExclusive, toInclusive, Math.max(0, b.durationMillis), base -> {
          // at the start the change shows at once; at the end the device reports its normal state again
          if (base > fromExclusive && base <= toInclusive) {
            b.devices.forEach(sink::reportState);
          }
          long end = base + b.durationMillis;
          if (b.durationMillis > 0 && end > fromExclusive && end <= toInclusive) {
            b.devices.forEach(sink::reportState);
          }
        });
      } else if (action instanceof Action.Replay r) {
        b.forOccurrences(fromExclusive, toInclusive, 0, base -> {
          if (base > fromExclusive && base <= toInclusive) {
            b.devices.forEach(d -> sink.replay(d, r.count()));
          }
        });
      }
      // durable telemetry, silence and skew actions are asked per message
    }
  }

  private static Map<String, String> attributes(Map<String, String> template, int index) {
    if (template.isEmpty()) {
      return template;
    }
    Map<String, String> result = new LinkedHashMap<>();
    template.forEach((k, v) -> result.put(k, v.replace("{n}", Integer.toString(index))));
    return result;
  }

  /** One step of one scenario with its devices and its times in milliseconds. */
  private static final class Bound {
    final int index;
    final Step step;
    final List<SimulatedDevice> devices;
    final long startMillis;
    final long repeatMillis;
    final int times;
    final long atMillis;
    /** Duration in ms; -1 when the step has none (open durable step or instant action). */
    final long durationMillis;

    Bound(int index, Scenario scenario, Step step, List<SimulatedDevice> devices) {
      this.index = index;
      this.step = step;
      this.devices = devices;
      this.startMillis = scenario.schedule().start().toMillis();
      this.repeatMillis = scenario.schedule().repeat().toMillis();
      this.times = scenario.schedule().times();
      this.atMillis = step.at().toMillis();
      this.durationMillis = step.duration() == null ? -1 : step.duration().toMillis();
    }

    /** The occurrence in which a durable step is active at {@code t}, or -1. */
    long occurrence(long t) {
      long rel = t - startMillis;
      if (rel < atMillis) {
        return -1;
      }
      if (durationMillis < 0) {
        return 0; // open: active from its first start until the end
      }
      long k = 0;
      if (repeatMillis > 0) {
        k = rel / repeatMillis;
        if (times > 0) {
          k = Math.min(k, times - 1L);
        }
      }
      long p = rel - k * repeatMillis;
      return p >= atMillis && p < atMillis + durationMillis ? k : -1;
    }

    long occurrenceStart(long k) {
      return startMillis + k * repeatMillis + atMillis;
    }

    /** Runs {@code action} with the start of each occurrence whose [start, start + span] meets (from, to]. */
    void forOccurrences(long from, long to, long span, java.util.function.LongConsumer action) {
      if (repeatMillis <= 0 || (durationMillis < 0 && step.action().durable())) {
        long base = occurrenceStart(0);
        if (base + span > from && base <= to) {
          action.accept(base);
        }
        return;
      }
      long first = Math.max(0, Math.floorDiv(from - span - startMillis - atMillis, repeatMillis));
      long last = Math.floorDiv(to - startMillis - atMillis, repeatMillis);
      if (times > 0) {
        last = Math.min(last, times - 1L);
      }
      for (long k = first; k <= last; k++) {
        long base = occurrenceStart(k);
        if (base + span > from) {
          action.accept(base);
        }
      }
    }
  }
}
