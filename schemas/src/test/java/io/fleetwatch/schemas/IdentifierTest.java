package io.fleetwatch.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdentifierTest {
  @Test
  void theSyntaxIsStatedByTheConstants() {
    assertEquals("[A-Za-z0-9._-]{1,64}", Identifier.SYNTAX);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "boiler-1", "B.2_c", "", "with space", "ümlaut", "a/b", "x#", "+",
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
  void theFastCheckAgreesWithThePattern(String text) {
    assertEquals(Identifier.PATTERN.matcher(text).matches(), Identifier.isValid(text), text);
  }

  @Test
  void theFastCheckAgreesWithThePatternOnRandomText() {
    Random random = new Random(20261202L);
    String alphabet = "aZ09._-/ +#é\u0000~";
    for (int i = 0; i < 20_000; i++) {
      StringBuilder text = new StringBuilder();
      int length = random.nextInt(Identifier.MAX_LENGTH + 3);
      for (int j = 0; j < length; j++) {
        text.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String s = text.toString();
      assertEquals(Identifier.PATTERN.matcher(s).matches(), Identifier.isValid(s), s);
    }
  }

  @Test
  void nullIsNoIdentifier() {
    assertFalse(Identifier.isValid(null));
  }
}
