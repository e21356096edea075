package io.fleetwatch.schemas.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class SettingTest {
  private static final Setting<Integer> PORT = Setting.of("http.port", 8080, "8080", "port", (k, v) -> {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(k + ": not a number");
    }
  });
  private static final Setting<String> BOOTSTRAP = Setting.of("kafka.bootstrap.servers", "h:9092", "`h:9092`",
      "Kafka", (k, v) -> v).withAlias("kafka.bootstrap");

  @Test
  void theEnvironmentVariableOfAKeyIsItsUpperCaseWithUnderscores() {
    assertEquals("FLEETWATCH_HTTP_PORT", PORT.envName());
    assertEquals("http.port", Setting.propertyName("FLEETWATCH_HTTP_PORT"));
  }

  @Test
  void theEnvironmentWinsOverTheFileAndBlankIsUnset() {
    Properties props = new Properties();
    props.setProperty("http.port", "9000");
    assertEquals(9100, PORT.value(Map.of("FLEETWATCH_HTTP_PORT", " 9100 "), props));
    assertEquals(9000, PORT.value(Map.of(), props));
    assertEquals(8080, PORT.value(Map.of("FLEETWATCH_HTTP_PORT", "  "), null));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PORT.value(Map.of("FLEETWATCH_HTTP_PORT", "eighty"), null));
    assertEquals("http.port: not a number", e.getMessage());
  }

  @Test
  void anAliasIsReadWhenTheKeyIsNotSet() {
    assertEquals(Optional.of("old:1"), BOOTSTRAP.read(Map.of("FLEETWATCH_KAFKA_BOOTSTRAP", "old:1"), null));
    assertEquals(Optional.of("new:1"), BOOTSTRAP.read(Map.of("FLEETWATCH_KAFKA_BOOTSTRAP", "old:1",
        "FLEETWATCH_KAFKA_BOOTSTRAP_SERVERS", "new:1"), null));
  }

  @Test
  void secretsAreShownRedactedAndClientSecretsAreDetectedByKey() {
    Setting<String> token = Setting.secret("api.token", "unset", "token");
    assertEquals(Setting.REDACTED, token.shown("s3cret-s3cret-s3cret"));
    assertEquals("none", token.shown(null));
    for (String key : List.of("sasl.jaas.config", "ssl.truststore.password", "ssl.key.password", "ssl.keystore.key",
        "basic.auth.user.info.credentials", "sasl.oauthbearer.token.endpoint.url", "client.secret", "ssl.key")) {
      assertTrue(Setting.isSecretKey(key), key);
    }
    assertFalse(Setting.isSecretKey("security.protocol"));
    assertFalse(Setting.isSecretKey("sasl.mechanism"));
  }

  @Test
  void clientSettingsPassThroughWithoutTheDefinedKeysAndTheEnvironmentWins() {
    SettingTable table = new SettingTable("t", List.of(PORT, BOOTSTRAP));
    Properties props = new Properties();
    props.setProperty("kafka.security.protocol", "SSL");
    props.setProperty("kafka.bootstrap.servers", "file:9092");
    props.setProperty("kafka.acks", "all");
    Map<String, String> env = Map.of("FLEETWATCH_KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "FLEETWATCH_KAFKA_BOOTSTRAP",
        "old:9092", "PATH", "/bin");
    assertEquals(Map.of("security.protocol", "SASL_SSL", "acks", "all"), table.clientSettings(env, props));
  }

  @Test
  void aKeyDefinedTwiceIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new SettingTable("t", List.of(PORT, PORT)));
    assertThrows(IllegalArgumentException.class, () -> Setting.of("Http_Port", 1, "1", "d", (k, v) -> 1));
  }

  @Test
  void theTableIsWrittenBetweenItsMarkers() {
    SettingTable table = new SettingTable("t", List.of(BOOTSTRAP, Setting.secret("api.token", "unset", "token")));
    String readme = "# x\n" + table.startMarker() + "\nold\n" + table.endMarker() + "\nafter\n";
    assertEquals("# x\n" + table.startMarker() + "\n"
        + "| property | environment | default | meaning |\n|---|---|---|---|\n"
        + "| `kafka.bootstrap.servers` (or `kafka.bootstrap`) | `FLEETWATCH_KAFKA_BOOTSTRAP_SERVERS` | `h:9092` | Kafka |\n"
        + "| `api.token` | `FLEETWATCH_API_TOKEN` | unset | token; never logged |\n"
        + table.endMarker() + "\nafter\n", table.renderInto(readme));
    assertThrows(IllegalArgumentException.class, () -> table.renderInto("# no markers"));
  }
}
