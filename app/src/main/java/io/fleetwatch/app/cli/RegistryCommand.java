package io.fleetwatch.app.cli;

import io.fleetwatch.app.topics.TopicProvisioner;
import io.fleetwatch.avro.Asset;
import io.fleetwatch.schemas.Topic;
import io.fleetwatch.schemas.Topics;
import io.fleetwatch.streams.registry.AssetRegistryFile;
import io.fleetwatch.streams.registry.RegistryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
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
        List<Asset> assets = AssetRegistryFile.read(file);
        spec.commandLine().getOut().printf("%s: %d assets, valid%n", file, assets.size());
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
      List<Asset> assets;
      try {
        assets = AssetRegistryFile.read(file);
      } catch (RegistryException e) {
        spec.commandLine().getErr().println(e.getMessage());
        return 1;
      }
      Topics topics = kafka.topics();
      try (Admin admin = Admin.create(kafka.clientConfig())) {
        new TopicProvisioner(admin, partitions, (short) 1).ensure(topics, Duration.ofSeconds(30));
      }
      int applied = publish(kafka.clientConfig(), topics.assets(), assets);
      spec.commandLine().getOut().printf("applied %d assets to %s%n", applied, topics.assets().name());
      return 0;
    }
  }

  /** Publishes the assets keyed by device id and waits for Kafka to acknowledge all of them. */
  public static int publish(Map<String, Object> clientConfig, Topic<String, Asset> topic, List<Asset> assets)
      throws Exception {
    Map<String, Object> config = new java.util.HashMap<>(clientConfig);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    try (KafkaProducer<String, Asset> producer = new KafkaProducer<>(config, topic.keySerde().serializer(),
        topic.valueSerde().serializer())) {
      List<java.util.concurrent.Future<?>> sends = new java.util.ArrayList<>();
      for (Asset asset : assets) {
        sends.add(producer.send(new ProducerRecord<>(topic.name(), asset.getDeviceId(), asset)));
      }
      producer.flush();
      for (java.util.concurrent.Future<?> send : sends) {
        send.get();
      }
    }
    return assets.size();
  }
}
