package io.fleetwatch.streams.incident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.PolicyKind;
import io.fleetwatch.avro.Severity;
import io.fleetwatch.avro.Violation;
import io.fleetwatch.avro.ViolationStatus;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

/** FLT-01 with the shipped correlation (3 devices, or 50 % of the site's registered devices and at least 2). */
class SiteCorrelatorTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");
  private final SiteCorrelator correlator = new SiteCorrelator(IncidentRules.defaults());
  private final IncidentLifecycle lifecycle = new IncidentLifecycle();

  @Test
  void doesNotCountTheSiteRegistryForALoneIncident() {
    // Given one device with a security incident at the site, and a registry count that must not be needed
    Incident alone = opened("dev-1");
    IntSupplier registry = () -> {
      throw new AssertionError("the registry was read for a lone incident");
    };
    // When correlated, Then nothing is grouped and the registry was not read
    assertTrue(correlator.signals(List.of(alone), registry, alone).isEmpty());
  }

  @Test
  void groupsTwoDevicesWhenTheyAreHalfOfTheRegisteredSite() {
    // Given two devices with security incidents at a site of four registered devices
    Incident first = opened("dev-1");
    Incident second = opened("dev-2");
    AtomicInteger reads = new AtomicInteger();
    IntSupplier registry = () -> {
      reads.incrementAndGet();
      return 4;
    };
    // When correlated
    List<Violation> signals = correlator.signals(List.of(first, second), registry, second);
    // Then both are grouped into the site incident, and the detail names the registry count
    assertEquals(2, signals.size());
    assertTrue(signals.get(0).getDetail().contains("(of 4 registered)"), signals.get(0).getDetail());
    assertTrue(reads.get() > 0);
  }

  private Incident opened(String device) {
    Violation v = Violation.newBuilder().setPolicyId("SEC-03").setCheckId("check").setTitle("weak transport")
        .setKind(PolicyKind.SECURITY).setStatus(ViolationStatus.RAISED).setSeverity(Severity.HIGH)
        .setDeviceId(device).setSite("site-1").setEventTime(T0).setDetail("detail").build();
    return lifecycle.apply(null, v, T0).incident();
  }
}
