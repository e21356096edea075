package io.fleetwatch.streams.registry;

import io.fleetwatch.avro.Asset;
import io.fleetwatch.avro.BusinessService;
import io.fleetwatch.avro.DeviceModel;
import io.fleetwatch.avro.Sbom;
import io.fleetwatch.avro.Stakeholder;
import java.util.List;

/**
 * The contents of a registry file: assets, the business services they support, the supply-chain stakeholders
 * to contact, and the model catalogue with the SBOMs registered per model and firmware.
 */
public record Registry(List<Asset> assets, List<BusinessService> services, List<Stakeholder> stakeholders,
    List<DeviceModel> models, List<Sbom> sboms) {
  public Registry {
    assets = List.copyOf(assets);
    services = List.copyOf(services);
    stakeholders = List.copyOf(stakeholders);
    models = List.copyOf(models);
    sboms = List.copyOf(sboms);
  }

  public Registry(List<Asset> assets, List<BusinessService> services, List<Stakeholder> stakeholders) {
    this(assets, services, stakeholders, List.of(), List.of());
  }
}
