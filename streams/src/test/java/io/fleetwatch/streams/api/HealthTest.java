package io.fleetwatch.streams.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HealthTest {
  private final ObjectMapper mapper = new ObjectMapper();

  @ParameterizedTest
  @EnumSource(KafkaStreams.State.class)
  void streamsIsReadyOnlyWhileRunningAndLiveUnlessFailedOrStopping(KafkaStreams.State state) {
    Health.State check = Health.streams(state);
    assertEquals(state == KafkaStreams.State.RUNNING, check.ready());
    boolean live = switch (state) {
      case CREATED, REBALANCING, RUNNING -> true;
      case PENDING_SHUTDOWN, NOT_RUNNING, PENDING_ERROR, ERROR -> false;
    };
    assertEquals(live, check.live());
    assertEquals(state.name(), check.detail());
  }

  @Test
  void aStreamsClientNotBuiltYetIsLiveAndNotReady() {
    Health.State check = Health.streams(null);
    assertTrue(check.live());
    assertFalse(check.ready());
    assertEquals("NOT_STARTED", check.detail());
  }

  @Test
  void theWorstCheckDecidesAndEveryCheckShowsItsDetail() throws Exception {
    AtomicReference<Health.State> gateway = new AtomicReference<>(Health.State.notReady("MQTT_DISCONNECTED"));
    Health health = new Health()
        .add("streams", () -> Health.State.ready("RUNNING"))
        .add("gateway", gateway::get);

    JsonNode starting = body(health, Health.PATH, 503);
    assertEquals("NOT_READY", starting.get("status").asText());
    assertEquals("MQTT_DISCONNECTED", starting.get("gateway").asText());
    assertEquals("RUNNING", starting.get("streams").asText());
    body(health, Health.LIVE_PATH, 200);
    body(health, Health.READY_PATH, 503);

    gateway.set(Health.State.ready("READY"));
    assertEquals("UP", body(health, Health.PATH, 200).get("status").asText());
    body(health, Health.READY_PATH, 200);

    gateway.set(Health.State.down("CLOSED"));
    JsonNode down = body(health, Health.LIVE_PATH, 503);
    assertEquals("DOWN", down.get("status").asText());
    assertFalse(down.get("live").asBoolean());
  }

  @Test
  void answersOnlyTheProbePaths() {
    Health health = new Health();
    assertTrue(health.answer("/metrics").isEmpty());
    assertTrue(health.answer("/health/other").isEmpty());
    assertEquals(200, health.answer(Health.READY_PATH).orElseThrow().status(), "no check: ready");
  }

  @Test
  void aCheckCannotBeReadyWithoutBeingLive() {
    assertThrows(IllegalArgumentException.class, () -> new Health.State(false, true, "odd"));
  }

  private JsonNode body(Health health, String path, int expectedStatus) throws Exception {
    Health.Answer answer = health.answer(path).orElseThrow();
    assertEquals(expectedStatus, answer.status(), path + ": " + answer.json());
    return mapper.readTree(answer.json());
  }
}
