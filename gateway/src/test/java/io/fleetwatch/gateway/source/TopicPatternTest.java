package io.fleetwatch.gateway.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetwatch.avro.DeadLetterReason;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TopicPatternTest {

  @Test
  void namedSegmentsBecomeWildcardsInTheFilterAndValuesInTheMatch() {
    TopicPattern p = TopicPattern.parse("bacnet/{site}/+/{device}/#");

    assertEquals("bacnet/+/+/+/#", p.filter());
    assertEquals(new TopicPattern.Match("hq", "ahu-1"), p.match("bacnet/hq/gw-7/ahu-1/point/3"));
    assertEquals(new TopicPattern.Match("hq", "ahu-1"), p.match("bacnet/hq/gw-7/ahu-1"));
    assertNull(p.match("bacnet/hq/gw-7"));
    assertNull(p.match("knx/hq/gw-7/ahu-1"));
  }

  @Test
  void aPatternWithoutDeviceMatchesSiteOnly() {
    TopicPattern p = TopicPattern.parse("senml/{site}");

    assertEquals(new TopicPattern.Match("hq", null), p.match("senml/hq"));
    assertNull(p.match("senml/hq/x"));
    assertNull(p.match("senml/hq").checkIdentifiers());
  }

  @Test
  void identifiersAreCheckedAsOnTheNativeTopics() {
    assertEquals(DeadLetterReason.BAD_IDENTIFIER, new TopicPattern.Match("hq", "a+b").checkIdentifiers().reason());
    assertEquals("site '' must match [A-Za-z0-9._-]{1,64}", TopicPattern.parse("s/{site}/{device}").match("s//d")
        .checkIdentifiers().detail());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "a/#/{site}|'#' may only be the last segment of 'a/#/{site}'",
      "a/{site}x/{device}|segment '{site}x' of 'a/{site}x/{device}' mixes text with a wildcard or a name; use a whole segment: +, #, {site} or {device}",
      "a//{site}|empty segment in 'a//{site}'",
      "$share/g/{site}|topic pattern must not start with '$' (shared subscriptions are set by mqtt.share.group)",
      "a/{device}|'a/{device}' has no {site} segment; every record needs a site",
      "{site}/{site}|{site} appears more than once in '{site}/{site}'",
  })
  void rejectsMalformedPatterns(String pattern, String message) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, () -> TopicPattern.parse(pattern)).getMessage());
  }
}
