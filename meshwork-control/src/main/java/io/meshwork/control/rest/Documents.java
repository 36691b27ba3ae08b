package io.meshwork.control.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.config.Kind;
import io.meshwork.config.Kinds;
import io.meshwork.config.Resource;
import io.meshwork.config.ResourceKey;
import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.config.codec.LoadedDocument;
import io.meshwork.config.codec.YamlDocuments;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads request bodies into documents. A default namespace (kubectl's {@code -n}) is filled into
 * documents that name none before validation, so errors and keys carry the right namespace.
 */
final class Documents {
  private Documents() {}

  static List<LoadedDocument> load(String source, String text, String defaultNs) {
    var docs = ConfigLoader.create().loadText(source, text);
    if (defaultNs == null) {
      return docs;
    }
    var out = new ArrayList<LoadedDocument>();
    for (var d : docs) {
      var r = d.resource();
      if (r != null && r.kind().namespaced() && (r.metadata().namespace() == null || r.metadata().namespace().isEmpty())) {
        r = new Resource(r.kind(), r.apiVersion(), r.metadata().withNamespace(defaultNs), r.spec());
        d = new LoadedDocument(d.source(), d.kind(), defaultNs, d.name(), r, d.errors(), d.warnings());
      }
      out.add(d);
    }
    return out;
  }

  /** The keys a delete body names (documents need not be valid, only identifiable); errors for those that are not. */
  static List<ResourceKey> keys(String text, String defaultNs, List<String> errors) {
    var out = new ArrayList<ResourceKey>();
    for (var doc : YamlDocuments.split("request", text)) {
      JsonNode tree;
      try {
        tree = ConfigLoader.YAML.readTree(doc.text());
      } catch (Exception e) {
        errors.add(doc.label() + ": YAML syntax error: " + e.getMessage().lines().findFirst().orElse(""));
        continue;
      }
      if (tree == null || tree.isNull() || tree.isMissingNode()) {
        continue;
      }
      var api = tree.path("apiVersion").asText("");
      var kindName = tree.path("kind").asText("");
      var name = tree.path("metadata").path("name").asText("");
      int slash = api.indexOf('/');
      Kind kind = Kinds.byGroupKind(slash < 0 ? "" : api.substring(0, slash), kindName);
      if (kind == null || name.isEmpty()) {
        errors.add(doc.label() + ": cannot tell which resource to delete: it needs a known apiVersion and kind and metadata.name");
        continue;
      }
      var ns = tree.path("metadata").path("namespace").asText("");
      if (ns.isEmpty()) {
        ns = defaultNs == null ? "default" : defaultNs;
      }
      out.add(new ResourceKey(kind.group(), kind.kind(), kind.namespaced() ? ns : "", name));
    }
    return out;
  }
}
