package io.fleetwatch.streams.incident;

import io.fleetwatch.avro.Asset;
import io.fleetwatch.avro.BusinessService;
import io.fleetwatch.avro.Stakeholder;
import io.fleetwatch.avro.StakeholderRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What the registry says about the asset(s) behind an incident, resolved from the global tables: IoT-SSF levels,
 * safety function, the business services (known ones only) and the stakeholders by role.
 *
 * @param zone zone, or null
 * @param model model, or null
 * @param recovery recovery-difficulty level (0 = not assessed)
 * @param economic economic-impact level (0 = not assessed)
 * @param safetyFunction whether it serves a safety function
 * @param services business services, in registry order
 * @param stakeholderRefs roles and stakeholder ids, in registry order
 * @param stakeholders the referenced stakeholders found in {@code fleet.stakeholders}
 */
public record AssetContext(String zone, String model, int recovery, int economic, boolean safetyFunction,
    List<BusinessService> services, List<StakeholderRef> stakeholderRefs, Map<String, Stakeholder> stakeholders) {
  public static final AssetContext UNREGISTERED = new AssetContext(null, null, 0, 0, false, List.of(), List.of(),
      Map.of());

  /** The context of one registered asset. */
  public static AssetContext of(Asset asset, Function<String, BusinessService> services,
      Function<String, Stakeholder> stakeholders) {
    if (asset == null) {
      return UNREGISTERED;
    }
    return merge(List.of(asset), services, stakeholders, asset.getZone(), asset.getModel());
  }

  /** The context of several assets (a site incident): the highest levels and the union of services and roles. */
  public static AssetContext ofAll(List<Asset> assets, Function<String, BusinessService> services,
      Function<String, Stakeholder> stakeholders) {
    return assets.isEmpty() ? UNREGISTERED : merge(assets, services, stakeholders, null, null);
  }

  private static AssetContext merge(List<Asset> assets, Function<String, BusinessService> services,
      Function<String, Stakeholder> stakeholders, String zone, String model) {
    int recovery = 0;
    int economic = 0;
    boolean safety = false;
    Map<String, BusinessService> hurt = new LinkedHashMap<>();
    List<StakeholderRef> refs = new ArrayList<>();
    Map<String, Stakeholder> known = new LinkedHashMap<>();
    for (Asset a : assets) {
      recovery = Math.max(recovery, a.getRecoveryDifficulty());
      economic = Math.max(economic, a.getEconomicImpact());
      safety |= a.getSafetyFunction();
      for (String id : a.getServices()) {
        BusinessService s = hurt.containsKey(id) ? null : services.apply(id);
        if (s != null) {
          hurt.put(id, s);
        }
      }
      for (StakeholderRef ref : a.getStakeholders()) {
        boolean seen = refs.stream().anyMatch(r -> r.getRole().equals(ref.getRole())
            && r.getStakeholderId().equals(ref.getStakeholderId()));
        if (!seen) {
          refs.add(ref);
          Stakeholder s = stakeholders.apply(ref.getStakeholderId());
          if (s != null) {
            known.put(ref.getStakeholderId(), s);
          }
        }
      }
    }
    return new AssetContext(zone, model, recovery, economic, safety, List.copyOf(hurt.values()), refs, known);
  }
}
