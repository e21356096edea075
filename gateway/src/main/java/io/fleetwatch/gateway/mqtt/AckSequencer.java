package io.fleetwatch.gateway.mqtt;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Releases MQTT acknowledgements in arrival order, as MQTT requires, although Kafka completes records in any order.
 *
 * <p>Input: {@link #register} for each QoS 1 message as it arrives, {@link #complete} when Kafka acknowledged its
 * record, {@link #connectionLost()} and {@link #connected(boolean)} as the MQTT connection comes and goes. Output:
 * calls to the {@link AckSink}, oldest first, for every completed message whose predecessors on the same connection
 * are all completed. Acknowledgements of a lost connection are never sent on a later one (the packet id may by then
 * name another message); after a reconnect that found the session, the broker redelivers those messages, so
 * their pending tickets are marked abandoned. Pure and thread-safe; the sink is called under the lock so that acks
 * reach the client in order.
 */
public final class AckSequencer {

  /** Where released acknowledgements go (the MQTT client's {@code messageArrivedComplete}). */
  @FunctionalInterface
  public interface AckSink {
    void ack(int messageId, int qos);
  }

  /** One message awaiting its acknowledgement. */
  public static final class Ticket {
    private final long connection;
    private final int messageId;
    private final int qos;
    private boolean completed;
    private volatile boolean abandoned;

    private Ticket(long connection, int messageId, int qos) {
      this.connection = connection;
      this.messageId = messageId;
      this.qos = qos;
    }

    public int messageId() {
      return messageId;
    }

    public int qos() {
      return qos;
    }

    /** Whether the broker will redeliver this message, so its record need not be retried. */
    public boolean abandoned() {
      return abandoned;
    }
  }

  private final AckSink sink;
  private final ArrayDeque<Ticket> pending = new ArrayDeque<>();
  private final List<Ticket> lost = new ArrayList<>();
  private long connection;

  public AckSequencer(AckSink sink) {
    this.sink = Objects.requireNonNull(sink, "sink");
  }

  /** Records the arrival of a message on the current connection. */
  public synchronized Ticket register(int messageId, int qos) {
    Ticket ticket = new Ticket(connection, messageId, qos);
    pending.addLast(ticket);
    return ticket;
  }

  /**
   * Marks a message as safely stored and sends every acknowledgement now releasable, oldest first. Completing a
   * ticket twice, or one of a lost connection, sends nothing.
   */
  public synchronized void complete(Ticket ticket) {
    if (ticket.completed) {
      return;
    }
    ticket.completed = true;
    if (ticket.connection != connection) {
      return;
    }
    releaseCompleted();
  }

  /**
   * Gives up on a message without acknowledging it (it could not be handled; the broker redelivers it with the
   * session) and sends the acknowledgements it was holding back. Forgetting a completed ticket does nothing.
   */
  public synchronized void forget(Ticket ticket) {
    if (ticket.completed) {
      return;
    }
    ticket.completed = true;
    if (ticket.connection != connection || !pending.remove(ticket)) {
      return;
    }
    releaseCompleted();
  }

  private void releaseCompleted() {
    while (!pending.isEmpty() && pending.peekFirst().completed) {
      Ticket head = pending.pollFirst();
      sink.ack(head.messageId, head.qos);
    }
  }

  /** The connection dropped: nothing registered so far will be acknowledged. Returns how many were pending. */
  public synchronized int connectionLost() {
    connection++;
    int dropped = 0;
    for (Ticket t : pending) {
      if (!t.completed) {
        lost.add(t);
        dropped++;
      }
    }
    pending.clear();
    return dropped;
  }

  /**
   * A connection is up. With the session present the broker redelivers every unacknowledged message, so the tickets
   * of lost connections are abandoned; without it their records are the only copy and stay wanted.
   */
  public synchronized void connected(boolean sessionPresent) {
    if (sessionPresent) {
      for (Ticket t : lost) {
        t.abandoned = true;
      }
    }
    lost.clear();
  }

  /** Messages of the current connection not yet acknowledged. */
  public synchronized int pending() {
    return pending.size();
  }
}
