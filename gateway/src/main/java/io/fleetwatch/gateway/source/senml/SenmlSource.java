package io.fleetwatch.gateway.source.senml;

import static io.fleetwatch.gateway.source.JsonPayloadReader.bounded;

import io.fleetwatch.avro.DeadLetterReason;
import io.fleetwatch.gateway.mapping.ContractRecords;
import io.fleetwatch.gateway.mapping.ParseResult;
import io.fleetwatch.gateway.mapping.PayloadParser;
import io.fleetwatch.gateway.source.JsonPayloadReader;
import io.fleetwatch.gateway.source.TopicPatternSource;
import io.fleetwatch.gateway.source.Rejection;
import io.fleetwatch.gateway.source.TopicPattern;
import io.fleetwatch.schemas.Identifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * SenML JSON packs (RFC 8428) on configured topic patterns ({@code senml.topics}, e.g. {@code senml/{site}/{device}})
 * become {@link io.fleetwatch.avro.Telemetry} records: one per device and resolved time, in time order.
 *
 * <p>Records are resolved by {@link SenmlPack}. Device and metric name, by the topic pattern:
 * <ul>
 *   <li>pattern with {@code {device}}: the topic names the device. The base name of the first record (or none) is
 *       the device prefix; a later {@code bn} must start with it, else the pack names another device and is
 *       {@code SENML_INVALID}. Metric name = resolved name without the device prefix.</li>
 *   <li>pattern without {@code {device}}: each record's device is the last non-empty segment of its base name split at
 *       {@code :} and {@code /} ({@code urn:dev:ow:10e2073a01080063:} → {@code 10e2073a01080063}); a record without
 *       a base name is {@code SENML_INVALID}; a device that is no identifier is {@code BAD_IDENTIFIER}. Metric name =
 *       resolved name without the base name. One pack may name several devices.</li>
 * </ul>
 * A metric name must be 1-128 characters. Numbers ({@code v}, plus {@code bv}) and booleans ({@code vb}, as 1 or 0)
 * are metric values; a sum ({@code s}, plus {@code bs}) is the metric {@code <name>_sum}. String ({@code vs}) and
 * data ({@code vd}) values have no place in numeric telemetry: those records are not forwarded and the message also
 * yields one {@code SENML_INVALID} dead letter naming them (the pack's numeric records still go through). Units are
 * checked against the {@link UnitMap}: a stated unit other than the expected one is {@code SENML_UNIT_MISMATCH}. Two
 * values for one metric of one device at one time are {@code SENML_INVALID}. Any rejection other than string or data
 * values rejects the whole pack. Thread-safe, never throws.
 */
public final class SenmlSource extends TopicPatternSource {
  /** The {@code source} metric tag. */
  public static final String NAME = "senml";
  /** Suffix of the metric that carries a record's sum. */
  public static final String SUM_SUFFIX = "_sum";

  private final UnitMap units;
  private final JsonPayloadReader reader;

  /**
   * @param patterns topic patterns with {@code {site}} and optionally {@code {device}}
   * @param units expected units by metric
   * @param contract the payload rules of the native topics (size, skew)
   */
  public SenmlSource(List<TopicPattern> patterns, UnitMap units, PayloadParser contract) {
    super(NAME, patterns);
    this.units = Objects.requireNonNull(units, "units");
    this.reader = new JsonPayloadReader(contract);
  }

  @Override
  public List<ParseResult> decode(String topic, byte[] payload, long receivedAt) {
    try {
      TopicPattern pattern = firstMatching(topic);
      if (pattern == null) {
        return List.of(new ParseResult.Rejected(DeadLetterReason.BAD_TOPIC,
            "topic '" + bounded(topic) + "' matches no SenML topic pattern"));
      }
      TopicPattern.Match match = pattern.match(topic);
      ParseResult.Rejected badTopic = match.checkIdentifiers();
      if (badTopic != null) {
        return List.of(badTopic);
      }
      JsonPayloadReader.Read read = reader.read(payload);
      if (read.rejected() != null) {
        return List.of(read.rejected());
      }
      return telemetry(match, SenmlPack.resolve(read.tree(), receivedAt, reader.contract()), receivedAt);
    } catch (Rejection r) {
      return List.of(r.rejected());
    } catch (RuntimeException | StackOverflowError e) {
      return List.of(new ParseResult.Rejected(DeadLetterReason.SENML_INVALID,
          "pack could not be read: " + e.getClass().getSimpleName() + ": " + bounded(e.getMessage())));
    }
  }

  private List<ParseResult> telemetry(TopicPattern.Match match, List<SenmlPack.Resolved> records, long receivedAt) {
    String prefix = records.get(0).baseName();
    Map<Key, Map<String, Double>> groups = new LinkedHashMap<>();
    Map<Key, Map<String, Integer>> firstRecord = new HashMap<>();
    List<Integer> notForwarded = new ArrayList<>();
    for (SenmlPack.Resolved record : records) {
      String at = "record " + record.index();
      String device;
      String metric;
      if (match.device() != null) {
        if (!record.baseName().startsWith(prefix)) {
          throw SenmlPack.invalid(at + ": bn '" + bounded(record.baseName()) + "' leaves the device prefix '"
              + bounded(prefix) + "' of the pack; the topic names one device, " + match.device());
        }
        device = match.device();
        metric = record.name().substring(prefix.length());
      } else {
        device = deviceOf(record, at);
        metric = record.name().substring(record.baseName().length());
      }
      if (metric.isEmpty() || metric.length() > PayloadParser.MAX_NAME_LENGTH) {
        throw SenmlPack.invalid(at + ": metric name '" + bounded(metric) + "' (name '" + bounded(record.name())
            + "' after the device prefix) must be 1-" + PayloadParser.MAX_NAME_LENGTH + " characters");
      }
      if (record.kind() == SenmlPack.Kind.STRING || record.kind() == SenmlPack.Kind.DATA) {
        notForwarded.add(record.index());
        continue;
      }
      checkUnit(metric, record, at);
      Key key = new Key(device, record.timeMillis());
      Map<String, Double> metrics = groups.computeIfAbsent(key, k -> new HashMap<>());
      Map<String, Integer> seen = firstRecord.computeIfAbsent(key, k -> new HashMap<>());
      if (record.kind() != SenmlPack.Kind.SUM_ONLY) {
        put(metrics, seen, metric, record.value(), record.index());
      }
      if (record.sum() != null) {
        put(metrics, seen, metric + SUM_SUFFIX, record.sum(), record.index());
      }
    }
    List<ParseResult> results = new ArrayList<>();
    groups.entrySet().stream()
        .sorted(Comparator.comparingLong(e -> e.getKey().timeMillis())) // stable: pack order within one time
        .forEach(e -> results.add(ContractRecords.telemetry(match.site(), e.getKey().device(), e.getKey().timeMillis(),
            receivedAt, null, e.getValue())));
    if (!notForwarded.isEmpty()) {
      results.add(new ParseResult.Rejected(DeadLetterReason.SENML_INVALID, "record" + (notForwarded.size() == 1
          ? " " : "s ") + join(notForwarded) + " carr" + (notForwarded.size() == 1 ? "ies" : "y")
          + " a string (vs) or data (vd) value; telemetry takes numbers and booleans only, so "
          + (results.isEmpty() ? "nothing was forwarded" : "only the pack's other records were forwarded")));
    }
    return results;
  }

  private void checkUnit(String metric, SenmlPack.Resolved record, String at) {
    String expected = units.expected(metric);
    if (expected != null && record.unit() != null && !expected.equals(record.unit())) {
      throw new Rejection(DeadLetterReason.SENML_UNIT_MISMATCH, at + ": " + bounded(metric) + " is in '"
          + bounded(record.unit()) + "'; the unit map expects '" + expected + "'");
    }
  }

  private static void put(Map<String, Double> metrics, Map<String, Integer> seen, String metric, double value,
      int index) {
    Integer first = seen.putIfAbsent(metric, index);
    if (first != null) {
      throw SenmlPack.invalid("record " + index + " repeats " + bounded(metric) + " of record " + first
          + " for the same device and time");
    }
    metrics.put(metric, value);
  }

  /** The device a base name names: its last non-empty segment between {@code :} and {@code /}. */
  static String deviceOf(SenmlPack.Resolved record, String at) {
    String bn = record.baseName();
    if (bn.isEmpty()) {
      throw SenmlPack.invalid(at + " has no base name (bn), and the topic pattern names no device");
    }
    int end = bn.length();
    while (end > 0 && (bn.charAt(end - 1) == ':' || bn.charAt(end - 1) == '/')) {
      end--;
    }
    int start = end;
    while (start > 0 && bn.charAt(start - 1) != ':' && bn.charAt(start - 1) != '/') {
      start--;
    }
    String device = bn.substring(start, end);
    if (!Identifier.isValid(device)) {
      throw new Rejection(DeadLetterReason.BAD_IDENTIFIER, at + ": deviceId '" + bounded(device)
          + "' (last segment of bn '" + bounded(bn) + "') must match " + Identifier.SYNTAX);
    }
    return device;
  }

  private static String join(List<Integer> indexes) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < indexes.size(); i++) {
      s.append(i == 0 ? "" : ", ").append(indexes.get(i));
    }
    return s.toString();
  }

  private record Key(String device, long timeMillis) {}
}
