package io.fleetwatch.streams.registry;

import io.fleetwatch.avro.Asset;
import io.fleetwatch.avro.BusinessService;
import io.fleetwatch.avro.Stakeholder;
import java.util.List;

/**
 * The contents of a registry file: assets, the business services they support and the supply-chain stakeholders
 * to contact.
 */
public record Registry(List<Asset> assets, List<BusinessService> services, List<Stakeholder> stakeholders) {
  public Registry {
    assets = List.copyOf(assets);
    services = List.copyOf(services);
    stakeholders = List.copyOf(stakeholders);
  }
}
