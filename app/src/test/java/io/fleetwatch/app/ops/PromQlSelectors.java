package io.fleetwatch.app.ops;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The vector selectors of a PromQL expression: metric name and label matchers. Enough PromQL to read what dashboards
 * and alert rules use: function calls and aggregations ({@code name(}), grouping clauses ({@code by (a, b)},
 * {@code without}, {@code on}, {@code ignoring}, {@code group_left}, {@code group_right}), keywords, string literals,
 * range and subquery brackets ({@code [5m]}, {@code [$__rate_interval]}), numbers and durations. A metric name is an
 * identifier that is not followed by {@code (}, not a keyword or aggregation operator and not inside a grouping or
 * matcher list; a selector
 * without a name ({@code {__name__="x"}}) takes its name from the {@code __name__} matcher.
 */
final class PromQlSelectors {
  /** A vector selector: its metric name and its label matchers as written (label → "op value"). */
  record Selector(String metric, Map<String, String> matchers) {
    /** The value of an equality matcher on {@code label}, or null. */
    String equalTo(String label) {
      String m = matchers.get(label);
      return m != null && m.startsWith("= ") ? m.substring(2) : null;
    }
  }

  /** A range or subquery window as written ({@code 5m}, {@code $__rate_interval}, {@code 1h:1m}) and the function
   * whose argument it is ({@code rate}), or "" where it feeds no function. */
  record Window(String function, String range) {}

  private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
      "bool", "offset", "and", "or", "unless", "inf", "nan", "atan2");
  /** Aggregation operators: followed by a grouping clause before their parenthesis ({@code sum by (x) (...)}). */
  private static final Set<String> AGGREGATIONS = Set.of("sum", "min", "max", "avg", "group", "stddev", "stdvar",
      "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio");
  private static final Set<String> GROUPING = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");

  private final String text;
  private int pos;

  private PromQlSelectors(String text) {
    this.text = text;
  }

  /** Every vector selector of {@code expr}, in order of appearance. */
  static List<Selector> of(String expr) {
    return new PromQlSelectors(expr).parse();
  }

  /** Every range and subquery window of {@code expr}, in order of appearance. */
  static List<Window> windows(String expr) {
    return new PromQlSelectors(expr).scanWindows();
  }

  private List<Window> scanWindows() {
    List<Window> found = new ArrayList<>();
    Deque<String> calls = new ArrayDeque<>(); // the name before each open parenthesis ("" for plain grouping)
    String word = "";
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == '"' || c == '\'' || c == '`') {
        skipString();
        word = "";
      } else if (isIdentifierStart(c)) {
        word = readIdentifier();
      } else if (c == '(' || c == ')') {
        if (c == '(') {
          calls.push(word);
        } else if (!calls.isEmpty()) {
          calls.pop();
        }
        word = "";
        pos++;
      } else if (c == '[') {
        int start = pos;
        skipBalanced('[', ']');
        found.add(new Window(calls.isEmpty() ? "" : calls.peek(), text.substring(start + 1, pos - 1)));
      } else {
        if (!Character.isWhitespace(c)) {
          word = "";
        }
        pos++;
      }
    }
    return found;
  }

  private List<Selector> parse() {
    List<Selector> found = new ArrayList<>();
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == '"' || c == '\'' || c == '`') {
        skipString();
      } else if (c == '#') {
        while (pos < text.length() && text.charAt(pos) != '\n') {
          pos++;
        }
      } else if (c == '[') {
        skipBalanced('[', ']');
      } else if (c == '{') {
        Map<String, String> matchers = readMatchers();
        String name = matchers.containsKey("__name__") ? matchers.remove("__name__").substring(2) : null;
        if (name == null) {
          throw new IllegalArgumentException("selector without a metric name in: " + text);
        }
        found.add(new Selector(name, matchers));
      } else if (Character.isDigit(c) || (c == '.' && pos + 1 < text.length() && Character.isDigit(text.charAt(pos + 1)))) {
        // number or duration (5m, 1e-9, 0x1f): never a name
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '.'
            || ((text.charAt(pos) == '-' || text.charAt(pos) == '+') && (text.charAt(pos - 1) == 'e' || text.charAt(pos - 1) == 'E')))) {
          pos++;
        }
      } else if (isIdentifierStart(c)) {
        String word = readIdentifier();
        int after = skipSpaces(pos);
        boolean call = after < text.length() && text.charAt(after) == '(';
        if (GROUPING.contains(word.toLowerCase())) {
          if (call) {
            pos = after;
            skipBalanced('(', ')');
          }
        } else if (KEYWORDS.contains(word.toLowerCase()) || call || AGGREGATIONS.contains(word.toLowerCase())) {
          continue; // a keyword, or a function / aggregation name
        } else {
          Map<String, String> matchers = new LinkedHashMap<>();
          if (after < text.length() && text.charAt(after) == '{') {
            pos = after;
            matchers = readMatchers();
          }
          found.add(new Selector(word, matchers));
        }
      } else {
        pos++;
      }
    }
    return found;
  }

  private Map<String, String> readMatchers() {
    Map<String, String> matchers = new LinkedHashMap<>();
    pos++; // {
    while (true) {
      pos = skipSpaces(pos);
      if (pos >= text.length()) {
        throw new IllegalArgumentException("unterminated label matchers in: " + text);
      }
      char c = text.charAt(pos);
      if (c == '}') {
        pos++;
        return matchers;
      }
      if (c == ',') {
        pos++;
        continue;
      }
      if (!isIdentifierStart(c)) {
        throw new IllegalArgumentException("bad label matcher at " + pos + " in: " + text);
      }
      String label = readIdentifier();
      pos = skipSpaces(pos);
      int opStart = pos;
      while (pos < text.length() && "=!~".indexOf(text.charAt(pos)) >= 0) {
        pos++;
      }
      String op = text.substring(opStart, pos);
      pos = skipSpaces(pos);
      int valueStart = pos;
      skipString();
      String value = text.substring(valueStart + 1, pos - 1);
      matchers.put(label, op + " " + value);
    }
  }

  private void skipString() {
    char quote = text.charAt(pos);
    if (quote != '"' && quote != '\'' && quote != '`') {
      throw new IllegalArgumentException("expected a string at " + pos + " in: " + text);
    }
    pos++;
    while (pos < text.length() && text.charAt(pos) != quote) {
      if (text.charAt(pos) == '\\' && quote != '`') {
        pos++;
      }
      pos++;
    }
    if (pos >= text.length()) {
      throw new IllegalArgumentException("unterminated string in: " + text);
    }
    pos++;
  }

  private void skipBalanced(char open, char close) {
    int depth = 0;
    do {
      char c = text.charAt(pos);
      if (c == '"' || c == '\'' || c == '`') {
        skipString();
        continue;
      }
      if (c == open) {
        depth++;
      } else if (c == close) {
        depth--;
      }
      pos++;
    } while (depth > 0 && pos < text.length());
    if (depth > 0) {
      throw new IllegalArgumentException("unbalanced " + open + " in: " + text);
    }
  }

  private String readIdentifier() {
    int start = pos;
    while (pos < text.length() && (isIdentifierStart(text.charAt(pos)) || Character.isDigit(text.charAt(pos)))) {
      pos++;
    }
    return text.substring(start, pos);
  }

  private int skipSpaces(int from) {
    int i = from;
    while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
      i++;
    }
    return i;
  }

  private static boolean isIdentifierStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
  }
}
