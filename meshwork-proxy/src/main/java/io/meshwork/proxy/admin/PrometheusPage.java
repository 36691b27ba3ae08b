package io.meshwork.proxy.admin;

import io.meshwork.proxy.runtime.SnapshotHolder;
import io.meshwork.proxy.stats.Stats;
import io.meshwork.proxy.telemetry.IstioMetrics;
import io.meshwork.proxy.telemetry.ProxyTelemetry;

/**
 * The proxy's Prometheus page, served on admin {@code /stats/prometheus} and on the dedicated
 * Prometheus listener: Envoy's stats under Envoy's names ({@link PrometheusFormat}), the proxy's
 * health (active connections and requests, requests in flight per cluster, xDS
 * state, JVM memory and GC), and Istio's {@code istio_*} metrics. In the Prometheus text format
 * 0.0.4, or OpenMetrics 1.0 when the scraper's {@code Accept} asks for
 * {@code application/openmetrics-text}.
 */
public final class PrometheusPage {
  static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
  static final String OPEN_METRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

  private PrometheusPage() {}

  /** Whether an {@code Accept} header asks for OpenMetrics (Prometheus sends it first when it supports it). */
  public static boolean wantsOpenMetrics(String accept) {
    return accept != null && accept.contains("application/openmetrics-text");
  }

  public static String contentType(boolean openMetrics) {
    return openMetrics ? OPEN_METRICS : TEXT;
  }

  public static String render(SnapshotHolder snapshots, Stats stats, ProxyTelemetry telemetry, boolean openMetrics) {
    var snap = snapshots.current();
    var http = new java.util.HashSet<String>();
    var tcp = new java.util.HashSet<String>();
    for (var top : snap.config().listeners()) {
      for (var l : top.protocol() instanceof io.meshwork.proxy.config.ListenerConfig.Chains c ? c.listeners() : java.util.List.of(top)) {
        switch (l.protocol()) {
          case io.meshwork.proxy.config.ListenerConfig.Http h -> http.add(h.hcm().statPrefix());
          case io.meshwork.proxy.config.ListenerConfig.Tcp t -> tcp.add(t.tcp().statPrefix());
          case io.meshwork.proxy.config.ListenerConfig.Chains c -> { } // chains do not nest
        }
      }
    }
    var envoy = PrometheusFormat.render(stats.snapshot(), stats.gaugeNames(), snap.clusters().keySet(), http, tcp);
    var sb = new StringBuilder(envoy.length() + 4096);
    if (openMetrics) {
      openMetricsTypes(envoy, sb);
    } else {
      sb.append(envoy);
    }
    var active = new StringBuilder("# TYPE envoy_cluster_upstream_rq_active gauge\n");
    snap.clusters().values().stream().sorted((a, b) -> a.name().compareTo(b.name())).forEach(c -> {
      long rq = 0;
      for (var h : c.hosts()) {
        rq += h.activeRequests();
      }
      var label = new StringBuilder("{envoy_cluster_name=\"").append(c.name().replace("\\", "\\\\").replace("\"", "\\\"")).append("\"} ");
      active.append("envoy_cluster_upstream_rq_active").append(label).append(rq).append('\n');
    });
    if (!snap.clusters().isEmpty()) {
      sb.append(active); // ejections: the outlier detector's own ejections_active gauge
    }
    if (telemetry != null) {
      telemetry.renderHealth(sb, openMetrics);
      telemetry.metrics().render(sb, openMetrics);
    }
    if (openMetrics) {
      sb.append("# EOF\n");
    }
    return sb.toString();
  }

  /**
   * OpenMetrics names a counter family without {@code _total} and requires its samples to end in
   * it; Envoy's counters mostly do not ({@code upstream_rq_retry}), so those are typed
   * {@code unknown}, which keeps their names unchanged for queries.
   */
  private static void openMetricsTypes(String envoy, StringBuilder sb) {
    for (var line : envoy.split("\n")) {
      if (line.startsWith("# TYPE ") && line.endsWith(" counter")) {
        var name = line.substring(7, line.length() - 8);
        if (name.endsWith("_total")) {
          sb.append("# TYPE ").append(name, 0, name.length() - 6).append(" counter\n");
        } else {
          sb.append("# TYPE ").append(name).append(" unknown\n");
        }
      } else if (!line.isEmpty()) {
        sb.append(line).append('\n');
      }
    }
  }

  /** For tests: the istio_* part only. */
  static String istioOnly(IstioMetrics metrics, boolean openMetrics) {
    var sb = new StringBuilder();
    metrics.render(sb, openMetrics);
    return sb.toString();
  }
}
