package io.fleetwatch.streams.incident;

import java.util.List;
import java.util.Map;

/**
 * Which supply-chain roles an incident is routed to (configuration).
 *
 * @param byCategory roles per IoT-SSF category ({@value SsfMatrix#NONE} for assets not assessed)
 * @param security roles added for security and safety-security incidents
 * @param escalated roles added once the incident is escalated (level >= 1)
 */
public record Routing(Map<String, List<String>> byCategory, List<String> security, List<String> escalated) {
  public Routing {
    byCategory = Map.copyOf(byCategory);
    security = List.copyOf(security);
    escalated = List.copyOf(escalated);
  }
}
