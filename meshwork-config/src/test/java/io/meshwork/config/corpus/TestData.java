package io.meshwork.config.corpus;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds {@code ../shared/testdata} (the external corpora) from the build's system property or the working directory. */
public final class TestData {
  private TestData() {}

  public static Path root() {
    var prop = System.getProperty("meshwork.testdata");
    if (prop != null && Files.isDirectory(Path.of(prop))) {
      return Path.of(prop).normalize();
    }
    for (var dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      var candidate = dir.resolveSibling("shared").resolve("testdata");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("cannot find ../shared/testdata (set -Dmeshwork.testdata=DIR)");
  }

  public static Path istio(String sub) {
    return root().resolve("istio").resolve(sub);
  }
}
