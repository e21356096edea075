package io.fleetwatch.streams.incident;

import io.fleetwatch.avro.BusinessImpact;
import io.fleetwatch.avro.BusinessService;
import io.fleetwatch.avro.ServiceImpact;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Pure business-impact arithmetic: the hurt services with their RTO/RPO and cost rates, downtime so far, cost so
 * far and per hour, and the time left until the tightest RTO is breached.
 */
public final class ImpactCalculator {
  private ImpactCalculator() {}

  /**
   * @param services the services the asset supports (unknown ids already left out); empty yields {@code null}
   * @param openedAt event time the incident opened (start of the downtime)
   * @param until end of the downtime so far: when its checks cleared or it resolved, else {@code assessedAt}
   * @param assessedAt wall-clock time of the assessment
   */
  public static BusinessImpact assess(List<BusinessService> services, Instant openedAt, Instant until,
      Instant assessedAt) {
    if (services.isEmpty()) {
      return null;
    }
    long downtime = Math.max(0, Duration.between(openedAt, until).toSeconds());
    double costPerHour = 0;
    long rto = Long.MAX_VALUE;
    boolean fallback = true;
    List<ServiceImpact> hurt = new ArrayList<>();
    for (BusinessService s : services) {
      costPerHour += s.getCostPerHour();
      rto = Math.min(rto, s.getRtoSeconds());
      fallback &= s.getManualFallback();
      hurt.add(new ServiceImpact(s.getId(), s.getName(), s.getRtoSeconds(), s.getRpoSeconds(), s.getCostPerHour(),
          s.getCurrency(), s.getManualFallback(), s.getFallback(), s.getBcpReference()));
    }
    return BusinessImpact.newBuilder()
        .setServices(hurt)
        .setCostPerHour(costPerHour)
        .setCurrency(services.get(0).getCurrency())
        .setDowntimeSeconds(downtime)
        .setCostSoFar(Math.round(costPerHour * downtime / 3600.0 * 100) / 100.0)
        .setRtoSeconds(rto)
        .setSecondsUntilRtoBreach(rto - downtime)
        .setRtoBreached(downtime >= rto)
        .setManualFallback(fallback)
        .setAssessedAt(assessedAt)
        .build();
  }

  /**
   * Escalation level for an impact: the highest step whose fraction of the tightest RTO has elapsed; 0 without
   * an impact or an RTO.
   */
  public static int escalationLevel(BusinessImpact impact, List<EscalationStep> steps) {
    if (impact == null || impact.getRtoSeconds() == null) {
      return 0;
    }
    long rto = impact.getRtoSeconds();
    int level = 0;
    for (EscalationStep step : steps) {
      boolean reached = rto <= 0 || impact.getDowntimeSeconds() >= step.rtoElapsed() * rto;
      if (reached) {
        level = Math.max(level, step.level());
      }
    }
    return level;
  }
}
