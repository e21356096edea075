package io.fleetwatch.streams.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Liveness and readiness of a process, from named checks, as its HTTP probes answer them:
 * <ul>
 *   <li>{@code GET /health/live} → 200 while every check is live (working, or recovering by itself), else 503:
 *       restart the process;</li>
 *   <li>{@code GET /health/ready} → 200 while every check is also ready (doing its job now), else 503: send no
 *       traffic, do not count on it yet;</li>
 *   <li>{@code GET /health} → the same code as {@code /health/ready}.</li>
 * </ul>
 * Every answer has the body {@code {"status": "UP"|"NOT_READY"|"DOWN", "live": bool, "ready": bool, "<check>":
 * "<detail>", ...}}: {@code UP} = ready, {@code NOT_READY} = live but not ready, {@code DOWN} = not live; each
 * check adds its detail under its name (e.g. {@code "streams": "REBALANCING"}, {@code "gateway":
 * "MQTT_NOT_SUBSCRIBED"}). Checks may be added while the server runs.
 */
public final class Health {
  /** The probe paths this class answers. */
  public static final String PATH = "/health";
  public static final String LIVE_PATH = "/health/live";
  public static final String READY_PATH = "/health/ready";

  private static final Set<KafkaStreams.State> STREAMS_LIVE = EnumSet.of(KafkaStreams.State.CREATED,
      KafkaStreams.State.REBALANCING, KafkaStreams.State.RUNNING);

  private final Map<String, Supplier<State>> checks = new ConcurrentSkipListMap<>();
  private final ObjectMapper mapper = new ObjectMapper();

  /** One check's answer: whether it is live, whether it is ready, and a word saying where it stands. */
  public record State(boolean live, boolean ready, String detail) {
    public State {
      Objects.requireNonNull(detail, "detail");
      if (ready && !live) {
        throw new IllegalArgumentException("a check cannot be ready and not live: " + detail);
      }
    }

    public static State ready(String detail) {
      return new State(true, true, detail);
    }

    public static State notReady(String detail) {
      return new State(true, false, detail);
    }

    public static State down(String detail) {
      return new State(false, false, detail);
    }
  }

  /** An HTTP answer: status code and JSON body. */
  public record Answer(int status, String json) {}

  /** Adds (or replaces) the check {@code name}; its detail appears under that name in every answer. */
  public Health add(String name, Supplier<State> check) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(check, "check");
    checks.put(name, check);
    return this;
  }

  /**
   * A Kafka Streams client: live while CREATED, REBALANCING or RUNNING (ERROR, PENDING_ERROR, PENDING_SHUTDOWN and
   * NOT_RUNNING are not), ready only while RUNNING; {@code null} (not built yet) is live and not ready.
   */
  public static State streams(KafkaStreams.State state) {
    if (state == null) {
      return State.notReady("NOT_STARTED");
    }
    if (state == KafkaStreams.State.RUNNING) {
      return State.ready(state.name());
    }
    return STREAMS_LIVE.contains(state) ? State.notReady(state.name()) : State.down(state.name());
  }

  /** Every check now: live and ready only when all are. */
  public boolean live() {
    return checks.values().stream().allMatch(c -> c.get().live());
  }

  /** Whether every check is ready now. */
  public boolean ready() {
    return checks.values().stream().allMatch(c -> c.get().ready());
  }

  /** The answer to {@code path} when it is one of the probe paths, else empty. */
  public Optional<Answer> answer(String path) {
    if (!PATH.equals(path) && !LIVE_PATH.equals(path) && !READY_PATH.equals(path)) {
      return Optional.empty();
    }
    boolean live = true;
    boolean ready = true;
    ObjectNode details = mapper.createObjectNode();
    for (Map.Entry<String, Supplier<State>> check : checks.entrySet()) {
      State state = check.getValue().get();
      live &= state.live();
      ready &= state.ready();
      details.put(check.getKey(), state.detail());
    }
    ObjectNode body = mapper.createObjectNode();
    body.put("status", ready ? "UP" : live ? "NOT_READY" : "DOWN");
    body.put("live", live);
    body.put("ready", ready);
    body.setAll(details);
    boolean ok = LIVE_PATH.equals(path) ? live : ready;
    return Optional.of(new Answer(ok ? 200 : 503, body.toString()));
  }
}
