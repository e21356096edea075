package io.fleetwatch.streams.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.Objects;

/**
 * One request as a route's handler sees it: the values of the route's named segments, the exchange, and the ways to
 * answer. Every answer carries {@value #JSON} unless said otherwise, and {@code X-Fleetwatch-Served-By} when the
 * server knows its advertised address (kept as relayed when a forwarded answer already set it). Errors are
 * {@code {"error": "...", "status": n}}.
 */
public final class ApiRequest {
  /** Content type of every JSON answer. */
  public static final String JSON = "application/json; charset=utf-8";

  private final HttpExchange exchange;
  private final Map<String, String> parameters;
  private final ObjectMapper mapper;
  private final String servedBy;

  ApiRequest(HttpExchange exchange, Map<String, String> parameters, ObjectMapper mapper, String servedBy) {
    this.exchange = Objects.requireNonNull(exchange, "exchange");
    this.parameters = Objects.requireNonNull(parameters, "parameters");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.servedBy = servedBy;
  }

  /** The value of the named segment {@code {name}} of the route's pattern (decoded). */
  public String parameter(String name) {
    String value = parameters.get(name);
    if (value == null) {
      throw new IllegalArgumentException("the route has no segment {" + name + "}: " + parameters.keySet());
    }
    return value;
  }

  /** The decoded path. */
  public String path() {
    return exchange.getRequestURI().getPath();
  }

  /** The underlying exchange (request headers, body, URI). */
  public HttpExchange exchange() {
    return exchange;
  }

  /** Adds a response header; call before answering. */
  public ApiRequest header(String name, String value) {
    exchange.getResponseHeaders().add(name, value);
    return this;
  }

  /** Answers {@code {"error": message, "status": status}}. */
  public void sendError(int status, String message) throws IOException {
    ObjectNode body = mapper.createObjectNode();
    body.put("error", message);
    body.put("status", status);
    sendJson(status, body);
  }

  /** Answers 503 with {@code Retry-After: 1}: what is asked for is not there right now, {@code message} says why. */
  public void sendUnavailable(String message) throws IOException {
    header("Retry-After", "1");
    sendError(503, message);
  }

  /** Answers {@code body} as JSON. */
  public void sendJson(int status, JsonNode body) throws IOException {
    send(status, JSON, mapper.writeValueAsBytes(body));
  }

  /** Answers {@code body} (none when empty) with {@code contentType}. */
  public void send(int status, String contentType, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    if (servedBy != null && !exchange.getResponseHeaders().containsKey(InstanceClient.SERVED_BY)) {
      exchange.getResponseHeaders().set(InstanceClient.SERVED_BY, servedBy);
    }
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
