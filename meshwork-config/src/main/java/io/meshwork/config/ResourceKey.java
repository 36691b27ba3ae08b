package io.meshwork.config;

/** Identifies a resource: group, kind, namespace (empty when cluster-scoped) and name. */
public record ResourceKey(String group, String kind, String namespace, String name) {
  @Override
  public String toString() {
    return kind + "/" + (namespace.isEmpty() ? "" : namespace + "/") + name;
  }
}
