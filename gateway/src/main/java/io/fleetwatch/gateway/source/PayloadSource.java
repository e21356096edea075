package io.fleetwatch.gateway.source;

import io.fleetwatch.gateway.mapping.ParseResult;
import java.util.List;

/**
 * A kind of device payload the gateway takes besides its native JSON contract on {@code fleet/{site}/{device}/...}:
 * Sparkplug B, SenML, declaratively mapped vendor JSON.
 *
 * <p>Input: the MQTT topic, the payload bytes and the gateway receive time of one message, on the MQTT callback
 * thread. Output: the contract records the message stands for, in order. One message may stand for several records
 * (a SenML pack naming several devices, a Sparkplug birth that carries state and readings) or for a rejection with
 * its reason ({@link ParseResult.Rejected}, sent to the dead-letter topic); a mix is allowed. The gateway
 * acknowledges a QoS 1 message only after Kafka acknowledged every record it yielded.
 */
public interface PayloadSource {

  /** Short name from a closed set, used as the {@code source} metric tag: {@code sparkplug}, {@code senml}, {@code mapped}. */
  String name();

  /** MQTT topic filters the gateway subscribes to for this source. */
  List<String> subscriptions();

  /** Whether a message on {@code topic} belongs to this source. */
  boolean matches(String topic);

  /**
   * The records one message stands for; never throws and never returns an empty list (a message that yields
   * nothing is a {@link ParseResult.Rejected} with the reason).
   */
  List<ParseResult> decode(String topic, byte[] payload, long receivedAt);
}
