package io.meshwork.config.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.Kinds;
import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.config.codec.LoadedDocument;
import io.meshwork.config.codec.SourceDocument;
import io.meshwork.config.codec.YamlDocuments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * istio/api's own CRD validation tests ({@code ../shared/testdata/istio/crd-validation}): a
 * document with {@code _err} must be rejected with an error containing that text, any other must
 * be accepted. Kinds Meshwork does not support must be recognised and warned about instead.
 */
class CrdValidationCorpusTest {
  private static final ConfigLoader LOADER = ConfigLoader.create();

  record Case(SourceDocument doc, String expectedError) {}

  /**
   * Every document of the corpus, with its {@code _err} line taken out of the text (so that the
   * document goes through the same split-parse-bind path as a user's file) and kept as the expectation.
   */
  static List<Case> cases() throws IOException {
    var out = new ArrayList<Case>();
    try (Stream<Path> files = Files.list(TestData.istio("crd-validation"))) {
      for (var f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        for (var doc : YamlDocuments.split(f.getFileName().toString(), Files.readString(f))) {
          String expected = null;
          var text = new StringBuilder();
          for (var line : doc.text().split("\n", -1)) {
            if (line.startsWith("_err:")) {
              expected = ConfigLoader.YAML.readTree(line).path("_err").textValue();
              text.append('\n');
            } else {
              text.append(line).append('\n');
            }
          }
          out.add(new Case(new SourceDocument(doc.source(), doc.index(), doc.line(), text.toString()), expected));
        }
      }
    }
    return out;
  }

  @TestFactory
  Stream<DynamicTest> everyDocumentIsJudgedAsIstioJudgesIt() throws IOException {
    var cases = cases();
    assertThat(cases).hasSizeGreaterThan(80);
    return cases.stream().map(c -> DynamicTest.dynamicTest(c.doc().label() + (c.expectedError() == null ? " valid" : " -> " + c.expectedError()), () -> check(c)));
  }

  private static void check(Case c) throws IOException {
    var tree = ConfigLoader.YAML.readTree(c.doc().text());
    var kind = Kinds.byGroupKind(group(tree.path("apiVersion").asText()), tree.path("kind").asText());
    assertThat(kind).as("kind %s is recognised", tree.path("kind").asText()).isNotNull();
    var results = LOADER.load(c.doc());
    assertThat(results).hasSize(1);
    LoadedDocument result = results.getFirst();
    if (!kind.supported()) {
      assertThat(result.warnings()).as("unsupported kind warning").anyMatch(w -> w.contains("not supported by Meshwork"));
      return;
    }
    if (c.expectedError() == null) {
      assertThat(result.errors()).as("errors of valid document %s", c.doc().label()).isEmpty();
      assertThat(result.resource()).isNotNull();
    } else {
      assertThat(result.errors()).as("errors of invalid document %s", c.doc().label())
          .anyMatch(e -> e.contains(c.expectedError()));
      assertThat(result.resource()).isNull();
    }
  }

  static String group(String apiVersion) {
    int slash = apiVersion.indexOf('/');
    return slash < 0 ? "" : apiVersion.substring(0, slash);
  }
}
