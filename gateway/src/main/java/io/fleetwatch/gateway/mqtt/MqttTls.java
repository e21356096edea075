package io.fleetwatch.gateway.mqtt;

import io.fleetwatch.gateway.GatewayConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds the TLS socket factory for the broker connection. Input: trust store (broker CA) and optional key store
 * (client certificate), PKCS#12 or JKS. Output: an {@link SSLSocketFactory}.
 */
final class MqttTls {
  private MqttTls() {}

  static SSLSocketFactory socketFactory(GatewayConfig.TlsStores stores) {
    try {
      TrustManagerFactory tmf = null;
      if (stores.trustStore() != null) {
        tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load(stores.trustStore(), stores.trustStorePassword(), GatewayConfig.MQTT_TLS_TRUSTSTORE_PATH));
      }
      KeyManagerFactory kmf = null;
      if (stores.keyStore() != null) {
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        char[] password = stores.keyStorePassword() == null ? new char[0] : stores.keyStorePassword().toCharArray();
        kmf.init(load(stores.keyStore(), stores.keyStorePassword(), GatewayConfig.MQTT_TLS_KEYSTORE_PATH), password);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
      return context.getSocketFactory();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot set up TLS to the MQTT broker: " + e.getMessage(), e);
    }
  }

  private static KeyStore load(Path path, String password, String key) throws GeneralSecurityException {
    // PKCS12 keystores of Java 17 also read JKS files (keystore.type.compat).
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(path)) {
      store.load(in, password == null ? null : password.toCharArray());
      return store;
    } catch (IOException e) {
      throw new IllegalArgumentException("invalid " + key + " '" + path + "': " + e.getMessage(), e);
    }
  }
}
