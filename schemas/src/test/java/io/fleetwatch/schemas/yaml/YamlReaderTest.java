package io.fleetwatch.schemas.yaml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class YamlReaderTest {
  private static final String DOC = """
      name: boiler
      count: 3
      ratio: 0.5
      on: true
      wait: PT30S
      level: high
      tags: [a, b-1]
      inner:
        deep:
          value: x
      items:
        - {id: one}
        - id: two
      """;

  private static YamlMap doc(String text) {
    return YamlReader.document("f.yaml", text).asMap();
  }

  private static String error(String text, java.util.function.Consumer<YamlMap> read) {
    return assertThrows(YamlFormatException.class, () -> read.accept(doc(text))).getMessage();
  }

  @Test
  void readsTypedValuesWithTheirPositionsAndPaths() {
    YamlMap map = doc(DOC);
    assertEquals("boiler", map.requiredString("name"));
    assertEquals(3, map.requiredInt("count"));
    assertEquals(0.5, map.requiredNumber("ratio"));
    assertTrue(map.optionalBoolean("on", false));
    assertEquals(Duration.ofSeconds(30), map.duration("wait"));
    assertEquals("high", map.oneOf("level", Map.of("high", "high")));
    assertEquals(Set.of("a", "b-1"), map.identifierSet("tags"));
    YamlMap deep = map.requiredMapping("inner").requiredMapping("deep");
    assertEquals("inner.deep", deep.path());
    assertEquals(10, deep.line());
    List<YamlMap> items = map.requiredMappings("items");
    assertEquals("items[1]", items.get(1).path());
    assertEquals(13, items.get(1).line());
    assertEquals("f.yaml:13: items[1].id: boom", items.get(1).error("id", "boom").getMessage());
  }

  @Test
  void anAbsentOrNullOptionalValueGivesTheFallback() {
    YamlMap map = doc("a: ~\nb:\n");
    assertFalse(map.has("a"));
    assertFalse(map.has("b"));
    assertNull(map.optionalString("a"));
    assertEquals(7, map.optionalInt("b", 7));
    assertEquals(Duration.ZERO, map.optionalDuration("missing", Duration.ZERO));
    assertEquals(Set.of(), map.textSet("missing"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "x: 3          | string     | f.yaml:2: x: expected a string, got number 3",
      "x: '  '       | string     | f.yaml:2: x: must not be blank",
      "x: three      | int        | f.yaml:2: x: expected an integer, got 'three'",
      "x: 1.5        | int        | f.yaml:2: x: expected an integer, got number 1.5",
      "x: 99999999999 | int       | f.yaml:2: x: integer out of range: 99999999999",
      "x: four       | number     | f.yaml:2: x: expected a number, got 'four'",
      "x: .inf       | number     | f.yaml:2: x: expected a finite number, got .inf",
      "x: maybe      | boolean    | f.yaml:2: x: expected true or false, got 'maybe'",
      "x: 15m        | duration   | f.yaml:2: x: expected an ISO-8601 duration such as PT30S, got '15m'",
      "x: -PT1S      | duration   | f.yaml:2: x: must not be negative, got -PT1S",
      "x: PT0S       | positive   | f.yaml:2: x: must be longer than zero",
      "x: High       | oneOf      | f.yaml:2: x: 'High' is not one of [high, low] (use lower case)",
      "x: 'a b'      | identifier | f.yaml:2: x: expected an identifier [A-Za-z0-9._-]{1,64}, got 'a b'",
      "x: [a, 'b c'] | identifiers | f.yaml:2: x[1]: expected an identifier [A-Za-z0-9._-]{1,64}, got 'b c'",
      "x: [a, {}]    | texts      | f.yaml:2: x[1]: expected a value, got a mapping",
      "x: a          | list       | f.yaml:2: x: expected a list, got 'a'",
      "x: [1]        | mapping    | f.yaml:2: x: expected a mapping, got a list",
      "y: 1          | string     | f.yaml:1: x: required field is missing",
      "x: {'a b': 1} | textMap    | f.yaml:2: x.a b: expected an identifier [A-Za-z0-9._-]{1,64} as key"})
  void eachAccessorNamesFileLineFieldAndWhy(String line, String accessor, String message) {
    String text = "top: 0\n" + line + "\n";
    assertEquals(message, error(text, map -> {
      switch (accessor) {
        case "string" -> map.requiredString("x");
        case "int" -> map.requiredInt("x");
        case "number" -> map.requiredNumber("x");
        case "boolean" -> map.optionalBoolean("x", false);
        case "duration" -> map.duration("x");
        case "positive" -> map.positiveDuration("x");
        case "oneOf" -> map.oneOf("x", Map.of("high", 1, "low", 2));
        case "identifier" -> map.identifier("x");
        case "identifiers" -> map.identifierSet("x");
        case "texts" -> map.texts("x");
        case "list" -> map.list("x");
        case "mapping" -> map.requiredMapping("x");
        case "textMap" -> map.textMap("x");
        default -> throw new IllegalArgumentException(accessor);
      }
    }));
  }

  @Test
  void rejectsUnknownAndDuplicateKeysAtTheirLines() {
    assertEquals("f.yaml:3: colour: unknown field, expected one of [name, size]",
        error("name: a\nsize: 1\ncolour: red\n", map -> map.allowOnly("size", "name")));
    assertEquals("f.yaml:3: outer.a: duplicate key (first at line 2)",
        assertThrows(YamlFormatException.class, () -> doc("outer:\n  a: 1\n  a: 2\n").requiredMapping("outer"))
            .getMessage());
  }

  @Test
  void aDocumentThatIsNoMappingIsReportedAsTheDocument() {
    YamlFormatException e = assertThrows(YamlFormatException.class,
        () -> YamlReader.document("f.yaml", "- a\n- b\n").asMap());
    assertEquals("f.yaml:1: (document): expected a mapping, got a list", e.getMessage());
    assertEquals("(document)", e.field());
    assertEquals(1, e.line());
    assertEquals("expected a mapping, got a list", e.reason());
  }

  @Test
  void invalidYamlNamesTheLineOfTheProblem() {
    YamlFormatException e = assertThrows(YamlFormatException.class,
        () -> YamlReader.documents("f.yaml", "a: 1\nb: [unclosed\n"));
    assertTrue(e.getMessage().startsWith("f.yaml:3: invalid YAML: "), e.getMessage());
    assertEquals("", e.field());
  }

  @Test
  void readsEveryDocumentOfAStreamWithEmptyOnesAsNull() {
    List<YamlValue> documents = YamlReader.documents("f.yaml", "a: 1\n---\nb: 2\n---\n");
    assertEquals(3, documents.size());
    assertEquals(3, documents.get(1).asMap().line());
    assertTrue(documents.get(2).isNull());
    assertNull(YamlReader.document("f.yaml", ""));
  }

  @Test
  void quotedNumbersAreStringsAndUnquotedOnesAreNot() {
    YamlMap map = doc("a: '3'\nb: 3\n");
    assertEquals("3", map.requiredString("a"));
    assertEquals("3", map.requiredText("b"));
    assertThrows(YamlFormatException.class, () -> map.requiredString("b"));
  }

  @Test
  void refusesAliasBombsAndDeepNestingAsFormatErrors() {
    StringBuilder laughs = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (char c = 'b'; c <= 'm'; c++) {
      laughs.append(c).append(": &").append(c).append(" [");
      laughs.append(("*" + (char) (c - 1) + ", ").repeat(9)).append('*').append((char) (c - 1)).append("]\n");
    }
    YamlFormatException bomb = assertThrows(YamlFormatException.class,
        () -> YamlReader.documents("laughs.yaml", laughs.toString()));
    assertTrue(bomb.getMessage().startsWith("laughs.yaml:"), bomb.getMessage());
    String deep = "a: " + "[".repeat(YamlReader.MAX_DEPTH + 10) + "]".repeat(YamlReader.MAX_DEPTH + 10) + "\n";
    YamlFormatException nested = assertThrows(YamlFormatException.class,
        () -> YamlReader.documents("deep.yaml", deep));
    assertTrue(nested.getMessage().startsWith("deep.yaml:"), nested.getMessage());
  }
}
