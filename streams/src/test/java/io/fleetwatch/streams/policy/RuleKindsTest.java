package io.fleetwatch.streams.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class RuleKindsTest {
  @Test
  void everyRuleRecordHasExactlyOneReaderUnderItsTypeName() throws ReflectiveOperationException {
    // Given every record that implements Rule (through sealed sub-interfaces such as GroupRule)
    Set<String> types = new TreeSet<>();
    Deque<Class<?>> pending = new ArrayDeque<>(Set.of(Rule.class));
    while (!pending.isEmpty()) {
      Class<?> type = pending.pop();
      if (type.isRecord()) {
        types.add((String) type.getField("TYPE").get(null));
      } else {
        pending.addAll(Set.of(type.getPermittedSubclasses()));
      }
    }
    // Then the registry knows each type name, and nothing else
    assertEquals(types, new TreeSet<>(RuleKinds.BY_TYPE.keySet()));
  }

  @Test
  void aKindsReaderReadsTheRecordOfThatKind() {
    for (var kind : RuleKinds.BY_TYPE.entrySet()) {
      String yaml = "type: " + kind.getKey() + "\n";
      try {
        Rule rule = kind.getValue().apply(io.fleetwatch.schemas.yaml.YamlReader.document("r.yaml", yaml).asMap());
        assertEquals(kind.getKey(), rule.type());
      } catch (io.fleetwatch.schemas.yaml.YamlFormatException e) {
        // most kinds need more fields; the reader still names them at the rule's line
        assertEquals(1, e.line(), e.getMessage());
      }
    }
  }
}
