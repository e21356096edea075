package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.CheckState;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A rule over a group of devices rather than one device: the devices of a site ({@link SiteCount}) or the devices
 * that share a value ({@link SharedValue}). Evaluation has two pure halves, because device messages are keyed by
 * device and a group spans partitions:
 *
 * <ol>
 *   <li>{@link #route} runs where the device's messages are (device side): from the device's routing state and one
 *       observation it says what the observation contributes to which group ({@link GroupInput}s).</li>
 *   <li>{@link #evaluateGroup} runs where every input of one group meets (the topology repartitions the inputs by
 *       group): from the group's state and one input it returns the group's new state and the raised/cleared
 *       findings, each for a device or, for site-level rules, for the site.</li>
 * </ol>
 * A group rule is never offered observations one device at a time ({@link #channels()} is empty and
 * {@link #evaluate} leaves the state as it is); {@link #routedChannels()} says which channels {@link #route} reads.
 * Device time only.
 */
public sealed interface GroupRule extends Rule permits SiteCount, SharedValue {

  /** Channels whose observations {@link #route} reads. */
  Set<Channel> routedChannels();

  /** Whether findings are about the site as a whole (one per site) rather than about devices. */
  boolean siteLevel();

  /**
   * Device side.
   *
   * @param previous this device's routing state for the check, or {@code null}
   * @param observation the device's observation
   * @param deviceId the device
   * @param site the device's site (registry, else MQTT topic)
   */
  Routing route(CheckState previous, Observation observation, String deviceId, String site);

  /**
   * Group side.
   *
   * @param previous the group's state, or {@code null}
   * @param input one input of the group, in the order the device side produced it per device
   */
  GroupEvaluation evaluateGroup(CheckState previous, GroupInput input);

  @Override
  default Set<Channel> channels() {
    return Set.of();
  }

  /** Never called by the topology (no channels); a group rule has no per-device verdict. */
  @Override
  default Evaluation evaluate(CheckState previous, Observation observation) {
    return Evaluation.unchanged(previous);
  }

  /**
   * The device side's result.
   *
   * @param state the device's routing state to keep ({@code previous} when unchanged)
   * @param inputs what the observation contributes, in order (often none)
   */
  record Routing(CheckState state, List<GroupInput> inputs) {
    public Routing {
      inputs = List.copyOf(inputs);
    }

    static Routing unchanged(CheckState state) {
      return new Routing(state, List.of());
    }
  }

  /**
   * The group side's result.
   *
   * @param state the group's state to keep, or {@code null} when the group is empty and its state can go
   * @param findings raised/cleared transitions, in order
   */
  record GroupEvaluation(CheckState state, List<Finding> findings) {
    public GroupEvaluation {
      findings = List.copyOf(findings);
    }
  }

  /**
   * One transition found by a group evaluation.
   *
   * @param deviceId the device it is about, or {@code null} for a site-level finding
   * @param site the site of the device, or the site of a site-level finding
   * @param qualifier what distinguishes this finding from others of the same check on the same device (the shared
   *     value), or {@code null}
   * @param evaluation outcome ({@link Outcome#RAISED} or {@link Outcome#CLEARED}), observed values and detail
   */
  record Finding(String deviceId, String site, String qualifier, Evaluation evaluation) {
    public Finding {
      Objects.requireNonNull(site, "site");
      Objects.requireNonNull(evaluation, "evaluation");
    }
  }
}
