package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.ReportedState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** A field of the reported device state, by its policy-file name. */
public enum StateField {
  MODEL("model", ReportedState::getModel),
  VENDOR("vendor", ReportedState::getVendor),
  FIRMWARE("firmware", ReportedState::getFirmware),
  CONFIG_HASH("configHash", ReportedState::getConfigHash),
  TLS("tls", ReportedState::getTls),
  SECURITY_STATE("securityState", ReportedState::getSecurityState),
  MODE("mode", ReportedState::getMode),
  OPEN_PORTS("openPorts", null);

  /** Policy-file name to field. */
  public static final Map<String, StateField> BY_NAME =
      Stream.of(values()).collect(Collectors.toUnmodifiableMap(f -> f.yamlName, f -> f));

  private final String yamlName;
  private final Function<ReportedState, String> scalar;

  StateField(String yamlName, Function<ReportedState, String> scalar) {
    this.yamlName = yamlName;
    this.scalar = scalar;
  }

  public String yamlName() {
    return yamlName;
  }

  /** The field's value(s) as text, or {@code null} when the report does not carry it. */
  public List<String> values(ReportedState state) {
    if (this == OPEN_PORTS) {
      List<Integer> ports = state.getOpenPorts();
      if (ports == null) {
        return null;
      }
      List<String> result = new ArrayList<>(ports.size());
      ports.forEach(p -> result.add(Integer.toString(p)));
      return result;
    }
    String value = scalar.apply(state);
    return value == null ? null : List.of(normalised(value));
  }

  /** The field's single value, or {@code null}; open ports joined by commas. */
  public String text(ReportedState state) {
    List<String> values = values(state);
    return values == null ? null : String.join(",", values);
  }

  /** Reported enumerations (tls, securityState, mode) compare case-insensitively; hashes and versions exactly. */
  private String normalised(String value) {
    return switch (this) {
      case TLS, SECURITY_STATE, MODE -> value.toLowerCase(Locale.ROOT);
      default -> value;
    };
  }
}
