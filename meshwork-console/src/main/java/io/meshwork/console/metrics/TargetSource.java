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

  static TargetSource of(List<URI> targets) {
    var copy = List.copyOf(targets);
    return () -> copy;
  }
}
