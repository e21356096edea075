package io.fleetwatch.simulator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Collects what the simulator publishes. */
public final class RecordingSink implements MessageSink {
  /** One published message. */
  public record Message(int shard, String topic, String payload) {
  }

  public final List<Message> messages = new ArrayList<>();

  @Override
  public void start() {
  }

  @Override
  public void publish(int shard, String topic, byte[] payload) {
    messages.add(new Message(shard, topic, new String(payload, StandardCharsets.UTF_8)));
  }

  @Override
  public long published() {
    return messages.size();
  }

  @Override
  public long notPublished() {
    return 0;
  }

  @Override
  public void close() {
  }

  public List<Message> on(String topicSuffix) {
    return messages.stream().filter(m -> m.topic().endsWith(topicSuffix)).toList();
  }
}
