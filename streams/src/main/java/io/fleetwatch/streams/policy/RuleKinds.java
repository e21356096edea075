package io.fleetwatch.streams.policy;

import io.fleetwatch.schemas.yaml.YamlMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Every rule kind of policy files: its {@code type:} name and the reader of its {@code rule:} fields. Each reader
 * is a static {@code read(YamlMap)} beside its record that reads what is particular to the file (allowed keys,
 * types, defaults); the values are checked once, by the record's constructor ({@link Require}), and a value it
 * refuses comes out of the reader here as {@code file:line: checks[i].rule.field: why}. Adding a kind is the record
 * (with its reader), a line here and the record in {@link Rule}'s {@code permits}.
 */
final class RuleKinds {
  static final Map<String, Function<YamlMap, Rule>> BY_TYPE = Map.ofEntries(
      kind(Envelope.TYPE, Envelope::read),
      kind(RateOfChange.TYPE, RateOfChange::read),
      kind(StuckSensor.TYPE, StuckSensor::read),
      kind(RedundantSensors.TYPE, RedundantSensors::read),
      kind(WindowedCount.TYPE, WindowedCount::read),
      kind(Absence.TYPE, Absence::read),
      kind(StatePredicate.TYPE, StatePredicate::read),
      kind(VersionBelow.TYPE, VersionBelow::read),
      kind(SupportEnded.TYPE, SupportEnded::read),
      kind(ChangeDetection.TYPE, ChangeDetection::read),
      kind(ClockSkew.TYPE, ClockSkew::read),
      kind(Sequence.TYPE, Sequence::read),
      kind(CommandResponse.TYPE, CommandResponse::read),
      kind(RateBaseline.TYPE, RateBaseline::read),
      kind(SiteCount.TYPE, SiteCount::read),
      kind(SharedValue.TYPE, SharedValue::read),
      kind(VulnerableComponent.TYPE, VulnerableComponent::read));

  private RuleKinds() {
  }

  /** The reader of a kind, through which the record's refusal of a value becomes the error of that rule field. */
  private static Map.Entry<String, Function<YamlMap, Rule>> kind(String type, Function<YamlMap, Rule> read) {
    return Map.entry(type, rule -> InvalidFieldException.reportedAt(rule, () -> read.apply(rule)));
  }
}
