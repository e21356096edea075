package io.fleetwatch.app.cli;

import io.fleetwatch.embedded.TopicProvisioner;
import io.fleetwatch.avro.Asset;
import io.fleetwatch.avro.BusinessService;
import io.fleetwatch.avro.Stakeholder;
import io.fleetwatch.schemas.Topic;
import io.fleetwatch.schemas.Topics;
import io.fleetwatch.streams.registry.AssetRegistryFile;
import io.fleetwatch.streams.registry.Registry;
import io.fleetwatch.streams.registry.RegistryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code fleetwatch registry validate|apply FILE}: the asset registry into the compacted assets topic. */
@Command(name = "registry", description = "Validate or apply an asset registry file.",
    subcommands = {RegistryCommand.Validate.class, RegistryCommand.Apply.class})
public final class RegistryCommand {

  @Command(name = "validate", description = "Check a registry file; exit 1 with file:line: field: why on error.")
  static final class Validate implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "Registry YAML file.")
    Path file;

    @Override
    public Integer call() {
      try {
        Registry registry = AssetRegistryFile.readRegistry(file);
        spec.commandLine().getOut().printf("%s: %d assets, %d services, %d stakeholders, %d models, %d SBOMs, valid%n",
            file, registry.assets().size(), registry.services().size(), registry.stakeholders().size(),
            registry.models().size(), registry.sboms().size());
        return 0;
      } catch (RegistryException e) {
        spec.commandLine().getErr().println(e.getMessage());
        return 1;
      }
    }
  }

  @Command(name = "apply", description = "Publish every asset of a registry file to the assets topic.")
  static final class Apply implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin KafkaOptions kafka;

    @Option(names = "--partitions", defaultValue = "6", description = "Partitions of topics created if missing.")
    int partitions;

    @Parameters(paramLabel = "FILE", description = "Registry YAML file.")
    Path file;

    @Override
    public Integer call() throws Exception {
      Registry registry;
      try {
        registry = AssetRegistryFile.readRegistry(file);
      } catch (RegistryException e) {
        spec.commandLine().getErr().println(e.getMessage());
        return 1;
      }
      Topics topics = kafka.topics();
      try (Admin admin = Admin.create(kafka.clientConfig())) {
        new TopicProvisioner(admin, partitions, (short) 1).ensure(topics, Duration.ofSeconds(30));
      }
      apply(kafka.clientConfig(), topics, registry);
      spec.commandLine().getOut().printf("applied %d services to %s, %d stakeholders to %s, %d assets to %s%n",
          registry.services().size(), topics.services().name(), registry.stakeholders().size(),
          topics.stakeholders().name(), registry.assets().size(), topics.assets().name());
      return 0;
    }
  }

  /**
   * Publishes services, stakeholders, SBOMs, the model catalogue, then assets (so whatever an asset refers to is there first), each keyed by
   * its id, and waits until Kafka acknowledged all of them.
   */
  public static void apply(Map<String, Object> clientConfig, Topics topics, Registry registry) throws Exception {
    publish(clientConfig, topics.services(), registry.services(), BusinessService::getId);
    publish(clientConfig, topics.stakeholders(), registry.stakeholders(), Stakeholder::getId);
    publish(clientConfig, topics.sboms(), registry.sboms(), s -> s.getModel() + "@" + s.getFirmware());
    publish(clientConfig, topics.models(), registry.models(), io.fleetwatch.avro.DeviceModel::getModel);
    publish(clientConfig, topics.assets(), registry.assets(), Asset::getDeviceId);
  }

  private static <V> void publish(Map<String, Object> clientConfig, Topic<String, V> topic, List<V> values,
      Function<V, String> key) throws Exception {
    if (values.isEmpty()) {
      return;
    }
    Map<String, Object> config = new java.util.HashMap<>(clientConfig);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    try (KafkaProducer<String, V> producer = new KafkaProducer<>(config, topic.keySerde().serializer(),
        topic.valueSerde().serializer())) {
      List<java.util.concurrent.Future<?>> sends = new java.util.ArrayList<>();
      for (V value : values) {
        sends.add(producer.send(new ProducerRecord<>(topic.name(), key.apply(value), value)));
      }
      producer.flush();
      for (java.util.concurrent.Future<?> send : sends) {
        send.get();
      }
    }
  }
}
