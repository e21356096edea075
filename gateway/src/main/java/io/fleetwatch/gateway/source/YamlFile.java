package io.fleetwatch.gateway.source;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * One YAML file of a payload source ({@code apiVersion: fleetwatch.io/v1}), read as SnakeYAML nodes with their line
 * marks, as the streams app reads registry files. Unlike a registry file, it collects every error instead of
 * stopping at the first: each is {@code file:line: field: why}. Not thread-safe; one instance per read.
 */
public final class YamlFile {
  /** The only {@code apiVersion} of source files. */
  public static final String API_VERSION = "fleetwatch.io/v1";

  private final String name;
  private final List<String> errors = new ArrayList<>();

  private YamlFile(String name) {
    this.name = name;
  }

  /** A reader whose errors name {@code path}; read it with {@link #read(Path)}. */
  public static YamlFile named(Path path) {
    return new YamlFile(path.toString());
  }

  /** A reader whose errors name {@code name}; read text with {@link #compose(Reader)}. */
  public static YamlFile named(String name) {
    return new YamlFile(name);
  }

  /** The file name used in error messages. */
  public String name() {
    return name;
  }

  /** Reads the file's single document; {@code null} (with an error recorded) when there is none. */
  public Node read(Path path) {
    try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      return compose(reader);
    } catch (IOException e) {
      errors.add(name + ":0: (file): cannot read: " + e.getMessage());
      return null;
    }
  }

  /** Reads YAML text; {@code null} (with an error recorded) when it holds no document. */
  public Node compose(Reader reader) {
    Node root;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      options.setMaxAliasesForCollections(10);
      options.setCodePointLimit(4 * 1024 * 1024);
      root = new Yaml(options).compose(reader);
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      errors.add(name + ":" + line + ": (document): not valid YAML: " + e.getProblem());
      return null;
    } catch (RuntimeException e) {
      errors.add(name + ":0: (document): not valid YAML: " + e.getMessage());
      return null;
    }
    if (root == null) {
      errors.add(name + ":1: (document): the file is empty");
    }
    return root;
  }

  /**
   * The top-level mapping of a document with {@code apiVersion} {@value #API_VERSION} and the given {@code kind};
   * {@code null} when the document is no mapping.
   */
  public Map<String, Node> document(Node root, String kind, Set<String> allowed) {
    Map<String, Node> top = mapping(root, "(document)", allowed);
    if (top == null) {
      return null;
    }
    String apiVersion = requiredText(top, root, "apiVersion", "apiVersion");
    if (apiVersion != null && !API_VERSION.equals(apiVersion)) {
      error(top.get("apiVersion"), "apiVersion", "unsupported version '" + apiVersion + "', expected " + API_VERSION);
    }
    String documentKind = requiredText(top, root, "kind", "kind");
    if (documentKind != null && !kind.equals(documentKind)) {
      error(top.get("kind"), "kind", "expected " + kind + ", got '" + documentKind + "'");
    }
    return top;
  }

  /** Records an error at {@code node}'s line. */
  public void error(Node node, String field, String why) {
    errors.add(name + ":" + line(node) + ": " + field + ": " + why);
  }

  /** The errors so far, in the order found. */
  public List<String> errors() {
    return List.copyOf(errors);
  }

  /** Throws a {@link SourceFileException} with every error, if there is any. */
  public void throwIfErrors() {
    if (!errors.isEmpty()) {
      throw new SourceFileException(errors);
    }
  }

  /** 1-based line of a node, 0 when unknown. */
  public static int line(Node node) {
    return node == null || node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
  }

  /**
   * The entries of a mapping node by key, in file order; keys outside {@code allowed} are errors (an empty
   * {@code allowed} allows any key). {@code null} with an error when the node is no mapping.
   */
  public Map<String, Node> mapping(Node node, String field, Set<String> allowed) {
    if (!(node instanceof MappingNode mapping)) {
      error(node, field, "must be a mapping of key: value");
      return null;
    }
    Map<String, Node> entries = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
        error(tuple.getKeyNode(), field, "keys must be plain text");
        continue;
      }
      if (!allowed.isEmpty() && !allowed.contains(key.getValue())) {
        error(key, join(field, key.getValue()), "unknown field; expected one of " + new TreeSet<>(allowed));
        continue;
      }
      if (entries.putIfAbsent(key.getValue(), tuple.getValueNode()) != null) {
        // the node API keeps both; a reader would silently take one
        error(key, join(field, key.getValue()), "duplicate key (first at line "
            + line(entries.get(key.getValue())) + ")");
      }
    }
    return entries;
  }

  /** The items of a sequence node; an empty list with an error when the node is no sequence. */
  public List<Node> list(Node node, String field) {
    if (!(node instanceof SequenceNode sequence)) {
      error(node, field, "must be a list");
      return List.of();
    }
    return sequence.getValue();
  }

  /** The text of a scalar node; {@code null} with an error when it is no scalar or empty. */
  public String text(Node node, String field) {
    if (!(node instanceof ScalarNode scalar) || scalar.getTag().equals(Tag.NULL)) {
      error(node, field, "must be a text value");
      return null;
    }
    if (scalar.getValue().isBlank()) {
      error(node, field, "must not be empty");
      return null;
    }
    return scalar.getValue();
  }

  /** The text of a required key of {@code fields}; {@code null} with an error when missing or no text. */
  public String requiredText(Map<String, Node> fields, Node parent, String key, String field) {
    Node node = fields.get(key);
    if (node == null) {
      error(parent, field, "required field is missing");
      return null;
    }
    return text(node, field);
  }

  /** A finite number; {@code null} with an error when the node is not one. */
  public Double number(Node node, String field) {
    if (node instanceof ScalarNode scalar && (scalar.getTag().equals(Tag.INT) || scalar.getTag().equals(Tag.FLOAT))) {
      try {
        double value = Double.parseDouble(scalar.getValue().replace("_", ""));
        if (Double.isFinite(value)) {
          return value;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    error(node, field, "must be a finite number");
    return null;
  }

  /** {@code parent.key}, or {@code key} at the top. */
  public static String join(String parent, String key) {
    return parent.isEmpty() || parent.startsWith("(") ? key : parent + "." + key;
  }
}
