package io.fleetwatch.streams.incident;

import java.util.Map;

/**
 * How many severity steps each factor moves an incident (configuration, see {@code policies/iot-ssf.yaml}).
 *
 * @param byCategory steps per IoT-SSF category (missing categories move nothing)
 * @param safetyFunction a safety or safety-security incident on an asset that serves a safety function
 * @param safetyFunctionRaisesRecovery recovery-difficulty levels added for such an incident (IoT-SSF axis 1)
 * @param knownExploited a raising violation carried the known-exploited flag
 * @param correlatedSite the device incident is grouped into an open site incident (FLT-01)
 * @param attack a mass-offline site incident (FLT-03) accompanied by security incidents
 */
public record SeverityFactors(Map<String, Integer> byCategory, int safetyFunction, int safetyFunctionRaisesRecovery,
    int knownExploited, int correlatedSite, int attack) {
  public SeverityFactors {
    byCategory = Map.copyOf(byCategory);
  }

  public int forCategory(String category) {
    return byCategory.getOrDefault(category, 0);
  }
}
