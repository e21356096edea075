package io.fleetwatch.streams.policy;

import java.util.Objects;
import java.util.Set;

/**
 * A framework provision a policy serves, e.g. {@code nist-sp-800-171 3.1.8}.
 *
 * @param framework one of {@link #FRAMEWORKS}
 * @param provision provision id within the framework
 */
public record FrameworkReference(String framework, String provision) {
  /** Framework ids a policy may cite. */
  public static final Set<String> FRAMEWORKS =
      Set.of("iot-ssf", "nist-ir-8259a", "nist-ir-8259b", "etsi-en-303-645", "nist-sp-800-171", "iso-27400", "cpsf");

  public FrameworkReference {
    Objects.requireNonNull(framework, "framework");
    Objects.requireNonNull(provision, "provision");
    Require.that(FRAMEWORKS.contains(framework), "framework",
        "unknown framework '" + framework + "', expected one of " + FRAMEWORKS.stream().sorted().toList());
    Require.that(!provision.isBlank(), "provision", "must not be blank");
  }
}
