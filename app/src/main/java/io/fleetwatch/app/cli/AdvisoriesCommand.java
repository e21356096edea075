package io.fleetwatch.app.cli;

import io.fleetwatch.avro.Advisory;
import io.fleetwatch.avro.KnownExploited;
import io.fleetwatch.embedded.TopicProvisioner;
import io.fleetwatch.schemas.Topic;
import io.fleetwatch.schemas.Topics;
import io.fleetwatch.streams.vulnerability.csaf.AdvisoryFiles;
import io.fleetwatch.streams.vulnerability.csaf.CsafFormatException;
import io.fleetwatch.streams.vulnerability.csaf.CsafParser;
import io.fleetwatch.streams.vulnerability.csaf.KnownExploitedListParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code fleetwatch advisories validate|import FILE|DIR} and {@code fleetwatch advisories known-exploited FILE}: CSAF
 * 2.0 documents, parsed once here, into the compacted {@code fleet.advisories} topic (key: tracking id); a KEV-style
 * list into {@code fleet.known-exploited} (key: CVE id). Each document's line says how many statements it yields;
 * products it names that cannot be matched are listed with their JSON path and why. A malformed document, or one
 * failing a CSAF mandatory test, is reported as {@code file: $.json.path: [CSAF 6.1.x:] why}; the other documents of
 * a directory are still imported, and the exit code is 1.
 */
@Command(name = "advisories", description = "Validate or import CSAF 2.0 advisories and known-exploited lists.",
    subcommands = {AdvisoriesCommand.Validate.class, AdvisoriesCommand.Import.class,
        AdvisoriesCommand.KnownExploitedList.class})
public final class AdvisoriesCommand {

  @Command(name = "validate", description = "Parse CSAF documents; per document the statements it yields and the"
      + " products that cannot be matched; file: $.path: why for each bad one.")
  static final class Validate implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--lenient", description = "Accept documents that fail only CSAF mandatory tests that do not"
        + " affect matching (e.g. 6.1.16), with a warning naming the test.")
    boolean lenient;

    @Parameters(paramLabel = "FILE|DIR", description = "A CSAF JSON document or a directory of them.")
    Path path;

    @Override
    public Integer call() throws Exception {
      AdvisoryFiles.Result result = AdvisoryFiles.read(path, lenient);
      return report(result, "valid", spec);
    }
  }

  @Command(name = "import", description = "Publish CSAF documents to the advisories topic (bad ones are skipped).")
  static final class Import implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin KafkaOptions kafka;

    @Option(names = "--partitions", defaultValue = "6", description = "Partitions of topics created if missing.")
    int partitions;

    @Option(names = "--lenient", description = "Accept documents that fail only CSAF mandatory tests that do not"
        + " affect matching (e.g. 6.1.16), with a warning naming the test.")
    boolean lenient;

    @Parameters(paramLabel = "FILE|DIR", description = "A CSAF JSON document or a directory of them.")
    Path path;

    @Override
    public Integer call() throws Exception {
      AdvisoryFiles.Result result = AdvisoryFiles.read(path, lenient);
      Topics topics = kafka.topics();
      if (!result.advisories().isEmpty()) {
        try (Admin admin = Admin.create(kafka.clientConfig())) {
          new TopicProvisioner(admin, partitions, (short) 1).ensure(topics, Duration.ofSeconds(30));
        }
        publishAdvisories(kafka.clientConfig(), topics, result.advisories());
      }
      int exit = report(result, "imported", spec);
      spec.commandLine().getOut().printf("imported %d advisories to %s, %d rejected%n", result.advisories().size(),
          topics.advisories().name(), result.errors().size());
      return exit;
    }
  }

  /**
   * Prints per document how many statements it yields from how many named products, then every product that cannot
   * be matched and every warning (stderr), then the refused documents (stderr). Exit code 1 when a document was
   * refused or names products of which none can be matched (an advisory that could never match a device).
   */
  private static int report(AdvisoryFiles.Result result, String verdict, CommandSpec spec) {
    var out = spec.commandLine().getOut();
    var err = spec.commandLine().getErr();
    boolean useless = false;
    for (CsafParser.Result r : result.documents()) {
      Advisory a = r.advisory();
      out.printf("%s (%s): %d statements from %d named products, %d not matchable, %d vulnerabilities, %s%n",
          a.getId(), a.getSource(), a.getStatements().size(), r.namedProducts(), r.unmatchable().size(),
          a.getVulnerabilities().size(), r.warnings().isEmpty() ? verdict : verdict + " with warnings");
      r.unmatchable().forEach(err::println);
      r.warnings().forEach(err::println);
      if (a.getStatements().isEmpty() && r.namedProducts() > 0) {
        err.printf("%s: $.vulnerabilities: none of its %d named products can be matched against devices%n",
            a.getSource(), r.namedProducts());
        useless = true;
      }
    }
    result.errors().forEach(err::println);
    return result.errors().isEmpty() && !useless ? 0 : 1;
  }

  @Command(name = "known-exploited", description = "Publish a KEV-style list (CISA KEV JSON, or one CVE per line).")
  static final class KnownExploitedList implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin KafkaOptions kafka;

    @Option(names = "--partitions", defaultValue = "6", description = "Partitions of topics created if missing.")
    int partitions;

    @Parameters(paramLabel = "FILE", description = "The list.")
    Path file;

    @Override
    public Integer call() throws Exception {
      List<KnownExploited> entries;
      try {
        if (Files.size(file) > AdvisoryFiles.MAX_BYTES) {
          throw new CsafFormatException(file.toString(), "$", Files.size(file) + " bytes, larger than the limit of "
              + AdvisoryFiles.MAX_BYTES + " bytes");
        }
        entries = new KnownExploitedListParser().parse(file.toString(),
            Files.readString(file, StandardCharsets.UTF_8));
      } catch (CsafFormatException e) {
        spec.commandLine().getErr().println(e.getMessage());
        return 1;
      }
      Topics topics = kafka.topics();
      try (Admin admin = Admin.create(kafka.clientConfig())) {
        new TopicProvisioner(admin, partitions, (short) 1).ensure(topics, Duration.ofSeconds(30));
      }
      publish(kafka.clientConfig(), topics.knownExploited(), entries, KnownExploited::getCve);
      spec.commandLine().getOut().printf("imported %d known-exploited CVEs to %s%n", entries.size(),
          topics.knownExploited().name());
      return 0;
    }
  }

  /** Publishes advisories keyed by id and waits until Kafka acknowledged all of them. */
  public static void publishAdvisories(Map<String, Object> clientConfig, Topics topics, List<Advisory> advisories)
      throws Exception {
    publish(clientConfig, topics.advisories(), advisories, Advisory::getId);
  }

  /** Publishes known-exploited entries keyed by CVE id and waits until Kafka acknowledged all of them. */
  public static void publishKnownExploited(Map<String, Object> clientConfig, Topics topics,
      List<KnownExploited> entries) throws Exception {
    publish(clientConfig, topics.knownExploited(), entries, KnownExploited::getCve);
  }

  private static <V> void publish(Map<String, Object> clientConfig, Topic<String, V> topic, List<V> values,
      Function<V, String> key) throws Exception {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    try (KafkaProducer<String, V> producer = new KafkaProducer<>(config, topic.keySerde().serializer(),
        topic.valueSerde().serializer())) {
      List<Future<?>> sends = new ArrayList<>();
      for (V value : values) {
        sends.add(producer.send(new ProducerRecord<>(topic.name(), key.apply(value), value)));
      }
      producer.flush();
      for (Future<?> send : sends) {
        send.get();
      }
    }
  }
}
