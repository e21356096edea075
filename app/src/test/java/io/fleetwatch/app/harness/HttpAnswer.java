package io.fleetwatch.app.harness;

import java.util.Locale;
import java.util.Map;

/**
 * One HTTP answer of a child process ({@link StreamsProcess#get(String)}, {@link GatewayProcess#get(String)}).
 *
 * @param status HTTP status, or -1 when nothing answered (not listening, timed out)
 * @param body the body, or the I/O error when nothing answered
 * @param headers the first value of each response header, names in lower case
 */
public record HttpAnswer(int status, String body, Map<String, String> headers) {
  /** A response header, or {@code null}. */
  public String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  /**
   * {@code X-Fleetwatch-Served-By}: the {@code host:port} of the streams instance whose stores answered (with several
   * instances a request may be forwarded to the owner of the device), or {@code null}.
   */
  public String servedBy() {
    return header("X-Fleetwatch-Served-By");
  }
}
