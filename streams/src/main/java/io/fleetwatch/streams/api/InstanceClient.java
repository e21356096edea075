package io.fleetwatch.streams.api;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Asks other instances of the streams app on behalf of an API request: a {@code GET} of the same, path and
 * query, with the caller's {@code Authorization} header and {@value #FORWARDED_FROM} set to this instance's address,
 * so the receiver answers from its own stores and never forwards again. Short timeouts (connect, whole request): a
 * dead or hung instance is reported as not answering, with the reason, rather than holding the caller.
 */
final class InstanceClient {
  /** Request header marking a request forwarded by another instance (value: its address); never forwarded again. */
  static final String FORWARDED_FROM = "X-Fleetwatch-Forwarded-From";
  /** Response header: the advertised address of the instance whose stores answered. */
  static final String SERVED_BY = "X-Fleetwatch-Served-By";
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);
  /** Response headers passed back to the caller of a forwarded request. */
  static final List<String> RELAYED = List.of("Content-Type", "Retry-After", "X-Truncated", SERVED_BY);

  /**
   * One instance's answer, or why there is none.
   *
   * @param host the instance asked
   * @param status HTTP status, or -1 when it did not answer
   * @param body response body (empty when it did not answer)
   * @param headers the {@link #RELAYED} headers it sent
   * @param failure why it did not answer, else {@code null}
   */
  record Reply(HostInfo host, int status, byte[] body, Map<String, String> headers, String failure) {
    boolean answered() {
      return failure == null;
    }

    /** {@code host:port}, and the reason when it did not answer or answered an error. */
    String describe() {
      String address = address(host);
      if (!answered()) {
        return address + " (" + failure + ")";
      }
      return status == 200 || status == 404 ? address : address + " (HTTP " + status + ")";
    }
  }

  private final HostInfo self;
  private final HttpClient http;
  private final Duration requestTimeout;

  InstanceClient(HostInfo self, Duration connectTimeout, Duration requestTimeout) {
    this.self = Objects.requireNonNull(self, "self");
    this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** Whether {@code exchange} was forwarded by another instance (then it is answered locally only). */
  static boolean forwarded(HttpExchange exchange) {
    return exchange.getRequestHeaders().containsKey(FORWARDED_FROM);
  }

  /** {@code host:port}, with brackets around an IPv6 host. */
  static String address(HostInfo host) {
    return (host.host().contains(":") ? "[" + host.host() + "]" : host.host()) + ":" + host.port();
  }

  /** Sends {@code exchange}'s GET to {@code target}; never throws for a failure of the target. */
  Reply get(HostInfo target, HttpExchange exchange) throws InterruptedException {
    return getAll(List.of(target), exchange).get(0);
  }

  /** Sends {@code exchange}'s GET to every target at once and waits for all (each bounded by the timeouts). */
  List<Reply> getAll(List<HostInfo> targets, HttpExchange exchange) throws InterruptedException {
    URI uri = exchange.getRequestURI();
    String pathAndQuery = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    List<CompletableFuture<Reply>> pending = targets.stream().map(target -> {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + address(target) + pathAndQuery))
          .timeout(requestTimeout).header(FORWARDED_FROM, address(self)).header("Accept", "application/json").GET();
      if (authorization != null) {
        request.header("Authorization", authorization);
      }
      return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
          .handle((response, error) -> error == null ? reply(target, response) : failed(target, error));
    }).toList();
    try {
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("unexpected failure asking other instances", e); // handle() never fails
    }
    return pending.stream().map(CompletableFuture::join).toList();
  }

  private static Reply reply(HostInfo target, HttpResponse<byte[]> response) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (String name : RELAYED) {
      response.headers().firstValue(name).ifPresent(v -> headers.put(name, v));
    }
    return new Reply(target, response.statusCode(), response.body(), headers, null);
  }

  private static Reply failed(HostInfo target, Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    String why = cause instanceof HttpTimeoutException ? "timed out"
        : cause instanceof IOException ? "unreachable: " + cause.getClass().getSimpleName()
            + (cause.getMessage() == null ? "" : " " + cause.getMessage())
        : cause.toString();
    return new Reply(target, -1, new byte[0], Map.of(), why);
  }
}
