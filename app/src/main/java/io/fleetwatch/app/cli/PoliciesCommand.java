package io.fleetwatch.app.cli;

import io.fleetwatch.avro.Policy;
import io.fleetwatch.embedded.TopicProvisioner;
import io.fleetwatch.schemas.Topic;
import io.fleetwatch.schemas.Topics;
import io.fleetwatch.streams.policy.PolicyDocument;
import io.fleetwatch.streams.policy.PolicyFormatException;
import io.fleetwatch.streams.policy.PolicyLoader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
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
 * {@code fleetwatch policies validate|apply FILE|DIR}: policy definitions into the compacted policies topic, which
 * the running streams app applies without a restart. Both validate exactly like the streams app does; an invalid
 * file is reported as {@code file:line: field: why} with exit code 1 and nothing is published.
 */
@Command(name = "policies", description = "Validate policy files, or apply them to the running streams app.",
    subcommands = {PoliciesCommand.Validate.class, PoliciesCommand.Apply.class})
public final class PoliciesCommand {

  @Command(name = "validate", description = "Check policy files; exit 1 with file:line: field: why on error.")
  static final class Validate implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE|DIR", description = "A policy YAML file or a directory of them.")
    Path path;

    @Override
    public Integer call() {
      try {
        List<PolicyDocument> documents = new PolicyLoader().loadDocuments(path);
        spec.commandLine().getOut().printf("%s: %d policies, valid%n", path, documents.size());
        return 0;
      } catch (PolicyFormatException | UncheckedIOException e) {
        spec.commandLine().getErr().println(e.getMessage());
        return 1;
      }
    }
  }

  @Command(name = "apply", description = "Publish every policy of a file or directory to the policies topic.")
  static final class Apply implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin KafkaOptions kafka;

    @Option(names = "--partitions", defaultValue = "6", description = "Partitions of topics created if missing.")
    int partitions;

    @Parameters(paramLabel = "FILE|DIR", description = "A policy YAML file or a directory of them.")
    Path path;

    @Override
    public Integer call() throws Exception {
      List<PolicyDocument> documents;
      try {
        documents = new PolicyLoader().loadDocuments(path);
      } catch (PolicyFormatException | UncheckedIOException e) {
        spec.commandLine().getErr().println(e.getMessage());
        return 1;
      }
      Topics topics = kafka.topics();
      try (Admin admin = Admin.create(kafka.clientConfig())) {
        new TopicProvisioner(admin, partitions, (short) 1).ensure(topics, Duration.ofSeconds(30));
      }
      publish(kafka.clientConfig(), topics.policies(), documents, Clock.systemUTC());
      for (PolicyDocument d : documents) {
        spec.commandLine().getOut().printf("applied %s version %d%n", d.policy().id(), d.policy().version());
      }
      spec.commandLine().getOut().printf("applied %d policies to %s%n", documents.size(), topics.policies().name());
      return 0;
    }
  }

  /** Publishes the policies keyed by id and waits for Kafka to acknowledge all of them. */
  public static int publish(Map<String, Object> clientConfig, Topic<String, Policy> topic,
      List<PolicyDocument> documents, Clock clock) throws Exception {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    try (KafkaProducer<String, Policy> producer = new KafkaProducer<>(config, topic.keySerde().serializer(),
        topic.valueSerde().serializer())) {
      List<Future<?>> sends = new ArrayList<>();
      for (PolicyDocument document : documents) {
        Policy value = Policy.newBuilder()
            .setId(document.policy().id())
            .setVersion(document.policy().version())
            .setSource(document.policy().source())
            .setDefinition(document.yaml())
            .setPublishedAt(clock.instant())
            .build();
        sends.add(producer.send(new ProducerRecord<>(topic.name(), value.getId(), value)));
      }
      producer.flush();
      for (Future<?> send : sends) {
        send.get();
      }
    }
    return documents.size();
  }
}
