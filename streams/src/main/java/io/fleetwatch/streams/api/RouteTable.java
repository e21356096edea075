package io.fleetwatch.streams.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The routes of an {@link ApiServer}: method + path pattern → handler, each with the {@link Access} it needs.
 * A pattern is made of literal segments and named segments ({@code /api/incidents/{id}/acknowledge}); a named segment
 * matches one non-empty segment of the decoded path and reaches the handler by its name
 * ({@link ApiRequest#parameter}). Paths match segment by segment, so {@code /api/incidents} and
 * {@code /api/incidents/} are two patterns, each registered on purpose; where two patterns of one method match a
 * path, the one whose first differing segment is literal wins. {@link #match} answers the route, or that no pattern
 * matches the path (404), or the methods the path has (405 with {@code Allow}). Pure: no HTTP here.
 */
public final class RouteTable {
  private static final Pattern PARAMETER = Pattern.compile("\\{([A-Za-z][A-Za-z0-9]*)}");
  private static final Pattern METHOD = Pattern.compile("[A-Z]+");

  /** Who may call a route; the bearer tokens that grant it are checked by {@link BearerTokens}, in one place. */
  public enum Access {
    /** Anyone: probes and Prometheus ({@code /health*}, {@code /metrics}). */
    OPEN,
    /** Reads of the API: the read token when one is configured (the write token is accepted too). */
    READ,
    /** Writes of the API: the write token when one is configured. */
    WRITE
  }

  /** Answers one request; may throw {@link BadRequest} (400) and whatever {@link ApiServer} maps to a status. */
  @FunctionalInterface
  public interface Handler {
    void handle(ApiRequest request) throws Exception;
  }

  /** One route: {@code method pattern} → {@code handler}, callable with {@code access}. */
  public record Route(String method, String pattern, Access access, Handler handler) {
    public Route {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(pattern, "pattern");
      Objects.requireNonNull(access, "access");
      Objects.requireNonNull(handler, "handler");
    }
  }

  /** What a request finds in the table. */
  public sealed interface Match permits Found, NotFound, NotAllowed {}

  /** The route and the values of its named segments. */
  public record Found(Route route, Map<String, String> parameters) implements Match {}

  /** No pattern matches the path: 404. */
  public record NotFound() implements Match {}

  /** Patterns match the path, none for this method: 405 with {@code Allow} = {@code allowed} (sorted). */
  public record NotAllowed(Set<String> allowed) implements Match {}

  /** A registered route with its pattern split; {@code null} in {@code names} marks a literal segment. */
  private record Entry(Route route, List<String> segments, List<String> names) {
    /** The named segments' values when {@code path} matches, else {@code null}. */
    Map<String, String> bind(String[] path) {
      if (path.length != segments.size()) {
        return null;
      }
      Map<String, String> values = new LinkedHashMap<>();
      for (int i = 0; i < path.length; i++) {
        String name = names.get(i);
        if (name == null) {
          if (!segments.get(i).equals(path[i])) {
            return null;
          }
        } else if (path[i].isEmpty()) {
          return null;
        } else {
          values.put(name, path[i]);
        }
      }
      return values;
    }

    /** Whether this entry is preferred to {@code other}: at the first segment where one is literal and one not. */
    boolean moreSpecificThan(Entry other) {
      for (int i = 0; i < names.size(); i++) {
        boolean literal = names.get(i) == null;
        if (literal != (other.names.get(i) == null)) {
          return literal;
        }
      }
      return false;
    }

    /** The pattern with every name replaced, to find two patterns that match the same paths. */
    String shape() {
      List<String> shape = new ArrayList<>();
      for (int i = 0; i < segments.size(); i++) {
        shape.add(names.get(i) == null ? segments.get(i) : "{}");
      }
      return route.method() + " /" + String.join("/", shape);
    }
  }

  private final List<Entry> entries = new ArrayList<>();

  /** Adds {@code GET pattern}. */
  public RouteTable get(String pattern, Access access, Handler handler) {
    return add("GET", pattern, access, handler);
  }

  /** Adds {@code POST pattern}. */
  public RouteTable post(String pattern, Access access, Handler handler) {
    return add("POST", pattern, access, handler);
  }

  /**
   * Adds a route.
   *
   * @throws IllegalArgumentException for a malformed pattern (not starting with {@code /}, a segment mixing
   *     braces and text, a name used twice) or a pattern of this method that matches the same paths as one already
   *     registered
   */
  public synchronized RouteTable add(String method, String pattern, Access access, Handler handler) {
    Route route = new Route(method, pattern, access, handler);
    if (!METHOD.matcher(method).matches()) {
      throw new IllegalArgumentException("malformed HTTP method '" + method + "'");
    }
    if (!pattern.startsWith("/")) {
      throw new IllegalArgumentException("route pattern must start with '/': " + pattern);
    }
    List<String> segments = List.of(pattern.substring(1).split("/", -1));
    List<String> names = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String segment : segments) {
      var parameter = PARAMETER.matcher(segment);
      if (parameter.matches()) {
        if (!seen.add(parameter.group(1))) {
          throw new IllegalArgumentException("segment name {" + parameter.group(1) + "} used twice in " + pattern);
        }
        names.add(parameter.group(1));
      } else if (segment.contains("{") || segment.contains("}")) {
        throw new IllegalArgumentException("malformed segment '" + segment + "' in " + pattern
            + ": a named segment is {name} on its own");
      } else {
        names.add(null);
      }
    }
    Entry entry = new Entry(route, segments, Collections.unmodifiableList(names));
    for (Entry other : entries) {
      if (other.shape().equals(entry.shape())) {
        throw new IllegalArgumentException(method + " " + pattern + " matches the same paths as "
            + other.route().method() + " " + other.route().pattern());
      }
    }
    entries.add(entry);
    return this;
  }

  /** The routes in the order they were added. */
  public synchronized List<Route> routes() {
    return entries.stream().map(Entry::route).toList();
  }

  /** Where a request for {@code method} on the decoded {@code path} goes. */
  public synchronized Match match(String method, String path) {
    if (path == null || !path.startsWith("/")) {
      return new NotFound();
    }
    String[] segments = path.substring(1).split("/", -1);
    Entry best = null;
    Map<String, String> bestValues = null;
    Set<String> allowed = new TreeSet<>();
    for (Entry entry : entries) {
      Map<String, String> values = entry.bind(segments);
      if (values == null) {
        continue;
      }
      if (!entry.route().method().equals(method)) {
        allowed.add(entry.route().method());
      } else if (best == null || entry.moreSpecificThan(best)) {
        best = entry;
        bestValues = values;
      }
    }
    if (best != null) {
      return new Found(best.route(), Collections.unmodifiableMap(bestValues));
    }
    return allowed.isEmpty() ? new NotFound() : new NotAllowed(Collections.unmodifiableSet(allowed));
  }
}
