package io.fleetwatch.app.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority for TLS tests, made with {@code openssl} and {@code keytool}: a CA, a broker
 * certificate for 127.0.0.1, a client certificate (PKCS#12 key store), a PKCS#12 trust store holding the CA, and a
 * mosquitto password file.
 */
final class TestPki {
  static final String STORE_PASSWORD = "changeit";

  final Path dir;
  final Path caCert;
  final Path serverCert;
  final Path serverKey;
  final Path clientKeyStore;
  final Path trustStore;

  private TestPki(Path dir) {
    this.dir = dir;
    this.caCert = dir.resolve("ca.crt");
    this.serverCert = dir.resolve("server.crt");
    this.serverKey = dir.resolve("server.key");
    this.clientKeyStore = dir.resolve("client.p12");
    this.trustStore = dir.resolve("trust.p12");
  }

  static TestPki create(Path dir) throws IOException, InterruptedException {
    TestPki pki = new TestPki(dir);
    pki.run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
        "-days", "2", "-subj", "/CN=fleetwatch-test-ca");
    pki.issue("server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    pki.issue("client", "/CN=fleetwatch-gateway", "extendedKeyUsage=clientAuth\n");
    pki.run("openssl", "pkcs12", "-export", "-in", "client.crt", "-inkey", "client.key", "-out", "client.p12",
        "-passout", "pass:" + STORE_PASSWORD);
    pki.run("keytool", "-importcert", "-noprompt", "-alias", "ca", "-file", "ca.crt", "-keystore", "trust.p12",
        "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);
    return pki;
  }

  /** A mosquitto password file with one user. */
  Path passwordFile(String user, String password) throws IOException, InterruptedException {
    Path file = dir.resolve("passwd");
    run("mosquitto_passwd", "-b", "-c", file.toString(), user, password);
    return file;
  }

  private void issue(String name, String subject, String extensions) throws IOException, InterruptedException {
    Path ext = dir.resolve(name + ".ext");
    Files.writeString(ext, extensions, StandardCharsets.UTF_8);
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
        "-subj", subject);
    run("openssl", "x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", name + ".crt", "-days", "2", "-extfile", ext.toString());
  }

  private void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(command[0] + " did not finish within 60 s");
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out);
    }
  }
}
