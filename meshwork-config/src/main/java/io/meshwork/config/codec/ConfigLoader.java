package io.meshwork.config.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.meshwork.config.Kind;
import io.meshwork.config.Kinds;
import io.meshwork.config.ObjectMeta;
import io.meshwork.config.Resource;
import io.meshwork.config.schema.Binder;
import io.meshwork.config.schema.FieldError;
import io.meshwork.config.schema.FieldPath;
import io.meshwork.config.schema.Validation;
import io.meshwork.config.types.Dns;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads YAML or JSON into validated resources. Each document is judged on its own: a syntax error
 * (with its line), structural errors (unknown fields, wrong types) and each kind's rules are all
 * reported with field paths. Thread-safe.
 */
public final class ConfigLoader {
  /** A YAML mapper for reading (duplicate keys are errors) and writing (no document markers). */
  public static final ObjectMapper YAML = YAMLMapper.builder(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
              .build())
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .build();

  public static final ObjectMapper JSON = new ObjectMapper();

  private static final Set<String> TOP_LEVEL = Set.of("apiVersion", "kind", "metadata", "spec", "status");

  private ConfigLoader() {}

  public static ConfigLoader create() {
    return new ConfigLoader();
  }

  /** Reads every document of a text. */
  public List<LoadedDocument> loadText(String source, String text) {
    var out = new ArrayList<LoadedDocument>();
    for (var doc : YamlDocuments.split(source, text)) {
      out.addAll(load(doc));
    }
    return out;
  }

  /**
   * Reads a file, or every {@code .yaml}, {@code .yml} and {@code .json} file below a directory (in
   * name order). Throws {@link UnreadableInputException} for what cannot be read as text.
   */
  public List<LoadedDocument> loadPath(Path path) throws IOException {
    if (Files.isDirectory(path)) {
      var out = new ArrayList<LoadedDocument>();
      try (Stream<Path> files = Files.walk(path)) {
        for (var f : files.filter(Files::isRegularFile).filter(ConfigLoader::isConfigFile).sorted().toList()) {
          out.addAll(loadText(f.toString(), readText(f)));
        }
      }
      return out;
    }
    if (!Files.exists(path)) {
      throw new UnreadableInputException(path + " does not exist");
    }
    return loadText(path.toString(), readText(path));
  }

  static boolean isConfigFile(Path p) {
    var n = p.getFileName().toString();
    return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
  }

  /** Reads a file as UTF-8 text, refusing binary content. */
  public static String readText(Path path) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (IOException e) {
      throw new UnreadableInputException("cannot read " + path + ": " + e.getMessage());
    }
    return decode(path.toString(), bytes);
  }

  /** Decodes UTF-8, refusing NUL bytes and malformed sequences (binary files). */
  public static String decode(String source, byte[] bytes) {
    for (byte b : bytes) {
      if (b == 0) {
        throw new UnreadableInputException(source + " is not a text file (it contains NUL bytes); give a YAML or JSON file");
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new UnreadableInputException(source + " is not UTF-8 text; give a YAML or JSON file");
    }
  }

  /** Reads one document (a {@code kind: List} yields one result per item). */
  public List<LoadedDocument> load(SourceDocument doc) {
    JsonNode tree;
    try {
      tree = YAML.readTree(GoYamlCompat.rewrite(doc.text()));
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      String where = loc == null ? "" : " at line " + (doc.line() + loc.getLineNr() - 1) + ", column " + loc.getColumnNr();
      var msg = e.getOriginalMessage();
      int nl = msg.indexOf('\n');
      if (nl > 0) {
        msg = msg.substring(0, nl);
      }
      return List.of(failed(doc, null, null, null, "YAML syntax error" + where + ": " + msg.strip()));
    } catch (IOException e) {
      return List.of(failed(doc, null, null, null, "cannot read the document: " + e.getMessage()));
    }
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      return List.of();
    }
    if (tree.isObject() && "List".equals(tree.path("kind").asText()) && tree.path("items").isArray()) {
      var out = new ArrayList<LoadedDocument>();
      for (var item : tree.path("items")) {
        out.add(loadTree(doc, item));
      }
      return out;
    }
    return List.of(loadTree(doc, tree));
  }

  /** Reads one already-parsed document. */
  public LoadedDocument loadTree(SourceDocument doc, JsonNode tree) {
    if (!tree.isObject()) {
      return failed(doc, null, null, null,
          "a document must be a mapping with apiVersion, kind, metadata and spec, not " + describe(tree));
    }
    var obj = (ObjectNode) tree;
    String apiVersion = obj.path("apiVersion").isTextual() ? obj.get("apiVersion").textValue() : null;
    String kindName = obj.path("kind").isTextual() ? obj.get("kind").textValue() : null;
    var metaNode = obj.get("metadata");
    String name = metaNode != null && metaNode.path("name").isTextual() ? metaNode.get("name").textValue() : null;
    String namespace = metaNode != null && metaNode.path("namespace").isTextual() ? metaNode.get("namespace").textValue() : null;
    if (apiVersion == null) {
      return failed(doc, kindName, namespace, name, "apiVersion: Required value: every document needs an apiVersion such as networking.istio.io/v1");
    }
    if (kindName == null) {
      return failed(doc, null, namespace, name, "kind: Required value: every document needs a kind such as VirtualService");
    }
    int slash = apiVersion.indexOf('/');
    String group = slash < 0 ? "" : apiVersion.substring(0, slash);
    String version = slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
    Kind kind = Kinds.byGroupKind(group, kindName);
    if (kind == null) {
      return failed(doc, kindName, namespace, name, "kind: Invalid value: \"" + kindName + "\": unknown kind for apiVersion \""
          + apiVersion + "\"; Meshwork reads " + Kinds.supportedNames());
    }
    if (!kind.versions().contains(version)) {
      var supported = kind.versions().stream().map(kind::apiVersion).toList();
      return failed(doc, kindName, namespace, name, FieldError.unsupported(FieldPath.of("apiVersion"), apiVersion, supported).toString());
    }

    var v = new Validation(kind.kind(), namespace);
    ObjectMeta meta = null;
    if (metaNode == null) {
      v.add(FieldError.required(FieldPath.of("metadata")));
    } else {
      meta = Binder.bind(metaNode, ObjectMeta.class, FieldPath.of("metadata"), v);
      if (meta != null) {
        checkMetadata(kind, meta, v);
      }
    }

    Object spec = null;
    if (kind.shape() == Kind.Shape.KUBE_TOP_LEVEL) {
      var rest = obj.deepCopy();
      rest.remove(List.of("apiVersion", "kind", "metadata"));
      spec = Binder.bind(rest, kind.specType(), FieldPath.root(), v);
    } else {
      if (kind.shape() == Kind.Shape.SPEC) {
        for (var it = obj.fieldNames(); it.hasNext(); ) {
          var f = it.next();
          if (!TOP_LEVEL.contains(f)) {
            v.add(FieldError.unknownField(FieldPath.of(f)));
          }
        }
      }
      var specNode = obj.get("spec");
      if (specNode == null) {
        if (kind.specRequired()) {
          v.add(FieldError.required(FieldPath.of("spec")));
        } else if (kind.specType() != null) {
          spec = Binder.bind(JSON.createObjectNode(), kind.specType(), FieldPath.of("spec"), v);
        }
      } else if (kind.specType() == null) {
        spec = specNode;
      } else {
        spec = Binder.bind(specNode, kind.specType(), FieldPath.of("spec"), v);
      }
    }

    var warnings = new ArrayList<>(v.warnings());
    if (!kind.supported()) {
      warnings.add(0, kind.kind() + " is not supported by Meshwork: it is accepted but has no effect");
    }
    var errors = v.errors().stream().map(FieldError::toString).toList();
    Resource resource = errors.isEmpty() ? new Resource(kind, apiVersion, meta, spec) : null;
    String ns = kind.namespaced() ? (namespace == null ? Resource.DEFAULT_NAMESPACE : namespace) : "";
    return new LoadedDocument(doc, kind.kind(), ns, name, resource, errors, List.copyOf(warnings));
  }

  private static void checkMetadata(Kind kind, ObjectMeta meta, Validation v) {
    if (meta.name() == null || meta.name().isEmpty()) {
      if (meta.generateName() == null) {
        v.add(FieldError.required(FieldPath.of("metadata", "name"), "name or generateName is required"));
      }
    } else if (!Dns.isSubdomain(meta.name())) {
      v.add(FieldError.invalid(FieldPath.of("metadata", "name"), meta.name(),
          "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"));
    }
    if (meta.namespace() != null && kind.namespaced() && !Dns.isLabel(meta.namespace(), false)) {
      v.add(FieldError.invalid(FieldPath.of("metadata", "namespace"), meta.namespace(),
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"));
    }
  }

  private static LoadedDocument failed(SourceDocument doc, String kind, String ns, String name, String error) {
    return new LoadedDocument(doc, kind, ns, name, null, List.of(error), List.of());
  }

  private static String describe(JsonNode n) {
    if (n.isArray()) {
      return "a list";
    }
    if (n.isTextual()) {
      return "a string (" + abbreviate(n.textValue()) + ")";
    }
    return "a " + (n.isNumber() ? "number" : n.isBoolean() ? "boolean" : "scalar");
  }

  private static String abbreviate(String s) {
    s = s.strip();
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
