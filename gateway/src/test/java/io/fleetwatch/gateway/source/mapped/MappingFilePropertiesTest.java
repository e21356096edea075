package io.fleetwatch.gateway.source.mapped;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.gateway.source.SourceFileException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever a mapping file holds, reading it yields mappings or a list of file:line errors, never another exception. */
class MappingFilePropertiesTest {

  @Property(tries = 1500)
  void mutatedMappingFilesAreReadOrReportedLineByLine(@ForAll("mutatedFiles") String text) {
    try {
      MappingFile.read("m.yaml", new StringReader(text));
    } catch (SourceFileException e) {
      assertFalse(e.errors().isEmpty());
      e.errors().forEach(line -> assertTrue(line.startsWith("m.yaml:"), line));
    }
  }

  /** A shipped example with up to five edits: a line deleted or duplicated, a character replaced or inserted. */
  @Provide
  Arbitrary<String> mutatedFiles() {
    List<String> examples;
    try {
      examples = List.of(Files.readString(Path.of("../examples/mappings/bacnet-building.yaml")),
          Files.readString(Path.of("../examples/mappings/modbus-edge.yaml")));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    Arbitrary<Character> significant = Arbitraries.of(':', '{', '}', '[', ']', '-', ' ', '/', '~', '#', '"', '\'',
        '&', '*', '!', '|', '>', '\t', 'x', '0');
    Arbitrary<int[]> edit = Combinators.combine(Arbitraries.integers().between(0, 3),
        Arbitraries.integers().between(0, 100_000), significant.map(c -> (int) c)).as((k, at, c) -> new int[] {k, at, c});
    return Combinators.combine(Arbitraries.of(examples), edit.list().ofMaxSize(5)).as((text, edits) -> {
      StringBuilder s = new StringBuilder(text);
      for (int[] e : edits) {
        if (s.length() == 0) {
          break;
        }
        int at = e[1] % s.length();
        int lineStart = s.lastIndexOf("\n", at) + 1;
        int lineEnd = s.indexOf("\n", at) < 0 ? s.length() : s.indexOf("\n", at) + 1;
        switch (e[0]) {
          case 0 -> s.delete(lineStart, lineEnd);
          case 1 -> s.insert(lineStart, s.substring(lineStart, lineEnd));
          case 2 -> s.setCharAt(at, (char) e[2]);
          default -> s.insert(at, (char) e[2]);
        }
      }
      return s.toString();
    });
  }
}
