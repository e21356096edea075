package io.fleetwatch.embedded;

import io.fleetwatch.schemas.Topic;
import io.fleetwatch.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics of the catalogue that do not exist yet: data topics with the configured partition count,
 * registry and incident topics compacted. Existing topics are left as they are.
 */
public final class TopicProvisioner {
  private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);

  private final Admin admin;
  private final int partitions;
  private final short replicationFactor;

  public TopicProvisioner(Admin admin, int partitions, short replicationFactor) {
    if (partitions < 1) {
      throw new IllegalArgumentException("topic partitions must be >= 1, got " + partitions);
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException("topic replication factor must be >= 1, got " + replicationFactor);
    }
    this.admin = admin;
    this.partitions = partitions;
    this.replicationFactor = replicationFactor;
  }

  /** Creates the missing topics and returns their names. */
  public List<String> ensure(Topics topics, Duration timeout) {
    try {
      Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (Topic<String, ?> topic : topics.all()) {
        if (!existing.contains(topic.name())) {
          NewTopic t = new NewTopic(topic.name(), partitions, replicationFactor);
          if (topic.compacted()) {
            t.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
          }
          missing.add(t);
        }
      }
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("created topics {}", missing.stream().map(NewTopic::name).toList());
      }
      return missing.stream().map(NewTopic::name).toList();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException) {
        return List.of(); // created concurrently by another instance
      }
      throw new IllegalStateException("cannot create topics: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("cannot create topics: Kafka did not answer within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    }
  }
}
