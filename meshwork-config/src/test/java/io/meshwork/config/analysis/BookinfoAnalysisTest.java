package io.meshwork.config.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.config.codec.LoadedDocument;
import io.meshwork.config.corpus.TestData;
import java.util.ArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Istio's bookinfo platform and networking samples analyzed together: no error-level finding, and
 * exactly the warnings ANALYSIS.md explains (so a new warning is a decision, not an accident).
 */
class BookinfoAnalysisTest {
  @Test
  void bookinfoHasNoErrorAndOnlyTheDocumentedWarnings() throws Exception {
    var loader = ConfigLoader.create();
    var docs = new ArrayList<LoadedDocument>();
    docs.addAll(loader.loadPath(TestData.istio("bookinfo").resolve("platform")));
    docs.addAll(loader.loadPath(TestData.istio("bookinfo").resolve("networking")));
    var findings = Analysis.run(docs);
    assertThat(findings).filteredOn(f -> f.severity() == Severity.ERROR).isEmpty();
    var warnings = findings.stream().filter(f -> f.severity() == Severity.WARNING)
        .collect(Collectors.groupingBy(f -> f.code().id() + " " + f.resource(), Collectors.counting()));
    assertThat(warnings).containsOnlyKeys(
        "MW0103 DestinationRule/default/ratings",
        "MW0112 Gateway/default/bookinfo-gateway",
        "MW0112 Gateway/istio-system/cert-manager-gateway",
        "MW0004 VirtualService/default/details",
        "MW0102 VirtualService/default/details",
        "MW0101 VirtualService/istio-system/cert-manager");
  }
}
