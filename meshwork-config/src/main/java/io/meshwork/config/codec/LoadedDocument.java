package io.meshwork.config.codec;

import io.meshwork.config.Resource;
import java.util.List;

/**
 * The outcome of reading one document: the resource when it is valid, otherwise its errors.
 * Kind, namespace and name are filled in as far as the document could be read.
 */
public record LoadedDocument(
    SourceDocument source,
    String kind,
    String namespace,
    String name,
    Resource resource,
    List<String> errors,
    List<String> warnings) {

  public boolean valid() {
    return errors.isEmpty();
  }

  /** {@code Kind/namespace/name}, with {@code ?} for what could not be read. */
  public String title() {
    return (kind == null ? "?" : kind) + "/" + (namespace == null || namespace.isEmpty() ? "" : namespace + "/") + (name == null ? "?" : name);
  }
}
