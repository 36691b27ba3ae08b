package io.meshwork.config.security;

import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.config.codec.LoadedDocument;
import java.util.List;

/** Loads one YAML document for the rule tests of the security, telemetry, Gateway API and Kubernetes kinds. */
public final class Docs {
  private static final ConfigLoader LOADER = ConfigLoader.create();

  private Docs() {}

  public static LoadedDocument load(String yaml) {
    List<LoadedDocument> docs = LOADER.loadText("test.yaml", yaml);
    if (docs.size() != 1) {
      throw new AssertionError("expected one document, got " + docs.size());
    }
    return docs.getFirst();
  }

  /** A document of the given apiVersion and kind named {@code t} with {@code spec} (indented YAML, may be empty). */
  public static LoadedDocument spec(String apiVersion, String kind, String spec) {
    return load("apiVersion: " + apiVersion + "\nkind: " + kind + "\nmetadata:\n  name: t\n  namespace: ns\n"
        + (spec.isBlank() ? "" : "spec:\n" + spec.stripIndent().indent(2)));
  }
}
