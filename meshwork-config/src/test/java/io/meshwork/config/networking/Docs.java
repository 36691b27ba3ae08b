package io.meshwork.config.networking;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.config.codec.LoadedDocument;
import java.util.List;

/** Loads one-document YAML snippets for the networking rule tests. */
final class Docs {
  private static final ConfigLoader LOADER = ConfigLoader.create();

  private Docs() {}

  static LoadedDocument load(String yaml) {
    var docs = LOADER.loadText("test.yaml", yaml);
    assertThat(docs).hasSize(1);
    return docs.getFirst();
  }

  /** The errors of a {@code kind} document in networking.istio.io/v1 whose spec is {@code spec} (YAML indented by 2). */
  static List<String> errors(String kind, String spec) {
    return load(doc(kind, spec)).errors();
  }

  static String doc(String kind, String spec) {
    return "apiVersion: networking.istio.io/v1\nkind: " + kind + "\nmetadata:\n  name: t\n  namespace: ns\nspec:\n"
        + spec.stripIndent().lines().map(l -> "  " + l).reduce("", (a, b) -> a + b + "\n");
  }

  static void assertValid(String kind, String spec) {
    assertThat(errors(kind, spec)).as("errors of %s", spec).isEmpty();
  }

  static void assertRejected(String kind, String spec, String expected) {
    assertThat(errors(kind, spec)).as("errors of %s", spec).anyMatch(e -> e.contains(expected));
  }
}
