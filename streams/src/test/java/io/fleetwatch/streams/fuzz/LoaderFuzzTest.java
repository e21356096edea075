package io.fleetwatch.streams.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.streams.policy.PolicyFormatException;
import io.fleetwatch.streams.policy.PolicyLoader;
import io.fleetwatch.streams.registry.AssetRegistryFile;
import io.fleetwatch.streams.registry.RegistryException;
import java.io.StringReader;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * Hostile input to the YAML loaders (policy catalogue and asset registry): whatever the text, a loader returns
 * a result or throws its own exception with a message; never anything else, never a hang.
 */
class LoaderFuzzTest {

  private static final List<String> FRAGMENTS = List.of("apiVersion: fleetwatch.io/v1\n", "kind: Policy\n",
      "kind: AssetRegistry\n", "id: SAF-01\n", "checks:\n", "  - id: c\n", "    rule:\n", "      type: envelope\n",
      "      metric: x\n", "      max: 1e400\n", "      min: .nan\n", "assets:\n", "  - deviceId: d\n", "    site: s\n",
      "    assetClass: a\n", "severity: high\n", "version: 99999999999999999999\n", "references: [", "{", "}", "]",
      "&a [*a, *a]\n", "!!java.lang.Object {}\n", "!!binary AAAA\n", "? complex\n", ": key\n", "\t", "\u0000", "\uFFFF",
      "- - - -\n", "x: \"unterminated\n", "%YAML 1.1\n---\n", "...\n", "<<: *b\n", "'", "\"\\u00\"", "\r\n");

  @Provide
  Arbitrary<String> yamlish() {
    return Arbitraries.oneOf(
        Arbitraries.of(FRAGMENTS).list().ofMaxSize(40).map(l -> String.join("", l)),
        Arbitraries.strings().all().ofMaxLength(400));
  }

  @Property(tries = 1500)
  void policyLoaderOnlyEverRejectsWithAPolicyFormatException(@ForAll("yamlish") String text) {
    try {
      new PolicyLoader().parse("fuzz.yaml", text);
    } catch (PolicyFormatException e) {
      assertTrue(e.getMessage() != null && e.getMessage().contains("fuzz.yaml"), e.getMessage());
    }
  }

  @Property(tries = 1500)
  void registryLoaderOnlyEverRejectsWithARegistryException(@ForAll("yamlish") String text) {
    try {
      AssetRegistryFile.read("fuzz.yaml", new StringReader(text));
    } catch (RegistryException e) {
      assertTrue(e.getMessage().startsWith("fuzz.yaml:"), e.getMessage());
    }
  }

  @Test
  void billionLaughsIsRejectedNotExpanded() {
    StringBuilder yaml = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (char c = 'b'; c <= 'j'; c++) {
      char p = (char) (c - 1);
      yaml.append(c).append(": &").append(c).append(" [*").append(p).append(",*").append(p).append(",*").append(p)
          .append(",*").append(p).append(",*").append(p).append(",*").append(p).append(",*").append(p).append(",*")
          .append(p).append(",*").append(p).append("]\n");
    }
    String text = "apiVersion: fleetwatch.io/v1\nkind: AssetRegistry\n" + yaml + "assets: *j\n";

    try {
      AssetRegistryFile.read("laughs.yaml", new StringReader(text));
      throw new AssertionError("an alias bomb was accepted");
    } catch (RegistryException e) {
      assertTrue(e.getMessage().startsWith("laughs.yaml:"), e.getMessage());
    }
    try {
      new PolicyLoader().parse("laughs.yaml", text.replace("AssetRegistry", "Policy"));
      throw new AssertionError("an alias bomb was accepted");
    } catch (PolicyFormatException e) {
      assertTrue(e.getMessage().contains("laughs.yaml"), e.getMessage());
    }
  }

  @Test
  void deeplyNestedInputIsRejected() {
    String deep = "apiVersion: fleetwatch.io/v1\nkind: AssetRegistry\nassets: " + "[".repeat(5000) + "]".repeat(5000);
    try {
      AssetRegistryFile.read("deep.yaml", new StringReader(deep));
      throw new AssertionError("5000 levels of nesting were accepted");
    } catch (RegistryException e) {
      assertTrue(e.getMessage().startsWith("deep.yaml:"), e.getMessage());
    }
    try {
      new PolicyLoader().parse("deep.yaml", deep.replace("AssetRegistry", "Policy"));
      throw new AssertionError("5000 levels of nesting were accepted");
    } catch (PolicyFormatException e) {
      assertTrue(e.getMessage().contains("deep.yaml"), e.getMessage());
    }
  }
}
