package io.fleetwatch.gateway.source;

import io.fleetwatch.gateway.GatewayConfig;
import io.fleetwatch.gateway.mapping.PayloadParser;
import io.fleetwatch.gateway.source.mapped.MappedSource;
import io.fleetwatch.gateway.source.mapped.MappingFile;
import io.fleetwatch.gateway.source.senml.SenmlSource;
import io.fleetwatch.gateway.source.senml.UnitMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Settings of the JSON payload sources besides the native contract: SenML topics and a declarative mapping file.
 * Read like {@link GatewayConfig} (properties file, environment wins; {@code senml.topics} ↔
 * {@code FLEETWATCH_SENML_TOPICS}). Nothing set = no such source.
 *
 * @param senmlTopics SenML topic patterns ({@code senml.topics}, comma-separated, e.g. {@code senml/{site}/{device}})
 * @param senmlUnitsFile expected units of metrics for SenML ({@code senml.units.file}), or {@code null}
 * @param mappingsFile declarative mappings ({@code mappings.file}), or {@code null}
 */
public record JsonSourcesConfig(List<TopicPattern> senmlTopics, Path senmlUnitsFile, Path mappingsFile) {
  public static final String SENML_TOPICS = "senml.topics";
  public static final String SENML_UNITS_FILE = "senml.units.file";
  public static final String MAPPINGS_FILE = "mappings.file";
  /** Every key this record reads. */
  public static final Set<String> KEYS = Set.of(SENML_TOPICS, SENML_UNITS_FILE, MAPPINGS_FILE);
  /** No SenML topics, no mapping file. */
  public static final JsonSourcesConfig NONE = new JsonSourcesConfig(List.of(), null, null);

  public JsonSourcesConfig {
    senmlTopics = List.copyOf(senmlTopics);
    if (senmlUnitsFile != null && senmlTopics.isEmpty()) {
      throw new IllegalArgumentException(SENML_UNITS_FILE + " is set but " + SENML_TOPICS + " is not");
    }
  }

  /**
   * Reads the settings from a properties file (may be {@code null}) and the environment, which wins.
   *
   * @throws IllegalArgumentException naming the key of an invalid setting
   */
  public static JsonSourcesConfig fromEnvironment(Map<String, String> env, Properties fileProps) {
    List<TopicPattern> topics = new ArrayList<>();
    String topicList = get(env, fileProps, SENML_TOPICS);
    if (topicList != null) {
      for (String part : topicList.split(",")) {
        if (part.isBlank()) {
          continue;
        }
        try {
          topics.add(TopicPattern.parse(part.strip()));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(SENML_TOPICS + ": " + e.getMessage(), e);
        }
      }
    }
    return new JsonSourcesConfig(topics, file(env, fileProps, SENML_UNITS_FILE), file(env, fileProps, MAPPINGS_FILE));
  }

  /**
   * The sources these settings describe, files read and validated: a {@link SenmlSource} when SenML topics are set,
   * a {@link MappedSource} when a mapping file is.
   *
   * @param contract the payload rules of the native topics ({@link GatewayConfig#payloadParser()})
   * @throws IllegalArgumentException naming the key whose file is invalid, with every error in it
   */
  public List<PayloadSource> sources(PayloadParser contract) {
    List<PayloadSource> sources = new ArrayList<>();
    senml(contract).ifPresent(sources::add);
    mapped(contract).ifPresent(sources::add);
    return List.copyOf(sources);
  }

  /** The SenML source when SenML topics are set, its unit file read and validated. */
  public Optional<PayloadSource> senml(PayloadParser contract) {
    if (senmlTopics.isEmpty()) {
      return Optional.empty();
    }
    UnitMap units = senmlUnitsFile == null ? UnitMap.empty() : load(SENML_UNITS_FILE, senmlUnitsFile,
        () -> UnitMap.read(senmlUnitsFile));
    return Optional.of(new SenmlSource(senmlTopics, units, contract));
  }

  /** The mapped-JSON source when a mapping file is set, the file read and validated. */
  public Optional<PayloadSource> mapped(PayloadParser contract) {
    if (mappingsFile == null) {
      return Optional.empty();
    }
    return Optional.of(new MappedSource(load(MAPPINGS_FILE, mappingsFile, () -> MappingFile.read(mappingsFile)),
        contract));
  }

  /**
   * The JSON payload sources a deployment configured, in one call:
   * {@code fromEnvironment(env, fileProps).sources(contract)}.
   */
  public static List<PayloadSource> fromConfig(Map<String, String> env, Properties fileProps, PayloadParser contract) {
    return fromEnvironment(env, fileProps).sources(contract);
  }

  private static <T> T load(String key, Path path, java.util.function.Supplier<T> reader) {
    try {
      return reader.get();
    } catch (SourceFileException e) {
      throw new IllegalArgumentException(key + ": " + path + " has " + e.errors().size() + " error"
          + (e.errors().size() == 1 ? "" : "s") + ":" + System.lineSeparator() + e.getMessage(), e);
    }
  }

  private static Path file(Map<String, String> env, Properties props, String key) {
    String value = get(env, props, key);
    if (value == null) {
      return null;
    }
    Path path = Path.of(value);
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw new IllegalArgumentException(key + ": " + value + " is not a readable file");
    }
    return path;
  }

  private static String get(Map<String, String> env, Properties props, String key) {
    String value = env == null ? null : env.get(GatewayConfig.envName(key));
    if (value == null && props != null) {
      value = props.getProperty(key);
    }
    return value == null || value.isBlank() ? null : value.strip();
  }
}
