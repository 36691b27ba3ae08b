package io.meshwork.config.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.codec.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every document of Istio's known-good configs and of the bookinfo samples must be accepted. */
class KnownGoodCorpusTest {
  private static final ConfigLoader LOADER = ConfigLoader.create();

  @TestFactory
  Stream<DynamicTest> istioConfigAndBookinfoAreAccepted() throws IOException {
    var files = Stream.of("config", "bookinfo").flatMap(d -> {
      try {
        return Files.walk(TestData.istio(d)).filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }).toList();
    assertThat(files).hasSizeGreaterThan(40);
    return files.stream().map(f -> DynamicTest.dynamicTest(TestData.root().relativize(f).toString(), () -> check(f)));
  }

  private static void check(Path f) throws IOException {
    var docs = LOADER.loadPath(f);
    assertThat(docs).as("documents in %s", f).isNotEmpty();
    var rejected = docs.stream().filter(d -> !d.valid()).map(d -> d.source().label() + " " + d.title() + ": " + d.errors()).toList();
    assertThat(rejected).as("rejected documents of %s", f).isEmpty();
  }
}
