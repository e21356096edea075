package io.fleetwatch.streams.incident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetwatch.streams.policy.PolicyFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IncidentRulesLoaderTest {
  private static final Path POLICIES = Path.of("../policies");

  @Test
  void builtInDefaultsAreTheShippedFilesVerbatim() throws Exception {
    // The built-in copies are the fallback when the policy path has none; they must not drift from policies/.
    assertEquals(Files.readString(POLICIES.resolve("iot-ssf.yaml")),
        IncidentRulesLoader.resource(IncidentRulesLoader.BUILT_IN_MODEL));
    assertEquals(Files.readString(POLICIES.resolve("iot-ssf-actions.yaml")),
        IncidentRulesLoader.resource(IncidentRulesLoader.BUILT_IN_ACTIONS));
  }

  @ParameterizedTest
  @CsvSource({"1,1,I", "1,4,II", "2,4,III", "3,4,III", "4,4,IV", "4,1,II", "0,4,none", "3,0,none"})
  void placesAssetsOnTheShippedMatrix(int recovery, int economic, String category) {
    IncidentRules rules = new IncidentRulesLoader().load(POLICIES);
    assertEquals(category, rules.matrix().assess(recovery, economic).getCategory());
  }

  @Test
  void aPolicyFileWithoutTheModelFallsBackToTheBuiltInOne() {
    IncidentRules rules = new IncidentRulesLoader().load(POLICIES.resolve("saf-01-safe-envelope.yaml"));
    assertEquals(IncidentRules.defaults().matrix(), rules.matrix());
  }

  @Test
  void namesFileLineAndFieldOfAnUnknownCategoryInTheMatrix() {
    String yaml = IncidentRulesLoader.resource(IncidentRulesLoader.BUILT_IN_MODEL)
        .replace("  - [II, III, III, IV]", "  - [II, III, III, V]");
    PolicyFormatException e = assertThrows(PolicyFormatException.class,
        () -> new IncidentRulesLoader().parse("iot-ssf.yaml", yaml));
    assertEquals("iot-ssf.yaml", e.file());
    assertEquals(16, e.line(), e.getMessage());
    assertEquals("matrix[3][3]", e.field());
  }

  @Test
  void rejectsAnUnknownPerspectiveAndAnUnknownField() {
    String actions = "apiVersion: fleetwatch.io/v1\nkind: IncidentActionTemplates\ntemplates:\n"
        + "  - actions:\n      P5:\n        - call someone\n";
    PolicyFormatException perspective = assertThrows(PolicyFormatException.class,
        () -> new IncidentRulesLoader().parse("a.yaml", actions));
    assertEquals("a.yaml:5: templates[0].actions.P5: expected a perspective P1, P2, P3 or P4",
        perspective.getMessage());
    String extra = IncidentRulesLoader.resource(IncidentRulesLoader.BUILT_IN_MODEL) + "colour: blue\n";
    PolicyFormatException unknown = assertThrows(PolicyFormatException.class,
        () -> new IncidentRulesLoader().parse("m.yaml", extra));
    assertEquals("colour", unknown.field());
  }
}
