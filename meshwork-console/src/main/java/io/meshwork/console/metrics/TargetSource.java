package io.meshwork.console.metrics;

import java.net.URI;
import java.util.List;

/**
 * Where the scraper finds proxies. Today a static list ({@code --scrape URL}); the control plane's
 * REST API will supply another implementation that lists every proxy's {@code :15090}.
 */
@FunctionalInterface
public interface TargetSource {
  /** Full scrape URLs, e.g. {@code http://10.0.0.5:15090/stats/prometheus}. */
  List<URI> targets();

  /**
   * Static targets, except that a {@code file:} URI names a {@link FileTargets} file re-read every
   * round; the result is the union.
   */
  static TargetSource of(List<URI> targets) {
    var fixed = targets.stream().filter(u -> !"file".equals(u.getScheme())).toList();
    var files = targets.stream().filter(u -> "file".equals(u.getScheme())).map(u -> new FileTargets(java.nio.file.Path.of(u))).toList();
    if (files.isEmpty()) {
      return () -> fixed;
    }
    return () -> {
      var all = new java.util.ArrayList<>(fixed);
      files.forEach(f -> all.addAll(f.targets()));
      return all;
    };
  }
}
