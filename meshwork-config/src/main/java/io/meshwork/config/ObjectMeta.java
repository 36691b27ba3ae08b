package io.meshwork.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.config.schema.Constraints.Lenient;
import java.util.List;
import java.util.Map;

/** Kubernetes object metadata: the fields Meshwork uses; the rest (managedFields, ...) is ignored. */
@Lenient
public record ObjectMeta(
    String name,
    String generateName,
    String namespace,
    Map<String, String> labels,
    Map<String, String> annotations,
    String resourceVersion,
    String uid,
    Long generation,
    JsonNode creationTimestamp,
    List<JsonNode> ownerReferences,
    List<String> finalizers) {

  public static ObjectMeta of(String namespace, String name) {
    return new ObjectMeta(name, null, namespace, Map.of(), Map.of(), null, null, null, null, List.of(), List.of());
  }

  public ObjectMeta withNamespace(String ns) {
    return new ObjectMeta(name, generateName, ns, labels, annotations, resourceVersion, uid, generation, creationTimestamp, ownerReferences, finalizers);
  }

  public ObjectMeta withResourceVersion(String rv) {
    return new ObjectMeta(name, generateName, namespace, labels, annotations, rv, uid, generation, creationTimestamp, ownerReferences, finalizers);
  }
}
