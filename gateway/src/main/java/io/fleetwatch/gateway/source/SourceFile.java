package io.fleetwatch.gateway.source;

import io.fleetwatch.schemas.yaml.YamlFormatException;
import io.fleetwatch.schemas.yaml.YamlMap;
import io.fleetwatch.schemas.yaml.YamlProblems;
import io.fleetwatch.schemas.yaml.YamlReader;
import io.fleetwatch.schemas.yaml.YamlValue;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * One YAML file of a payload source ({@code apiVersion: fleetwatch.io/v1}), read with the shared {@link YamlReader}
 * in its collecting mode: every error of the file is recorded in {@link YamlProblems} as
 * {@code file:line: field: why} and {@link #throwIfErrors()} throws them all as one {@link SourceFileException}.
 * The checks here keep the wording of the source files' messages. Not thread-safe; one instance per read.
 */
public final class SourceFile {
  /** The only {@code apiVersion} of source files. */
  public static final String API_VERSION = "fleetwatch.io/v1";

  private final YamlProblems problems = new YamlProblems();

  /** The problems so far. */
  public YamlProblems problems() {
    return problems;
  }

  /** Reads a UTF-8 file's single document; {@code null} (with an error recorded) when there is none. */
  public YamlValue read(Path path) {
    try {
      return document(path.toString(), problems.attempt(() -> YamlReader.document(path)));
    } catch (UncheckedIOException e) {
      problems.add(new YamlFormatException(path.toString(), 0, "(file)", "cannot read: " + e.getCause().getMessage()));
      return null;
    }
  }

  /** Reads YAML text named {@code name} in errors; {@code null} (with an error recorded) when it holds none. */
  public YamlValue read(String name, Reader reader) {
    return document(name, problems.attempt(() -> YamlReader.document(name, reader)));
  }

  private YamlValue document(String name, YamlValue root) {
    if (root == null && problems.isEmpty()) {
      problems.add(new YamlFormatException(name, 1, "(document)", "the file is empty"));
    }
    return root;
  }

  /**
   * The top-level mapping of a document with {@code apiVersion} {@value #API_VERSION} and the given {@code kind},
   * without keys outside {@code allowed}; {@code null} when the document is no mapping.
   */
  public YamlMap document(YamlValue root, String kind, Set<String> allowed) {
    YamlMap top = mapping(root, allowed);
    if (top == null) {
      return null;
    }
    String apiVersion = requiredText(top, "apiVersion");
    if (apiVersion != null && !API_VERSION.equals(apiVersion)) {
      error(top.entry("apiVersion"), "unsupported version '" + apiVersion + "', expected " + API_VERSION);
    }
    String documentKind = requiredText(top, "kind");
    if (documentKind != null && !kind.equals(documentKind)) {
      error(top.entry("kind"), "expected " + kind + ", got '" + documentKind + "'");
    }
    return top;
  }

  /** Records an error at {@code value}'s line and field path. */
  public void error(YamlValue value, String why) {
    problems.add(new YamlFormatException(value.file(), value.line(), field(value), why));
  }

  /** Records an error at {@code value}'s line, naming {@code field}. */
  public void error(YamlValue value, String field, String why) {
    problems.add(new YamlFormatException(value.file(), value.line(), field, why));
  }

  /** Throws a {@link SourceFileException} with every error, if there is any. */
  public void throwIfErrors() {
    problems.throwIfAny(SourceFileException::new);
  }

  /**
   * A mapping without the keys outside {@code allowed} (an empty {@code allowed} allows any key), each of them an
   * error, as are duplicate keys; {@code null} with an error when the value is no mapping.
   */
  public YamlMap mapping(YamlValue value, Set<String> allowed) {
    if (!value.isMapping()) {
      error(value, "must be a mapping of key: value");
      return null;
    }
    YamlMap map = value.asMap(problems);
    return allowed.isEmpty() ? map : map.withOnly(allowed, problems, "unknown field");
  }

  /** The items of a list; an empty list with an error when the value is no list. */
  public List<YamlValue> list(YamlValue value) {
    if (!value.isList()) {
      error(value, "must be a list");
      return List.of();
    }
    return value.items();
  }

  /** The text of a scalar; {@code null} with an error when it is no scalar or empty. */
  public String text(YamlValue value) {
    String text = value.scalarText();
    if (text == null) {
      error(value, "must be a text value");
      return null;
    }
    if (text.isBlank()) {
      error(value, "must not be empty");
      return null;
    }
    return text;
  }

  /** The text of a required key; {@code null} with an error when missing or no text. */
  public String requiredText(YamlMap map, String key) {
    YamlValue value = map.entry(key);
    if (value == null) {
      missing(map, key);
      return null;
    }
    return text(value);
  }

  /** Records that {@code key} is missing from {@code map}. */
  public void missing(YamlMap map, String key) {
    problems.add(map.error(key, "required field is missing"));
  }

  /** A finite number; {@code null} with an error when the value is not one. */
  public Double number(YamlValue value) {
    if (value.isNumber()) {
      Double number = new YamlProblems().attempt(value::number);
      if (number != null) {
        return number;
      }
    }
    error(value, "must be a finite number");
    return null;
  }

  private static String field(YamlValue value) {
    return value.path().isEmpty() ? "(document)" : value.path();
  }
}
