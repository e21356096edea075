package io.fleetwatch.streams.policy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML value with the line it starts on, so that validation errors can point at the right line (Jackson's
 * tree model drops token locations). Mappings keep the line of each key.
 */
public sealed interface YamlNode {
  int line();

  String describe();

  record Scalar(int line, JsonToken token, String text) implements YamlNode {
    @Override
    public String describe() {
      return switch (token) {
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number " + text;
        case VALUE_TRUE, VALUE_FALSE -> "boolean " + text;
        case VALUE_NULL -> "null";
        default -> "'" + text + "'";
      };
    }
  }

  record Sequence(int line, List<YamlNode> items) implements YamlNode {
    @Override
    public String describe() {
      return "a list";
    }
  }

  /** A mapping; {@code keyLines} holds the line of each key. */
  record Mapping(int line, Map<String, YamlNode> entries, Map<String, Integer> keyLines) implements YamlNode {
    @Override
    public String describe() {
      return "a mapping";
    }
  }

  /** Reads the value at the parser's current token (which must not be null). */
  static YamlNode read(JsonParser parser, String file) throws IOException {
    JsonToken token = parser.currentToken();
    int line = parser.currentTokenLocation().getLineNr();
    switch (token) {
      case START_OBJECT: {
        Map<String, YamlNode> entries = new LinkedHashMap<>();
        Map<String, Integer> keyLines = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String key = parser.currentName();
          int keyLine = parser.currentTokenLocation().getLineNr();
          parser.nextToken();
          YamlNode value = read(parser, file);
          if (entries.put(key, value) != null) {
            throw new PolicyFormatException(file, keyLine, key, "duplicate key");
          }
          keyLines.put(key, keyLine);
        }
        return new Mapping(line, entries, keyLines);
      }
      case START_ARRAY: {
        List<YamlNode> items = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          items.add(read(parser, file));
        }
        return new Sequence(line, items);
      }
      default:
        return new Scalar(line, token, token == JsonToken.VALUE_NULL ? null : parser.getText());
    }
  }
}
