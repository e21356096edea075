package io.fleetwatch.streams.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetwatch.avro.PolicyKind;
import io.fleetwatch.avro.Severity;
import io.fleetwatch.streams.policy.Check;
import io.fleetwatch.streams.policy.FrameworkReference;
import io.fleetwatch.streams.policy.Policy;
import io.fleetwatch.streams.policy.RuntimeCatalogue;
import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;

/**
 * Writes the catalogue in force and the refused definitions as JSON ({@code GET /api/policies}). Policies are
 * parsed from YAML into Java records ({@link Policy}), not Avro records, so they are written here, the one writer of
 * that view; enums as {@link AvroJson} writes them.
 */
final class PolicyJson {
  private final ObjectMapper mapper;

  PolicyJson(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  ObjectNode write(RuntimeCatalogue catalogue) {
    ObjectNode json = mapper.createObjectNode();
    ArrayNode list = json.putArray("policies");
    catalogue.current().policies().stream().sorted(Comparator.comparing(Policy::id)).forEach(p -> {
      ObjectNode policy = list.addObject();
      policy.put("id", p.id());
      policy.put("version", p.version());
      policy.put("title", p.title());
      policy.put("kind", AvroJson.symbol(PolicyKind.getClassSchema(), p.kind()));
      policy.put("severity", AvroJson.symbol(Severity.getClassSchema(), p.severity()));
      policy.put("origin", catalogue.origin(p.id()).name().toLowerCase(Locale.ROOT));
      policy.put("source", p.source());
      ArrayNode refs = policy.putArray("references");
      for (FrameworkReference r : p.references()) {
        refs.addObject().put("framework", r.framework()).put("provision", r.provision());
      }
      policy.put("remediation", p.remediation());
      ArrayNode checks = policy.putArray("checks");
      for (Check c : p.checks()) {
        ObjectNode check = checks.addObject();
        check.put("id", c.id());
        check.put("type", c.rule().type());
        ObjectNode scope = check.putObject("scope");
        sortedArray(scope.putArray("assetClasses"), c.scope().assetClasses());
        sortedArray(scope.putArray("sites"), c.scope().sites());
        sortedArray(scope.putArray("devices"), c.scope().devices());
      }
    });
    ArrayNode rejected = json.putArray("rejected");
    for (RuntimeCatalogue.Rejection r : catalogue.rejections()) {
      rejected.addObject().put("id", r.policyId()).put("source", r.source()).put("version", r.version())
          .put("reason", r.reason());
    }
    return json;
  }

  private static void sortedArray(ArrayNode array, Collection<String> values) {
    values.stream().sorted().forEach(array::add);
  }
}
