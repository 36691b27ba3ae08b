package io.meshwork.console;

import io.meshwork.console.graph.GraphApi;
import io.meshwork.console.metrics.EmbeddedBackend;
import io.meshwork.console.metrics.MetricsBackend;
import io.meshwork.console.metrics.PrometheusBackend;
import io.meshwork.console.metrics.Scraper;
import io.meshwork.console.metrics.SeriesStore;
import io.meshwork.console.metrics.TargetSource;
import java.time.Clock;
import java.util.Map;

/**
 * The metrics half of the console: either the embedded store fed by the scraper, or a real
 * Prometheus (then nothing is scraped here). Both serve the same {@link GraphApi}.
 */
public final class MetricsSide implements AutoCloseable {
  private final SeriesStore store;
  private final Scraper scraper;
  private final MetricsBackend backend;
  private final GraphApi graph;

  private MetricsSide(SeriesStore store, Scraper scraper, MetricsBackend backend, Clock clock) {
    this.store = store;
    this.scraper = scraper;
    this.backend = backend;
    this.graph = new GraphApi(backend, clock);
  }

  static MetricsSide start(ConsoleOptions o, Clock clock, TargetSource discovered) {
    if (o.prometheus() != null) {
      return new MetricsSide(null, null, new PrometheusBackend(o.prometheus()), clock);
    }
    var store = new SeriesStore(o.retention(), o.maxMetricBytes());
    var fixed = TargetSource.of(o.scrapeTargets());
    TargetSource source = discovered == null ? fixed : () -> {
      var all = new java.util.ArrayList<>(fixed.targets());
      discovered.targets().stream().filter(u -> !all.contains(u)).forEach(all::add);
      return all;
    };
    var scraper = new Scraper(source, store, clock);
    if ((!o.scrapeTargets().isEmpty() || discovered != null) && !o.scrapeInterval().isZero() && !o.scrapeInterval().isNegative()) {
      scraper.start(o.scrapeInterval());
    }
    return new MetricsSide(store, scraper, new EmbeddedBackend(store), clock);
  }

  /** The scraper (null with {@code --prometheus}); tests drive {@code scrapeOnce()} directly. */
  public Scraper scraper() {
    return scraper;
  }

  public MetricsBackend backend() {
    return backend;
  }

  GraphApi graphApi() {
    return graph;
  }

  Object stats() {
    if (store == null) {
      return Map.of("backend", "prometheus");
    }
    return Map.of("backend", "embedded", "store", store.stats(), "scrapeErrors", scraper.lastErrors().toString(),
        "targets", scraper.lastTargets().stream().map(Object::toString).toList());
  }

  @Override
  public void close() {
    if (scraper != null) {
      scraper.close();
    }
  }
}
