package io.fleetwatch.gateway.source.senml;

import static io.fleetwatch.gateway.source.JsonPayloadReader.bounded;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetwatch.avro.DeadLetterReason;
import io.fleetwatch.gateway.mapping.ParseResult;
import io.fleetwatch.gateway.mapping.PayloadParser;
import io.fleetwatch.gateway.source.Rejection;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Resolves a SenML JSON pack (RFC 8428) into its resolved records (§4.6), pure: no device or metric naming yet.
 *
 * <p>Rules: the pack is a JSON array of record objects. Base fields ({@code bn}, {@code bt}, {@code bu},
 * {@code bv}, {@code bs}, {@code bver}) apply to their record and every later one until a record sets them again.
 * Resolved name = {@code bn + n}, non-empty, of the characters {@code A-Z a-z 0-9 - : . / _} and not starting with
 * {@code - : . / _} (§4.5.1). Resolved time = {@code bt + t} seconds; below 2^28 it is relative to the receive time
 * (§4.5.3); absent means "now". Resolved unit = {@code u}, else {@code bu}. Resolved value = {@code bv + v} for
 * numbers; {@code vb} is 1 or 0; {@code vs} and {@code vd} are kept as text. Resolved sum = {@code bs + s}, or
 * {@code bs} alone on a record without a value. A record carries at most one of {@code v, vs, vb, vd}, and a value
 * or a sum. {@code bver} must be a positive integer no higher than 10 and the same wherever a record states it.
 * A field whose label ends in {@code _} must be understood (§4.4) and none is, so it rejects the pack; other unknown
 * fields and {@code ut} are ignored. Every violation is {@code SENML_INVALID}; times outside the contract's range are
 * {@code INVALID_TIMESTAMP} or {@code FUTURE_TIMESTAMP} ({@link PayloadParser#checkTimestamp}).
 */
public final class SenmlPack {
  /** The SenML version this gateway reads (RFC 8428). */
  public static final int VERSION = 10;
  /** Times below this many seconds are relative to now (RFC 8428 §4.5.3). */
  public static final double RELATIVE_TIME_LIMIT = 268_435_456d; // 2^28
  private static final Set<String> LABELS = Set.of("bn", "bt", "bu", "bv", "bs", "bver", "n", "u", "v", "vs", "vb",
      "vd", "s", "t", "ut");
  private static final double LARGEST_MILLIS = 9.0e15;

  private SenmlPack() {}

  /** What a record's value is. */
  public enum Kind { NUMBER, BOOLEAN, STRING, DATA, SUM_ONLY }

  /**
   * One resolved record.
   *
   * @param index position in the pack, from 0
   * @param baseName base name in effect ({@code ""} when none)
   * @param name resolved name ({@code bn + n})
   * @param unit resolved unit or {@code null}
   * @param kind what the value is
   * @param value numeric value (NUMBER), 1 or 0 (BOOLEAN), else 0
   * @param text string or data value, else {@code null}
   * @param sum resolved sum or {@code null}
   * @param timeMillis resolved absolute time, epoch milliseconds
   */
  public record Resolved(int index, String baseName, String name, String unit, Kind kind, double value, String text,
      Double sum, long timeMillis) {}

  /**
   * Resolves a pack.
   *
   * @param pack the payload as a JSON tree
   * @param receivedAt gateway receive time, epoch milliseconds: "now" for relative times
   * @param contract the payload rules whose timestamp check applies to every resolved time
   * @throws Rejection with the reason and a detail naming the record and field
   */
  public static List<Resolved> resolve(JsonNode pack, long receivedAt, PayloadParser contract) {
    if (!pack.isArray()) {
      throw invalid("a SenML pack is a JSON array of records, got " + describe(pack));
    }
    if (pack.isEmpty()) {
      throw invalid("the pack has no records");
    }
    String bn = "";
    double bt = 0;
    String bu = null;
    double bv = 0;
    Double bs = null;
    Integer version = null;
    int versionRecord = -1;
    List<Resolved> records = new ArrayList<>(pack.size());
    for (int i = 0; i < pack.size(); i++) {
      JsonNode record = pack.get(i);
      String at = "record " + i;
      if (!record.isObject()) {
        throw invalid(at + " must be an object, got " + describe(record));
      }
      for (Iterator<Map.Entry<String, JsonNode>> fields = record.fields(); fields.hasNext(); ) {
        String label = fields.next().getKey();
        if (!LABELS.contains(label) && label.endsWith("_")) {
          throw invalid(at + ": field '" + bounded(label) + "' must be understood (RFC 8428 section 4.4) and this "
              + "gateway does not know it");
        }
      }
      if (record.has("bver")) {
        int bver = version(record.get("bver"), at);
        if (version != null && version != bver) {
          throw invalid(at + ": bver " + bver + " contradicts bver " + version + " of record " + versionRecord
              + "; a pack has one version");
        }
        version = bver;
        versionRecord = i;
      }
      if (record.has("bn")) {
        bn = string(record, "bn", at);
      }
      if (record.has("bt")) {
        bt = number(record, "bt", at);
      }
      if (record.has("bu")) {
        bu = string(record, "bu", at);
      }
      if (record.has("bv")) {
        bv = number(record, "bv", at);
      }
      if (record.has("bs")) {
        bs = number(record, "bs", at);
      }
      String name = bn + (record.has("n") ? string(record, "n", at) : "");
      checkName(name, at);
      String unit = record.has("u") ? string(record, "u", at) : bu;
      double t = bt + (record.has("t") ? number(record, "t", at) : 0);
      long timeMillis = time(t, receivedAt, at, contract);

      Kind kind = null;
      double value = 0;
      String text = null;
      String valueField = null;
      for (String field : new String[] {"v", "vb", "vs", "vd"}) {
        if (!record.has(field)) {
          continue;
        }
        if (valueField != null) {
          throw invalid(at + " has two value fields (" + valueField + " and " + field + "); a record carries one");
        }
        valueField = field;
        switch (field) {
          case "v" -> {
            kind = Kind.NUMBER;
            value = finite(bv + number(record, "v", at), at + ": bv + v");
          }
          case "vb" -> {
            JsonNode vb = record.get("vb");
            if (!vb.isBoolean()) {
              throw invalid(at + ": vb must be true or false, got " + describe(vb));
            }
            kind = Kind.BOOLEAN;
            value = vb.booleanValue() ? 1 : 0;
          }
          case "vs" -> {
            kind = Kind.STRING;
            text = string(record, "vs", at);
          }
          default -> {
            kind = Kind.DATA;
            text = string(record, "vd", at);
          }
        }
      }
      Double sum = null;
      if (record.has("s")) {
        sum = finite((bs == null ? 0 : bs) + number(record, "s", at), at + ": bs + s");
      } else if (kind == null && bs != null) {
        sum = bs;
      }
      if (kind == null) {
        if (sum == null) {
          throw invalid(at + " has no value (v, vb, vs or vd) and no sum (s or bs)");
        }
        kind = Kind.SUM_ONLY;
      }
      records.add(new Resolved(i, bn, name, unit, kind, value, text, sum, timeMillis));
    }
    return records;
  }

  private static int version(JsonNode node, String at) {
    if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 1) {
      throw invalid(at + ": bver must be a positive integer, got " + describe(node));
    }
    int bver = node.intValue();
    if (bver > VERSION) {
      throw invalid(at + ": bver " + bver + " is not supported; this gateway reads SenML up to version " + VERSION
          + " (RFC 8428)");
    }
    return bver;
  }

  private static long time(double seconds, long receivedAt, String at, PayloadParser contract) {
    if (!Double.isFinite(seconds) || Math.abs(seconds * 1000) > LARGEST_MILLIS) {
      throw new Rejection(DeadLetterReason.INVALID_TIMESTAMP, at + ": time bt + t = " + seconds
          + " s is out of range");
    }
    long millis = Math.round(seconds * 1000);
    if (seconds < RELATIVE_TIME_LIMIT) {
      millis += receivedAt; // RFC 8428 section 4.5.3: relative to now
    }
    ParseResult.Rejected bad = contract.checkTimestamp(at + ": time", millis, receivedAt);
    if (bad != null) {
      throw new Rejection(bad);
    }
    return millis;
  }

  private static void checkName(String name, String at) {
    if (name.isEmpty()) {
      throw invalid(at + " has an empty name (bn + n); a record must be named");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      boolean punct = c == '-' || c == ':' || c == '.' || c == '/' || c == '_';
      if (!alnum && !(punct && i > 0)) {
        throw invalid(at + ": name '" + bounded(name) + "' has '" + c + "' at position " + i + "; names use "
            + "A-Z a-z 0-9 - : . / _ and start with a letter or digit (RFC 8428 section 4.5.1)");
      }
    }
  }

  private static String string(JsonNode record, String field, String at) {
    JsonNode node = record.get(field);
    if (!node.isTextual()) {
      throw invalid(at + ": " + field + " must be a string, got " + describe(node));
    }
    return node.textValue();
  }

  private static double number(JsonNode record, String field, String at) {
    JsonNode node = record.get(field);
    if (!node.isNumber()) {
      throw invalid(at + ": " + field + " must be a number, got " + describe(node));
    }
    return finite(node.doubleValue(), at + ": " + field);
  }

  private static double finite(double value, String what) {
    if (!Double.isFinite(value)) {
      throw invalid(what + " is not a finite number");
    }
    return value;
  }

  static String describe(JsonNode node) {
    if (node.isObject()) {
      return "an object";
    }
    if (node.isArray()) {
      return "an array";
    }
    if (node.isTextual()) {
      return "a string";
    }
    if (node.isBoolean()) {
      return "a boolean";
    }
    if (node.isNull()) {
      return "null";
    }
    return bounded(node.asText());
  }

  static Rejection invalid(String detail) {
    return new Rejection(DeadLetterReason.SENML_INVALID, detail);
  }
}
