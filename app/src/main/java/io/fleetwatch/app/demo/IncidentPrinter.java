package io.fleetwatch.app.demo;

import io.fleetwatch.avro.BusinessImpact;
import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentStatus;
import io.fleetwatch.avro.RoutedStakeholder;
import io.fleetwatch.avro.ServiceImpact;
import io.fleetwatch.schemas.Topic;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code fleet.incidents} (committed records only, from the end at start) and prints one human-readable
 * line each time an incident opens, is acknowledged or resolves. Updates that do not change the status are
 * not printed.
 */
public final class IncidentPrinter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IncidentPrinter.class);
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Topic<String, Incident> topic;
  private final PrintStream out;
  private final Map<String, IncidentStatus> printed = new HashMap<>();
  private final Thread thread;
  private volatile boolean running = true;

  public IncidentPrinter(Map<String, Object> clientConfig, Topic<String, Incident> topic, PrintStream out) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "fleetwatch-incident-printer");
    this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.topic = topic;
    this.out = out;
    this.thread = new Thread(this::run, "fleetwatch-incident-printer");
    this.thread.setDaemon(true);
  }

  public void start() {
    List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), Duration.ofSeconds(30)).stream()
        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position); // resolve "end" now, so nothing after start() is missed
    thread.start();
  }

  private void run() {
    try {
      while (running) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          Incident incident;
          try {
            incident = topic.valueSerde().deserializer().deserialize(record.topic(), record.value());
          } catch (RuntimeException e) {
            LOG.warn("skipping undecodable incident at {}-{}@{}: {}", record.topic(), record.partition(),
                record.offset(), e.getMessage());
            continue;
          }
          if (incident != null && printed.put(incident.getId(), incident.getStatus()) != incident.getStatus()) {
            out.println(line(incident));
            out.flush();
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.error("incident printer stopped: {}", e.toString());
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  /** One line: time, transition, policy, severity, where, what. */
  static String line(Incident i) {
    String verb = switch (i.getStatus()) {
      case OPEN -> "OPENED";
      case ACKNOWLEDGED -> "ACKED";
      case RESOLVED -> "RESOLVED";
      default -> i.getStatus().name();
    };
    Instant at = i.getStatus() == IncidentStatus.RESOLVED && i.getResolvedAt() != null ? i.getResolvedAt()
        : i.getStatus() == IncidentStatus.OPEN ? i.getOpenedAt() : i.getLastSeenAt();
    String where = i.getSite() + "/" + (i.getDeviceId() == null ? "*" : i.getDeviceId());
    String what = i.getStatus() == IncidentStatus.RESOLVED
        ? "resolved after " + Duration.between(i.getOpenedAt(), at).toSeconds() + "s"
        : i.getSummary();
    String line = String.format(Locale.ROOT, "%s  %-8s %-7s %-8s %-22s %s: %s  [%s]", TIME.format(at), verb,
        i.getPolicyId(), i.getSeverity().name().toLowerCase(Locale.ROOT), where, i.getTitle(), what, i.getId());
    return i.getStatus() == IncidentStatus.OPEN ? line + context(i) : line;
  }

  private static String contact(RoutedStakeholder r) {
    String who = r.getRole() + " " + (r.getName() == null ? r.getStakeholderId() : r.getName());
    String how = r.getPhone() != null ? r.getPhone() : r.getEmail() != null ? r.getEmail()
        : r.getSecurityTxt() != null ? r.getSecurityTxt() : r.getUrl();
    return how == null ? who : who + " (" + how + ")";
  }

  /** Business context of an opened incident: category, services hurt with RTO and cost rate, whom to call. */
  private static String context(Incident i) {
    StringBuilder b = new StringBuilder();
    if (i.getSsf() != null && !"none".equals(i.getSsf().getCategory())) {
      b.append("\n          IoT-SSF category ").append(i.getSsf().getCategory());
    }
    BusinessImpact impact = i.getImpact();
    if (impact != null && !impact.getServices().isEmpty()) {
      b.append(b.length() == 0 ? "\n          " : "; ").append("hurts ");
      for (int k = 0; k < impact.getServices().size(); k++) {
        ServiceImpact s = impact.getServices().get(k);
        b.append(k == 0 ? "" : ", ").append(s.getName()).append(" (RTO ")
            .append(Duration.ofSeconds(s.getRtoSeconds()).toMinutes()).append(" min)");
      }
      b.append(String.format(Locale.ROOT, ", %,.0f %s/h", impact.getCostPerHour(),
          impact.getCurrency() == null ? "" : impact.getCurrency()));
    }
    List<String> routed = i.getStakeholders().stream().filter(RoutedStakeholder::getRouted)
        .map(IncidentPrinter::contact).toList();
    if (!routed.isEmpty()) {
      b.append("\n          call ").append(String.join(", ", routed));
    }
    return b.toString();
  }

  @Override
  public void close() {
    running = false;
    if (!thread.isAlive()) {
      consumer.close(Duration.ofSeconds(2));
      return;
    }
    consumer.wakeup();
    try {
      thread.join(3000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
