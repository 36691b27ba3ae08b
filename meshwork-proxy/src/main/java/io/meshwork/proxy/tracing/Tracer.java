package io.meshwork.proxy.tracing;

import io.meshwork.proxy.config.TracingConfig;
import io.meshwork.proxy.runtime.SnapshotHolder;
import io.meshwork.proxy.stats.Stats;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The proxy's tracing service: one {@link SpanExporter} per collector (provider, cluster, path),
 * shared by every listener that names it and kept across configuration updates. The collector's
 * address is the first endpoint of its cluster in the current snapshot.
 */
public final class Tracer implements AutoCloseable {
  private record Key(TracingConfig.Provider provider, String cluster, String path) {}

  private final SnapshotHolder snapshots;
  private final Stats stats;
  private final SpanExporter.Limits limits;
  private final ConcurrentHashMap<Key, SpanExporter> exporters = new ConcurrentHashMap<>();

  public Tracer(SnapshotHolder snapshots, Stats stats) {
    this(snapshots, stats, SpanExporter.Limits.DEFAULT);
  }

  public Tracer(SnapshotHolder snapshots, Stats stats, SpanExporter.Limits limits) {
    this.snapshots = snapshots;
    this.stats = stats;
    this.limits = limits;
  }

  /** The exporter for {@code cfg}'s collector, created on first use. */
  public SpanExporter exporter(TracingConfig cfg) {
    var key = new Key(cfg.provider(), cfg.collectorCluster(), cfg.collectorPath());
    var e = exporters.get(key);
    return e != null ? e : exporters.computeIfAbsent(key, this::create);
  }

  private SpanExporter create(Key k) {
    boolean zipkin = k.provider() == TracingConfig.Provider.ZIPKIN;
    return new SpanExporter(zipkin ? "tracing.zipkin" : "tracing.opentelemetry",
        zipkin ? SpanFormat.ZIPKIN_JSON : SpanFormat.OTLP_PROTOBUF, k.path(), () -> collector(k.cluster()), stats, limits);
  }

  private InetSocketAddress collector(String cluster) {
    var snapshot = snapshots.current();
    var c = snapshot == null ? null : snapshot.config().cluster(cluster);
    if (c == null || c.endpoints().isEmpty()) {
      return null;
    }
    for (var e : c.endpoints()) {
      if (e.healthy()) {
        return e.address();
      }
    }
    return c.endpoints().getFirst().address();
  }

  /** Sends what is queued and stops every exporter. */
  @Override
  public void close() {
    exporters.values().forEach(SpanExporter::close);
  }
}
