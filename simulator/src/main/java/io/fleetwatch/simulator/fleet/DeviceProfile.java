package io.fleetwatch.simulator.fleet;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a device reports on its {@code state} channel: identity, firmware, configuration fingerprint, exposed
 * interfaces, security posture and software inventory (purls). The defaults per asset class are a healthy
 * baseline; scenarios override single fields for a while.
 *
 * @param model product model
 * @param vendor manufacturer
 * @param firmware firmware version
 * @param configHash fingerprint of the running configuration ({@code sha256:<hex>})
 * @param openPorts listening TCP ports
 * @param tls TLS version used towards the broker ({@code 1.3}, {@code 1.2}, {@code 1.0}, {@code none})
 * @param securityState reported security state ({@code normal}, {@code degraded}, ...)
 * @param mode operating mode ({@code running}, {@code maintenance}, ...)
 * @param components software components as package URLs
 */
public record DeviceProfile(String model, String vendor, String firmware, String configHash, List<Integer> openPorts,
    String tls, String securityState, String mode, List<String> components) {

  public DeviceProfile {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(vendor, "vendor");
    Objects.requireNonNull(firmware, "firmware");
    Objects.requireNonNull(configHash, "configHash");
    openPorts = List.copyOf(openPorts);
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(securityState, "securityState");
    Objects.requireNonNull(mode, "mode");
    components = List.copyOf(components);
  }

  /**
   * The healthy baseline of a device of {@code assetClass}: firmware at or above the registry's minimum for the
   * model (SEC-05), TLS 1.3, only ports of the class's allowlist open (SEC-11), the model's approved
   * configuration hash (SEC-09; one configuration per model), mode {@code running}, security state
   * {@code normal}. {@code model} and {@code vendor} come from the registry when known, else from the class.
   */
  public static DeviceProfile baselineFor(String assetClass, String model, String vendor) {
    ClassBaseline b = ClassBaseline.of(assetClass);
    String m = model == null ? b.model : model;
    return new DeviceProfile(m, vendor == null ? b.vendor : vendor, MODEL_FIRMWARE.getOrDefault(m, b.firmware),
        MODEL_CONFIG.getOrDefault(m, configHashOf(m + "/baseline")), b.ports, "1.3", "normal", "running",
        b.components);
  }

  /** {@code sha256:<hex>} of the text: how the simulated devices fingerprint a configuration. */
  public static String configHashOf(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is a mandatory JDK algorithm", e);
    }
  }

  /** Current firmware of models whose class default would be below the registry's minimum (SEC-05). */
  private static final Map<String, String> MODEL_FIRMWARE = Map.of("CH-400", "3.2.0");
  /** Approved configuration hashes the catalogue pins per model (SEC-09 baselines). */
  private static final Map<String, String> MODEL_CONFIG = Map.of("S-1500",
      "sha256:9f2c1e7a44b1d0c6a3f8e2b5d7c9a1e3f5b7d9c1a3e5f7b9d1c3e5a7f9b1d3c5");

  private record ClassBaseline(String model, String vendor, String firmware, List<Integer> ports,
      List<String> components) {
    static ClassBaseline of(String assetClass) {
      return switch (assetClass) {
        case "chiller" -> new ClassBaseline("CH-200", "acme", "2.4.1", List.of(443),
            List.of("pkg:generic/openssl@3.0.13", "pkg:generic/busybox@1.36.1", "pkg:generic/mosquitto-client@2.0.18"));
        case "boiler" -> new ClassBaseline("BX-90", "thermoco", "5.2.0", List.of(443),
            List.of("pkg:generic/openssl@3.0.13", "pkg:generic/freertos@10.6.2"));
        case "elevator-controller" -> new ClassBaseline("EC-7", "liftworks", "7.1.3", List.of(443),
            List.of("pkg:generic/openssl@3.0.13", "pkg:generic/zephyr@3.6.0"));
        case "meter" -> new ClassBaseline("PM-3", "gridsense", "3.0.2", List.of(443),
            List.of("pkg:generic/mbedtls@3.6.0", "pkg:generic/lwip@2.2.0"));
        case "plc" -> new ClassBaseline("S-1500", "automa", "4.6.0", List.of(443, 4840),
            List.of("pkg:generic/openssl@3.0.13", "pkg:generic/codesys-runtime@3.5.19"));
        default -> new ClassBaseline("GEN-1", "generic", "1.0.0", List.of(443),
            List.of("pkg:generic/openssl@3.0.13"));
      };
    }
  }
}
