package io.fleetwatch.gateway.source;

import io.fleetwatch.gateway.GatewayConfig;
import io.fleetwatch.gateway.mapping.PayloadParser;
import io.fleetwatch.gateway.source.mapped.MappedSource;
import io.fleetwatch.gateway.source.mapped.MappingFile;
import io.fleetwatch.gateway.source.senml.SenmlSource;
import io.fleetwatch.gateway.source.senml.UnitMap;
import io.fleetwatch.schemas.config.Setting;
import io.fleetwatch.schemas.config.SettingTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Settings of the JSON payload sources besides the native contract: SenML topics and a declarative mapping file,
 * defined once in {@link #TABLE}. Read like {@link GatewayConfig} (properties file, environment wins;
 * {@code senml.topics} ↔ {@code FLEETWATCH_SENML_TOPICS}). Nothing set = no such source.
 *
 * @param senmlTopics SenML topic patterns ({@code senml.topics}, comma-separated, e.g. {@code senml/{site}/{device}})
 * @param senmlUnitsFile expected units of metrics for SenML ({@code senml.units.file}), or {@code null}
 * @param mappingsFile declarative mappings ({@code mappings.file}), or {@code null}
 */
public record JsonSourcesConfig(List<TopicPattern> senmlTopics, Path senmlUnitsFile, Path mappingsFile) {
  public static final Setting<List<TopicPattern>> SENML_TOPICS_SETTING = Setting.of("senml.topics", List.of(),
      "none (off)", "comma-separated topic patterns of SenML JSON packs, e.g. `senml/{site}/{device}`",
      JsonSourcesConfig::topics);
  public static final Setting<Path> SENML_UNITS_FILE_SETTING = Setting.of("senml.units.file", null,
      "none (no unit check)", "expected unit per SenML metric (`kind: MetricUnits`, e.g. `examples/senml/units.yaml`; "
          + "needs `senml.topics`)", JsonSourcesConfig::readableFile);
  public static final Setting<Path> MAPPINGS_FILE_SETTING = Setting.of("mappings.file", null, "none (off)",
      "declarative mappings (`kind: PayloadMappings`, e.g. `examples/mappings/`)", JsonSourcesConfig::readableFile);
  /** The SenML and mapping keys of the gateway. */
  public static final SettingTable TABLE = new SettingTable("json-sources", List.of(SENML_TOPICS_SETTING,
      SENML_UNITS_FILE_SETTING, MAPPINGS_FILE_SETTING));
  public static final String SENML_TOPICS = SENML_TOPICS_SETTING.key();
  public static final String SENML_UNITS_FILE = SENML_UNITS_FILE_SETTING.key();
  public static final String MAPPINGS_FILE = MAPPINGS_FILE_SETTING.key();
  /** Every key this record reads. */
  public static final Set<String> KEYS = TABLE.keys();
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
    return new JsonSourcesConfig(SENML_TOPICS_SETTING.value(env, fileProps),
        SENML_UNITS_FILE_SETTING.value(env, fileProps), MAPPINGS_FILE_SETTING.value(env, fileProps));
  }

  private static List<TopicPattern> topics(String key, String topicList) {
    List<TopicPattern> topics = new ArrayList<>();
    for (String part : topicList.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      try {
        topics.add(TopicPattern.parse(part.strip()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
      }
    }
    return topics;
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

  private static Path readableFile(String key, String value) {
    Path path = Path.of(value);
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw new IllegalArgumentException(key + ": " + value + " is not a readable file");
    }
    return path;
  }
}
