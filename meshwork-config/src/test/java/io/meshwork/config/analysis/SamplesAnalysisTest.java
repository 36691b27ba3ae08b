package io.meshwork.config.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.config.codec.LoadedDocument;
import java.nio.file.Path;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

/** The voting app's Kubernetes manifests and mesh configuration are valid and consistent. */
class SamplesAnalysisTest {
  static final Path SAMPLE = Path.of("..", "samples", "voting-app");

  @Test
  void votingAppManifestsAndMeshConfigAnalyzeWithoutErrors() throws Exception {
    var loader = ConfigLoader.create();
    var docs = new ArrayList<LoadedDocument>();
    docs.addAll(loader.loadPath(SAMPLE.resolve("kubernetes")));
    docs.addAll(loader.loadPath(SAMPLE.resolve("mesh")));
    assertThat(docs).hasSizeGreaterThan(20).allMatch(LoadedDocument::valid);
    var findings = Analysis.run(docs);
    // The only warning: the ingress gateway workload is installed by the mesh, not by the app.
    assertThat(findings).filteredOn(f -> f.severity() != Severity.INFO)
        .singleElement()
        .satisfies(f -> assertThat(f.code()).isEqualTo(Code.SELECTOR_MATCHES_NOTHING));
  }
}
