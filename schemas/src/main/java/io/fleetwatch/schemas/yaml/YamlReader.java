package io.fleetwatch.schemas.yaml;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads YAML text into {@link YamlValue}s that know their file, line and field path, with SnakeYAML's node API
 * (values are never constructed into Java objects, so no tag can instantiate a class). Limits: at most
 * {@value #MAX_ALIASES} aliases of collections (no "billion laughs"), nesting {@value #MAX_DEPTH} deep and
 * {@value #MAX_CODE_POINTS} code points per file. Text that is no YAML fails with a {@link YamlFormatException}
 * reading {@code file:line: invalid YAML: why}.
 */
public final class YamlReader {
  public static final int MAX_ALIASES = 10;
  public static final int MAX_DEPTH = 50;
  public static final int MAX_CODE_POINTS = 16 * 1024 * 1024;

  private YamlReader() {
  }

  /** Every document of {@code text}, in order; an empty document (e.g. after a trailing {@code ---}) is a null. */
  public static List<YamlValue> documents(String file, String text) {
    List<YamlValue> documents = new ArrayList<>();
    try {
      for (Node root : yaml().composeAll(new StringReader(text))) {
        documents.add(new YamlValue(file, "", root));
      }
    } catch (YAMLException e) {
      throw invalid(file, e);
    }
    return documents;
  }

  /** The single document of {@code reader}; {@code null} when the text holds none (an empty file). */
  public static YamlValue document(String file, Reader reader) {
    Node root;
    try {
      root = yaml().compose(reader);
    } catch (YAMLException e) {
      throw invalid(file, e);
    }
    return root == null ? null : new YamlValue(file, "", root);
  }

  /** The single document of {@code text}; {@code null} when the text holds none. */
  public static YamlValue document(String file, String text) {
    return document(file, new StringReader(text));
  }

  /** The single document of a UTF-8 file, named by its path in messages; {@code null} when it holds none. */
  public static YamlValue document(Path path) {
    try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      return document(path.toString(), reader);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  private static Yaml yaml() {
    LoaderOptions options = new LoaderOptions();
    // Duplicate keys are reported by YamlMap with both lines; composing never constructs, so they arrive here.
    options.setMaxAliasesForCollections(MAX_ALIASES);
    options.setNestingDepthLimit(MAX_DEPTH);
    options.setCodePointLimit(MAX_CODE_POINTS);
    return new Yaml(options);
  }

  private static YamlFormatException invalid(String file, YAMLException e) {
    if (e instanceof MarkedYAMLException marked) {
      Mark mark = marked.getProblemMark() != null ? marked.getProblemMark() : marked.getContextMark();
      return new YamlFormatException(file, mark == null ? 0 : mark.getLine() + 1, "",
          "invalid YAML: " + marked.getProblem(), e);
    }
    return new YamlFormatException(file, 0, "", "invalid YAML: " + e.getMessage(), e);
  }
}
