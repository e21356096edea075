package io.fleetwatch.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AckSequencerTest {
  private final List<Integer> acked = new ArrayList<>();
  private final AckSequencer sequencer = new AckSequencer((id, qos) -> acked.add(id));

  @Test
  void acknowledgesInArrivalOrderWhenKafkaCompletesOutOfOrder() {
    AckSequencer.Ticket first = sequencer.register(11, 1);
    AckSequencer.Ticket second = sequencer.register(12, 1);
    AckSequencer.Ticket third = sequencer.register(13, 1);

    sequencer.complete(third);
    sequencer.complete(second);
    assertEquals(List.of(), acked, "nothing may be acknowledged before the oldest message");

    sequencer.complete(first);
    assertEquals(List.of(11, 12, 13), acked);
    assertEquals(0, sequencer.pending());
  }

  @Test
  void releasesOnlyTheCompletedPrefix() {
    AckSequencer.Ticket first = sequencer.register(1, 1);
    sequencer.register(2, 1);
    AckSequencer.Ticket third = sequencer.register(3, 1);

    sequencer.complete(first);
    sequencer.complete(third);

    assertEquals(List.of(1), acked);
    assertEquals(2, sequencer.pending());
  }

  @Test
  void completingTwiceAcknowledgesOnce() {
    AckSequencer.Ticket only = sequencer.register(5, 1);

    sequencer.complete(only);
    sequencer.complete(only);

    assertEquals(List.of(5), acked);
  }

  @Test
  void neverAcknowledgesMessagesOfALostConnectionOnTheNextOne() {
    AckSequencer.Ticket before = sequencer.register(7, 1);
    assertEquals(1, sequencer.connectionLost());
    sequencer.connected(true);
    AckSequencer.Ticket after = sequencer.register(7, 1); // the broker may reuse the packet id

    sequencer.complete(before);
    assertEquals(List.of(), acked);
    sequencer.complete(after);
    assertEquals(List.of(7), acked);
  }

  @Test
  void aForgottenMessageStaysUnacknowledgedAndNoLongerHoldsBackLaterOnes() {
    AckSequencer.Ticket first = sequencer.register(1, 1);
    AckSequencer.Ticket second = sequencer.register(2, 1);
    sequencer.complete(second);
    assertEquals(List.of(), acked);

    sequencer.forget(first);
    sequencer.complete(first); // too late: never acknowledged

    assertEquals(List.of(2), acked);
    assertEquals(0, sequencer.pending());
  }

  @Test
  void abandonsMessagesOfALostConnectionWhenTheSessionSurvived() {
    AckSequencer.Ticket lost = sequencer.register(1, 1);
    sequencer.connectionLost();

    sequencer.connected(true);

    assertTrue(lost.abandoned(), "the broker redelivers it, so its record need not be retried");
  }

  @Test
  void keepsMessagesOfALostConnectionWantedWhenTheSessionWasLost() {
    AckSequencer.Ticket lost = sequencer.register(1, 1);
    sequencer.connectionLost();

    sequencer.connected(false);

    assertFalse(lost.abandoned(), "the record is the only copy left");
  }

  @Test
  void doesNotAbandonMessagesAlreadyCompletedBeforeTheConnectionWasLost() {
    AckSequencer.Ticket blocker = sequencer.register(1, 1);
    AckSequencer.Ticket done = sequencer.register(2, 1);
    sequencer.complete(done);

    assertEquals(1, sequencer.connectionLost());
    sequencer.connected(true);

    assertTrue(blocker.abandoned());
    assertFalse(done.abandoned());
  }
}
