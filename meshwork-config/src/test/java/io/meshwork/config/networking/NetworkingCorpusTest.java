package io.meshwork.config.networking;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.config.codec.YamlDocuments;
import io.meshwork.config.corpus.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The networking kinds' share of the external corpora, judged in one place so that a failure
 * lists every mismatching document by name: istio/api's crd-validation cases for the networking
 * kinds, and every networking.istio.io document of Istio's known-good configs and bookinfo.
 */
class NetworkingCorpusTest {
  private static final ConfigLoader LOADER = ConfigLoader.create();
  private static final Set<String> PREFIXES = Set.of("destinationrule-", "serviceentry-", "workloadentry-", "workloadgroup-",
      "envoyfilter-", "proxyconfig-", "wasm-");

  @Test
  void crdValidationCasesOfNetworkingKindsAreJudgedAsIstioJudgesThem() throws IOException {
    var mismatches = new ArrayList<String>();
    int cases = 0;
    try (Stream<Path> files = Files.list(TestData.istio("crd-validation"))) {
      for (var f : files.filter(p -> PREFIXES.stream().anyMatch(p.getFileName().toString()::startsWith)).sorted().toList()) {
        for (var doc : YamlDocuments.split(f.getFileName().toString(), Files.readString(f))) {
          var tree = ConfigLoader.YAML.readTree(doc.text());
          if (tree == null || !tree.isObject()) {
            continue;
          }
          cases++;
          var err = tree.path("_err");
          String expected = err.isTextual() ? err.textValue() : null;
          ((com.fasterxml.jackson.databind.node.ObjectNode) tree).remove("_err");
          var result = LOADER.loadTree(doc, tree);
          if (f.getFileName().toString().startsWith("envoyfilter-") || f.getFileName().toString().startsWith("proxyconfig-")
              || f.getFileName().toString().startsWith("wasm-")) {
            if (result.warnings().stream().noneMatch(w -> w.contains("not supported by Meshwork"))) {
              mismatches.add(doc.label() + ": no unsupported-kind warning; errors " + result.errors());
            }
          } else if (expected == null && !result.errors().isEmpty()) {
            mismatches.add(doc.label() + ": valid but rejected: " + result.errors());
          } else if (expected != null && result.errors().stream().noneMatch(e -> e.contains(expected))) {
            mismatches.add(doc.label() + ": expected an error containing '" + expected + "' but got " + result.errors());
          }
        }
      }
    }
    assertThat(cases).isGreaterThan(30);
    assertThat(mismatches).isEmpty();
  }

  @Test
  void everyNetworkingDocumentOfIstioConfigAndBookinfoIsAccepted() throws IOException {
    var mismatches = new ArrayList<String>();
    int docs = 0;
    for (var dir : List.of(TestData.istio("config"), TestData.istio("bookinfo").resolve("networking"))) {
      for (var d : LOADER.loadPath(dir)) {
        if (!Set.of("VirtualService", "DestinationRule", "Gateway", "ServiceEntry", "WorkloadEntry", "WorkloadGroup", "Sidecar")
            .contains(d.kind()) || d.errors().stream().anyMatch(e -> e.startsWith("kind: "))) {
          continue;
        }
        docs++;
        if (!d.errors().isEmpty()) {
          mismatches.add(d.source().label() + " " + d.title() + ": " + d.errors());
        }
      }
    }
    assertThat(docs).isGreaterThan(60);
    assertThat(mismatches).isEmpty();
  }
}
