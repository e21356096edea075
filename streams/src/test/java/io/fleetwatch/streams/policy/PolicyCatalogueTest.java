package io.fleetwatch.streams.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetwatch.avro.PolicyKind;
import io.fleetwatch.avro.Severity;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyCatalogueTest {
  private static final Rule RULE =
      new Envelope("m", null, 1.0, Trigger.afterConsecutive(1), Trigger.afterConsecutive(1), 0.0);

  private static Policy policy(String id, Check... checks) {
    return new Policy(id, 1, id, PolicyKind.SAFETY, Severity.LOW,
        List.of(new FrameworkReference("cpsf", "L2")), "fix", List.of(checks), id + ".yaml");
  }

  private final PolicyCatalogue catalogue = PolicyCatalogue.of(List.of(
      policy("P1",
          new Check("chillers", new Scope(Set.of("chiller"), Set.of(), Set.of()), RULE),
          new Check("chillers-at-lab", new Scope(Set.of("chiller"), Set.of("lab"), Set.of()), RULE)),
      policy("P2",
          new Check("everything", Scope.ALL, RULE),
          new Check("hq-anything", new Scope(Set.of(), Set.of("hq"), Set.of()), RULE),
          new Check("one-device", new Scope(Set.of(), Set.of(), Set.of("boiler-9")), RULE))));

  private List<String> ids(List<ApplicableCheck> checks) {
    return checks.stream().map(a -> a.policy().id() + "/" + a.check().id()).sorted().toList();
  }

  @Test
  void answersChecksByAssetClassSiteAndDevice() {
    assertEquals(List.of("P1/chillers", "P2/everything", "P2/hq-anything"),
        ids(catalogue.checksFor("chiller", "hq", "chiller-01")));
    assertEquals(List.of("P1/chillers", "P1/chillers-at-lab", "P2/everything"),
        ids(catalogue.checksFor("chiller", "lab", "chiller-02")));
    assertEquals(List.of("P2/everything", "P2/one-device"), ids(catalogue.checksFor("boiler", "lab", "boiler-9")));
  }

  @Test
  void unregisteredDevicesGetOnlyUnscopedChecks() {
    assertEquals(List.of("P2/everything"), ids(catalogue.unscopedChecks()));
  }
}
