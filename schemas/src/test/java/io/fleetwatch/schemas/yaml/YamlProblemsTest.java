package io.fleetwatch.schemas.yaml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class YamlProblemsTest {
  private static final String DOC = """
      name: boiler
      count: many
      name: again
      colour: red
      size: 3
      ratio: high
      """;

  @Test
  void everyProblemOfAFileIsListedInOneExceptionInTheOrderFound() {
    YamlProblems problems = new YamlProblems();
    YamlMap map = YamlReader.document("f.yaml", DOC).asMap(problems).withOnly(Set.of("name", "count", "size", "ratio"), problems, "unknown field");
    assertEquals("boiler", problems.attempt(map.required("name")::string));
    assertNull(problems.attempt(() -> map.requiredInt("count")));
    assertEquals(3, problems.attempt(() -> map.requiredInt("size")));
    assertFalse(problems.check(() -> map.requiredNumber("ratio")));
    assertTrue(problems.check(() -> map.optionalString("missing")));

    YamlFormatException e = assertThrows(YamlFormatException.class, problems::throwIfAny);
    List<String> expected = List.of(
        "f.yaml:3: name: duplicate key (first at line 1)",
        "f.yaml:4: colour: unknown field; expected one of [count, name, ratio, size]",
        "f.yaml:2: count: expected an integer, got 'many'",
        "f.yaml:6: ratio: expected a number, got 'high'");
    assertEquals(expected, e.errors());
    assertEquals(String.join(System.lineSeparator(), expected), e.getMessage());
    assertEquals(4, e.problems().size());
    assertEquals(3, e.line(), "the file, line, field and reason are the first problem's");
    assertEquals("name", e.field());
  }

  @Test
  void aFileWithoutProblemsThrowsNothing() {
    YamlProblems problems = new YamlProblems();
    YamlMap map = YamlReader.document("f.yaml", "name: boiler\n").asMap(problems);
    assertEquals("boiler", problems.attempt(() -> map.requiredString("name")));
    assertTrue(problems.isEmpty());
    problems.throwIfAny();
  }

  @Test
  void theFirstErrorApiStillStopsAtADuplicateKey() {
    YamlValue doc = YamlReader.document("f.yaml", DOC);
    assertEquals("f.yaml:3: name: duplicate key (first at line 1)",
        assertThrows(YamlFormatException.class, doc::asMap).getMessage());
    assertEquals(List.of("f.yaml:3: name: duplicate key (first at line 1)"),
        assertThrows(YamlFormatException.class, doc::asMap).errors());
  }

  @Test
  void aCombinedProblemIsRecordedAsEachOfItsProblemsAndAReaderMayThrowItsOwnType() {
    YamlProblems inner = new YamlProblems();
    inner.add(new YamlFormatException("a.yaml", 1, "x", "one"));
    inner.add(new YamlFormatException("a.yaml", 2, "", "two"));
    YamlProblems outer = new YamlProblems();
    outer.add(assertThrows(YamlFormatException.class, inner::throwIfAny));
    assertEquals(2, outer.count());

    class Own extends YamlFormatException {
      private static final long serialVersionUID = 1L;

      Own(List<YamlFormatException> problems) {
        super(problems);
      }
    }
    Own own = assertThrows(Own.class, () -> outer.throwIfAny(Own::new));
    assertEquals(List.of("a.yaml:1: x: one", "a.yaml:2: two"), own.errors());
  }

  @Test
  void keysThatAreNoTextAreRecordedAndSkipped() {
    YamlProblems problems = new YamlProblems();
    YamlMap map = YamlReader.document("f.yaml", "? [a, b]\n: 1\nname: x\n").asMap(problems);
    assertEquals(Set.of("name"), map.keys());
    assertEquals(List.of("f.yaml:1: keys must be plain text, got a list"),
        problems.all().stream().map(Throwable::getMessage).toList());
  }

  @Test
  void entryKeepsANullValueThatHasTreatsAsAbsent() {
    YamlMap map = YamlReader.document("f.yaml", "empty:\nname: x\n").asMap();
    assertFalse(map.has("empty"));
    assertTrue(map.entry("empty").isNull());
    assertNull(map.entry("missing"));
  }

  @Test
  void numbersAndBooleansAreTold() {
    YamlMap map = YamlReader.document("f.yaml", "n: 1.5\nb: yes\ns: '1'\n").asMap();
    assertTrue(map.entry("n").isNumber());
    assertFalse(map.entry("n").isBoolean());
    assertTrue(map.entry("b").isBoolean());
    assertFalse(map.entry("s").isNumber());
    assertFalse(map.entry("s").isBoolean());
  }
}
