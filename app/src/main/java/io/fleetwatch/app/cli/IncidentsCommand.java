package io.fleetwatch.app.cli;

import io.fleetwatch.avro.Incident;
import io.fleetwatch.avro.IncidentAction;
import io.fleetwatch.avro.RoutedStakeholder;
import io.fleetwatch.schemas.Topic;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fleetwatch incidents tail}: incidents as they change, decoded from {@code fleet.incidents}. */
@Command(name = "incidents", description = "Follow incidents for responders on a terminal.",
    subcommands = {IncidentsCommand.Tail.class})
public final class IncidentsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Prints one block per incident change (committed records only) until interrupted or {@code --max}. */
  @Command(name = "tail", description = {
      "Print every change of an incident (status, severity, escalation, acknowledgement) as it happens.",
      "Reads fleet.incidents with read_committed; Ctrl-C stops."})
  public static final class Tail implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
        .withZone(ZoneOffset.UTC);

    @Spec CommandSpec spec;
    @Mixin KafkaOptions kafka;

    @Option(names = "--from-beginning", description = "Start with the incidents already in the topic.")
    boolean fromBeginning;

    @Option(names = "--details", description = "Also print impact, stakeholders and actions of each change.")
    boolean details;

    @Option(names = "--max", paramLabel = "N", description = "Stop after N changes (default: run until Ctrl-C).")
    long max = Long.MAX_VALUE;

    @Override
    public Integer call() throws Exception {
      Topic<String, Incident> topic = kafka.topics().incidents();
      Map<String, Object> config = new HashMap<>(kafka.clientConfig());
      config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "fleetwatch-incidents-tail");
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      CountDownLatch done = new CountDownLatch(1);
      try (KafkaConsumer<byte[], byte[]> consumer =
          new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        Thread hook = new Thread(() -> {
          consumer.wakeup();
          try {
            done.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }, "fleetwatch-incidents-tail-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), Duration.ofSeconds(30)).stream()
            .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        if (fromBeginning) {
          consumer.seekToBeginning(partitions);
        } else {
          consumer.seekToEnd(partitions);
        }
        long printed = 0;
        try {
          while (printed < max) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
              if (record.value() == null) {
                continue;
              }
              Incident incident;
              try {
                incident = topic.valueSerde().deserializer().deserialize(record.topic(), record.value());
              } catch (RuntimeException e) {
                err.printf("skipping undecodable record %s-%d@%d: %s%n", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
                continue;
              }
              out.println(format(incident, details));
              out.flush();
              if (++printed >= max) {
                break;
              }
            }
          }
        } catch (WakeupException e) {
          // Ctrl-C
        } finally {
          done.countDown();
        }
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // shutting down already
        }
      }
      return 0;
    }

    /** One line per change, plus the business context with {@code details}. */
    static String format(Incident i, boolean details) {
      String where = i.getSite() + "/" + (i.getDeviceId() == null ? "*" : i.getDeviceId());
      String category = i.getSsf() == null ? "-" : i.getSsf().getCategory();
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
          "%s  %-12s %-8s %-8s cat %-4s esc %d  %-22s %s: %s  [%s]",
          TIME.format(changedAt(i)), lower(i.getStatus().name()), i.getPolicyId(), lower(i.getSeverity().name()),
          category, i.getEscalationLevel(), where, i.getTitle(), i.getSummary(), i.getId()));
      if (i.getAcknowledgedBy() != null) {
        line.append("  ack ").append(i.getAcknowledgedBy());
      }
      if (i.getAssignee() != null) {
        line.append("  assigned ").append(i.getAssignee());
      }
      if (i.getVerification() != null) {
        line.append("  verified ").append(lower(i.getVerification().name()));
      }
      if (!details) {
        return line.toString();
      }
      line.append(System.lineSeparator()).append("    severity: ");
      i.getSeverityFactors().forEach(f -> line.append(f.getFactor()).append(f.getSteps() == 0 ? "" :
          String.format(Locale.ROOT, " %+d", f.getSteps())).append(" (").append(f.getReason()).append("); "));
      if (i.getImpact() != null) {
        var impact = i.getImpact();
        line.append(System.lineSeparator()).append(String.format(Locale.ROOT,
            "    impact: %s; RTO %d min, %s min left; %.0f %s/h, %.0f %s so far; manual fallback %s",
            String.join(", ", impact.getServices().stream().map(s -> s.getName()).toList()),
            impact.getRtoSeconds() / 60, impact.getSecondsUntilRtoBreach() / 60, impact.getCostPerHour(),
            impact.getCurrency(), impact.getCostSoFar(), impact.getCurrency(), impact.getManualFallback() ? "yes" : "no"));
      }
      for (RoutedStakeholder s : i.getStakeholders()) {
        line.append(System.lineSeparator()).append(String.format(Locale.ROOT, "    %s %-22s %s %s%s",
            s.getRouted() ? "->" : "  ", s.getRole(), s.getName(), contact(s), ""));
      }
      for (IncidentAction a : i.getActions()) {
        line.append(System.lineSeparator()).append("    ").append(a.getPerspective()).append(' ')
            .append(a.getText()).append(a.getTlp() == null ? "" : " [TLP:" + a.getTlp() + "]");
      }
      return line.toString();
    }

    private static String contact(RoutedStakeholder s) {
      StringBuilder c = new StringBuilder();
      for (String v : new String[] {s.getEmail(), s.getPhone(), s.getUrl(), s.getSecurityTxt()}) {
        if (v != null) {
          c.append(c.length() == 0 ? "" : ", ").append(v);
        }
      }
      return c.length() == 0 ? "" : "<" + c + ">";
    }

    private static Instant changedAt(Incident i) {
      Instant latest = i.getOpenedAt();
      if (!i.getHistory().isEmpty()) {
        latest = i.getHistory().get(i.getHistory().size() - 1).getAt();
      }
      return latest;
    }

    private static String lower(String symbol) {
      return symbol.toLowerCase(Locale.ROOT);
    }
  }
}
