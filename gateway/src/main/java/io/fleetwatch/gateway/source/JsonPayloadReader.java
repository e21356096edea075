package io.fleetwatch.gateway.source;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fleetwatch.avro.DeadLetterReason;
import io.fleetwatch.gateway.mapping.ParseResult;
import io.fleetwatch.gateway.mapping.PayloadParser;
import java.io.IOException;
import java.util.Objects;

/**
 * Reads the JSON payload of a non-native source into a tree, after the contract's payload checks
 * ({@link PayloadParser#checkRaw}: size, UTF-8, no NUL). Duplicate object keys, nesting deeper than
 * {@link PayloadParser#MAX_NESTING_DEPTH}, NaN/Infinity and trailing content are rejected as on the native topics.
 * Never throws. Thread-safe.
 */
public final class JsonPayloadReader {
  private static final int MAX_ECHO = 120;

  private final PayloadParser contract;
  private final JsonMapper mapper;

  /** @param contract the payload rules of the native topics (size limit, skew, event types) */
  public JsonPayloadReader(PayloadParser contract) {
    this.contract = Objects.requireNonNull(contract, "contract");
    this.mapper = JsonMapper.builder(com.fasterxml.jackson.core.JsonFactory.builder()
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(PayloadParser.MAX_NESTING_DEPTH).build())
            .build())
        .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();
  }

  /** The payload rules of the native topics, for timestamp and event-type checks. */
  public PayloadParser contract() {
    return contract;
  }

  /** The payload as a JSON tree, or the rejection. */
  public Read read(byte[] payload) {
    ParseResult.Rejected raw = contract.checkRaw(payload);
    if (raw != null) {
      return new Read(null, raw);
    }
    try {
      JsonNode tree = mapper.readTree(payload);
      if (tree == null || tree.isMissingNode()) {
        return new Read(null, new ParseResult.Rejected(DeadLetterReason.MALFORMED_JSON, "payload is empty"));
      }
      return new Read(tree, null);
    } catch (StreamConstraintsException e) {
      return new Read(null, new ParseResult.Rejected(DeadLetterReason.INVALID_FIELD,
          "payload exceeds a structural limit (nesting deeper than " + PayloadParser.MAX_NESTING_DEPTH
              + " or an over-long number or string): " + bounded(e.getOriginalMessage())));
    } catch (JsonProcessingException e) {
      return new Read(null, new ParseResult.Rejected(DeadLetterReason.MALFORMED_JSON,
          "payload is not valid JSON: " + bounded(e.getOriginalMessage()) + at(e.getLocation())));
    } catch (IOException | RuntimeException | StackOverflowError e) {
      return new Read(null, new ParseResult.Rejected(DeadLetterReason.MALFORMED_JSON,
          "payload could not be read: " + e.getClass().getSimpleName() + ": " + bounded(e.getMessage())));
    }
  }

  /** Text of a payload value for a rejection detail, cut at 120 characters. */
  public static String bounded(String s) {
    if (s == null) {
      return "";
    }
    return s.length() <= MAX_ECHO ? s : s.substring(0, MAX_ECHO) + "...";
  }

  private static String at(JsonLocation location) {
    if (location == null || location.getLineNr() < 0) {
      return "";
    }
    return " at line " + location.getLineNr() + " column " + location.getColumnNr();
  }

  /**
   * Outcome of {@link #read}: exactly one of the two is set.
   *
   * @param tree the payload
   * @param rejected why it cannot be read
   */
  public record Read(JsonNode tree, ParseResult.Rejected rejected) {}
}
