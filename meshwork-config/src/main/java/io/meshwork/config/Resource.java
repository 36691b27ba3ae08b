package io.meshwork.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.config.schema.Binder;

/**
 * One validated resource: kind, the apiVersion it was written in, metadata and its typed spec
 * (a {@link JsonNode} for kinds Meshwork does not support). Immutable.
 */
public record Resource(Kind kind, String apiVersion, ObjectMeta metadata, Object spec) {

  public static final String DEFAULT_NAMESPACE = "default";

  public String name() {
    return metadata.name();
  }

  /** The namespace, {@code default} when the document names none (cluster-scoped kinds: empty). */
  public String namespace() {
    if (!kind.namespaced()) {
      return "";
    }
    var ns = metadata.namespace();
    return ns == null || ns.isEmpty() ? DEFAULT_NAMESPACE : ns;
  }

  public ResourceKey key() {
    return new ResourceKey(kind.group(), kind.kind(), namespace(), name());
  }

  public <S> S spec(Class<S> type) {
    return type.cast(spec);
  }

  /** The resource as JSON, in the shape it was read in. */
  public ObjectNode toJson() {
    var o = JsonNodeFactory.instance.objectNode();
    o.put("apiVersion", apiVersion);
    o.put("kind", kind.kind());
    o.set("metadata", Binder.toJson(metadata));
    if (spec != null) {
      var specJson = Binder.toJson(spec);
      if (kind.shape() == Kind.Shape.KUBE_TOP_LEVEL && specJson instanceof ObjectNode fields) {
        o.setAll(fields);
      } else {
        o.set("spec", specJson);
      }
    }
    return o;
  }

  @Override
  public String toString() {
    return kind.kind() + "/" + (kind.namespaced() ? namespace() + "/" : "") + name();
  }
}
