package io.fleetwatch.streams.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The bearer tokens of an {@link ApiServer} and the one check of them: whether an {@code Authorization} header may
 * call a route of a given {@link RouteTable.Access}. {@code OPEN} needs nothing; {@code READ} needs the read token
 * when one is set (the write token is accepted too); {@code WRITE} needs the write token when one is set. Tokens are
 * compared in constant time.
 *
 * @param read token of the read routes, or {@code null} when they are open
 * @param write token of the write routes, or {@code null} when they are open
 */
public record BearerTokens(String read, String write) {
  /** No token anywhere: every route is open. */
  public static final BearerTokens NONE = new BearerTokens(null, null);

  private static final String BEARER = "Bearer ";

  /** Whether {@code authorization} (the header, or {@code null}) may call a route of {@code access}. */
  public boolean permit(RouteTable.Access access, String authorization) {
    return switch (access) {
      case OPEN -> true;
      case READ -> read == null || matches(authorization, read) || (write != null && matches(authorization, write));
      case WRITE -> write == null || matches(authorization, write);
    };
  }

  private static boolean matches(String header, String token) {
    if (header == null || !header.startsWith(BEARER)) {
      return false;
    }
    byte[] given = header.substring(BEARER.length()).strip().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, token.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "BearerTokens[read=" + (read == null ? "none" : "set") + ", write=" + (write == null ? "none" : "set") + "]";
  }
}
