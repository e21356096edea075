package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.PolicyKind;
import io.fleetwatch.avro.Severity;
import io.fleetwatch.schemas.SeverityNames;
import io.fleetwatch.schemas.yaml.YamlFormatException;
import io.fleetwatch.schemas.yaml.YamlMap;
import io.fleetwatch.schemas.yaml.YamlReader;
import io.fleetwatch.schemas.yaml.YamlValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Reads policy definitions ({@code apiVersion: fleetwatch.io/v1}, {@code kind: Policy}) from a YAML file or a
 * directory of {@code *.yaml} / {@code *.yml} files (one or more documents per file) and validates them
 * strictly: unknown fields, wrong types, unknown rule types and out-of-range values are rejected with a
 * {@link PolicyFormatException} whose message names {@code file:line}, the field path and why.
 *
 * <p>Because {@code kind} is the document kind ({@code Policy}), the policy's safety/security nature is the
 * field {@code policyKind} ({@code safety | security | safety-security}).
 */
public final class PolicyLoader {
  public static final String API_VERSION = "fleetwatch.io/v1";
  public static final String KIND = "Policy";
  /** Document kinds that live beside policies and belong to another reader (the incident rules); skipped here. */
  public static final Set<String> SIBLING_KINDS = Set.of("IotSsfModel", "IncidentActionTemplates");
  private static final Map<String, PolicyKind> KINDS = Map.of("safety", PolicyKind.SAFETY,
      "security", PolicyKind.SECURITY, "safety-security", PolicyKind.SAFETY_SECURITY);

  /** Loads one file, or every {@code *.yaml}/{@code *.yml} file of a directory (not recursive, by name). */
  public List<Policy> load(Path fileOrDirectory) {
    List<Policy> policies = new ArrayList<>();
    files(fileOrDirectory).forEach(f -> policies.addAll(loadFile(f)));
    return policies;
  }

  private static List<Path> files(Path fileOrDirectory) {
    if (!Files.isDirectory(fileOrDirectory)) {
      return List.of(fileOrDirectory);
    }
    try (Stream<Path> listing = Files.list(fileOrDirectory)) {
      return listing.filter(p -> {
        String name = p.getFileName().toString();
        return Files.isRegularFile(p) && (name.endsWith(".yaml") || name.endsWith(".yml"));
      }).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list policy directory " + fileOrDirectory, e);
    }
  }

  /** Loads and indexes a file or directory. Duplicate policy ids are rejected. */
  public PolicyCatalogue loadCatalogue(Path fileOrDirectory) {
    return PolicyCatalogue.of(load(fileOrDirectory));
  }

  private List<Policy> loadFile(Path file) {
    try {
      return parse(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read policy file " + file, e);
    }
  }

  /**
   * Loads a file or directory like {@link #load} and returns each policy with the text of its own YAML document,
   * ready to publish. The whole file is validated first, so errors carry the file's line numbers.
   */
  public List<PolicyDocument> loadDocuments(Path fileOrDirectory) {
    List<Path> files = files(fileOrDirectory);
    List<PolicyDocument> documents = new ArrayList<>();
    Set<String> ids = new LinkedHashSet<>();
    for (Path file : files) {
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read policy file " + file, e);
      }
      for (PolicyDocument document : documents(file.getFileName().toString(), text)) {
        if (!ids.add(document.policy().id())) {
          throw new PolicyFormatException(file.getFileName().toString(), 0, "id",
              "policy " + document.policy().id() + " is defined twice in " + fileOrDirectory);
        }
        documents.add(document);
      }
    }
    return documents;
  }

  /** Parses YAML text (see {@link #parse}) and pairs each policy with its document's text. */
  public List<PolicyDocument> documents(String source, String text) {
    List<Policy> policies = parse(source, text);
    // A line starting with '---' at column 0 always separates documents: block content is indented.
    List<String> chunks = new ArrayList<>();
    StringBuilder chunk = new StringBuilder();
    for (String line : text.split("\\R", -1)) {
      if (line.startsWith("---")) {
        chunks.add(chunk.toString());
        chunk.setLength(0);
        continue;
      }
      chunk.append(line).append('\n');
    }
    chunks.add(chunk.toString());
    List<PolicyDocument> documents = new ArrayList<>();
    int next = 0;
    for (String candidate : chunks) {
      if (next < policies.size() && !parse(source, candidate).isEmpty()) {
        documents.add(new PolicyDocument(policies.get(next++), candidate));
      }
    }
    if (documents.size() != policies.size()) {
      throw new PolicyFormatException(source, 0, "", "cannot split the file into its policy documents; "
          + "put document separators '---' on lines of their own");
    }
    return documents;
  }

  /**
   * Parses YAML text.
   *
   * @param source name used in error messages (usually the file name)
   * @param text the YAML documents
   */
  public List<Policy> parse(String source, String text) {
    List<Policy> policies = new ArrayList<>();
    try {
      for (YamlValue document : YamlReader.documents(source, text)) {
        if (document.isNull()) {
          continue; // empty document, e.g. a trailing '---'
        }
        YamlValue kind = document.isMapping() ? document.asMap().get("kind") : null;
        if (kind != null && SIBLING_KINDS.contains(kind.scalarText())) {
          continue; // read by IncidentRulesLoader
        }
        policies.add(policy(document.asMap()));
      }
    } catch (PolicyFormatException e) {
      throw e;
    } catch (YamlFormatException e) {
      throw new PolicyFormatException(e);
    }
    Set<String> ids = new LinkedHashSet<>();
    for (Policy policy : policies) {
      if (!ids.add(policy.id())) {
        throw new PolicyFormatException(source, 0, "id", "policy " + policy.id() + " is defined twice");
      }
    }
    return policies;
  }

  private Policy policy(YamlMap doc) {
    doc.allowOnly("apiVersion", "kind", "id", "version", "title", "policyKind", "severity", "references",
        "remediation", "checks");
    String apiVersion = doc.requiredString("apiVersion");
    if (!API_VERSION.equals(apiVersion)) {
      throw doc.error("apiVersion", "unsupported apiVersion '" + apiVersion + "', expected " + API_VERSION);
    }
    String documentKind = doc.requiredString("kind");
    if (!KIND.equals(documentKind)) {
      throw doc.error("kind", "unsupported document kind '" + documentKind + "', expected " + KIND);
    }
    String id = doc.identifier("id");
    int version = doc.requiredInt("version");
    String title = doc.requiredString("title");
    PolicyKind kind = doc.oneOf("policyKind", KINDS);
    Severity severity = doc.oneOf("severity", SeverityNames.BY_NAME);
    List<FrameworkReference> references = new ArrayList<>();
    List<YamlMap> refs = doc.requiredMappings("references");
    if (refs.isEmpty()) {
      throw doc.error("references", "a policy must cite at least one framework provision");
    }
    for (YamlMap ref : refs) {
      ref.allowOnly("framework", "provision");
      String framework = ref.requiredString("framework");
      String provision = ref.requiredString("provision");
      references.add(InvalidFieldException.reportedAt(ref, () -> new FrameworkReference(framework, provision)));
    }
    String remediation = doc.requiredString("remediation");
    List<Check> checks = new ArrayList<>();
    List<YamlMap> checkNodes = doc.requiredMappings("checks");
    Set<String> checkIds = new LinkedHashSet<>();
    for (YamlMap check : checkNodes) {
      Check parsed = check(check);
      if (!checkIds.add(parsed.id())) {
        throw check.error("id", "duplicate check id '" + parsed.id() + "' in policy " + id);
      }
      checks.add(parsed);
    }
    return InvalidFieldException.reportedAt(doc,
        () -> new Policy(id, version, title, kind, severity, references, remediation, checks, doc.file()));
  }

  private Check check(YamlMap check) {
    check.allowOnly("id", "scope", "rule");
    String id = check.identifier("id");
    Scope scope = Scope.ALL;
    YamlMap scopeNode = check.optionalMapping("scope");
    if (scopeNode != null) {
      scopeNode.allowOnly("assetClasses", "sites", "devices");
      scope = new Scope(scopeNode.identifierSet("assetClasses"), scopeNode.identifierSet("sites"),
          scopeNode.identifierSet("devices"));
    }
    return new Check(id, scope, rule(check.requiredMapping("rule")));
  }

  private Rule rule(YamlMap rule) {
    String type = rule.requiredString("type");
    Function<YamlMap, Rule> kind = RuleKinds.BY_TYPE.get(type);
    if (kind == null) {
      throw rule.error("type", "unknown rule type '" + type + "', expected one of " + sorted(RuleKinds.BY_TYPE.keySet()));
    }
    try {
      return kind.apply(rule);
    } catch (IllegalArgumentException e) {
      // A refusal of the record that names no field (those that do are reported at the field by RuleKinds).
      throw rule.error("", e.getMessage());
    }
  }

  private static String sorted(Set<String> values) {
    return values.stream().sorted().toList().toString();
  }
}
