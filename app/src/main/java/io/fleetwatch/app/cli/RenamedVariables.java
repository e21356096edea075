package io.fleetwatch.app.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Environment variables that were renamed to the one naming scheme of every component (property {@code a.b.c} is
 * variable {@code FLEETWATCH_A_B_C}; the gateway and the streams app use the same names for the same thing). The old
 * names still work: each is read as its new name (a new name that is also set wins), and {@code fleetwatch} warns
 * once at start for each old name it finds.
 */
public final class RenamedVariables {
  /** Old name → current name. */
  static final Map<String, String> RENAMED = Map.of(
      "FLEETWATCH_KAFKA_BOOTSTRAP", "FLEETWATCH_KAFKA_BOOTSTRAP_SERVERS",
      "FLEETWATCH_GATEWAY_HTTP_HOST", "FLEETWATCH_HTTP_HOST",
      "FLEETWATCH_GATEWAY_HTTP_PORT", "FLEETWATCH_HTTP_PORT");

  private RenamedVariables() {}

  /** {@code env} with every old name replaced by its current name; a current name set as well wins. */
  public static Map<String, String> current(Map<String, String> env) {
    Map<String, String> result = new HashMap<>(env);
    RENAMED.forEach((old, now) -> {
      String value = result.remove(old);
      if (value != null) {
        result.putIfAbsent(now, value);
      }
    });
    return result;
  }

  /** One deprecation warning per old name set in {@code env}, naming the name to use (and which one wins). */
  public static List<String> warnings(Map<String, String> env) {
    List<String> warnings = new ArrayList<>();
    RENAMED.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
      if (env.containsKey(e.getKey())) {
        warnings.add(e.getKey() + " is deprecated: set " + e.getValue() + " instead"
            + (env.containsKey(e.getValue()) ? " (both are set; " + e.getValue() + " is used)" : ""));
      }
    });
    return warnings;
  }
}
