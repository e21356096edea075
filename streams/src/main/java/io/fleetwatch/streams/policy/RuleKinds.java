package io.fleetwatch.streams.policy;

import io.fleetwatch.schemas.yaml.YamlMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Every rule kind of policy files: its {@code type:} name and the reader of its {@code rule:} fields. Each reader
 * is a static {@code read(YamlMap)} beside its record, so a kind's format and validation live in one file; adding a
 * kind is the record (with its reader), a line here and the record in {@link Rule}'s {@code permits}.
 */
final class RuleKinds {
  static final Map<String, Function<YamlMap, Rule>> BY_TYPE = Map.ofEntries(
      Map.entry(Envelope.TYPE, Envelope::read),
      Map.entry(RateOfChange.TYPE, RateOfChange::read),
      Map.entry(StuckSensor.TYPE, StuckSensor::read),
      Map.entry(RedundantSensors.TYPE, RedundantSensors::read),
      Map.entry(WindowedCount.TYPE, WindowedCount::read),
      Map.entry(Absence.TYPE, Absence::read),
      Map.entry(StatePredicate.TYPE, StatePredicate::read),
      Map.entry(VersionBelow.TYPE, VersionBelow::read),
      Map.entry(SupportEnded.TYPE, SupportEnded::read),
      Map.entry(ChangeDetection.TYPE, ChangeDetection::read),
      Map.entry(ClockSkew.TYPE, ClockSkew::read),
      Map.entry(Sequence.TYPE, Sequence::read),
      Map.entry(CommandResponse.TYPE, CommandResponse::read),
      Map.entry(RateBaseline.TYPE, RateBaseline::read),
      Map.entry(SiteCount.TYPE, SiteCount::read),
      Map.entry(SharedValue.TYPE, SharedValue::read),
      Map.entry(VulnerableComponent.TYPE, VulnerableComponent::read));

  private RuleKinds() {
  }
}
