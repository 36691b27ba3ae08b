package io.meshwork.proxy.admin;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Renders stats in the Prometheus text format the way Envoy's {@code /stats/prometheus} names them:
 * {@code cluster.<name>.<stat>} becomes {@code envoy_cluster_<stat>{envoy_cluster_name="<name>"}},
 * {@code http.<prefix>.<stat>} becomes {@code envoy_http_<stat>{envoy_http_conn_manager_prefix="<prefix>"}},
 * {@code tcp.<prefix>.<stat>} becomes {@code envoy_tcp_<stat>{envoy_tcp_prefix="<prefix>"}}.
 * Scope names (which may contain dots, like Istio cluster names) are recognised from the known
 * clusters and prefixes, longest first.
 */
final class PrometheusFormat {
  private record Scope(String statPrefix, String metricPrefix, String label) {}

  private PrometheusFormat() {}

  static String render(Map<String, Long> stats, Set<String> gauges, Set<String> clusters, Set<String> httpPrefixes,
      Set<String> tcpPrefixes) {
    var scopes = new java.util.ArrayList<Map.Entry<String, Scope>>();
    clusters.forEach(c -> scopes.add(Map.entry("cluster." + c + ".", new Scope(c, "envoy_cluster_", "envoy_cluster_name"))));
    httpPrefixes.forEach(p -> scopes.add(Map.entry("http." + p + ".",
        new Scope(p, "envoy_http_", "envoy_http_conn_manager_prefix"))));
    tcpPrefixes.forEach(p -> scopes.add(Map.entry("tcp." + p + ".", new Scope(p, "envoy_tcp_", "envoy_tcp_prefix"))));
    scopes.sort(Comparator.comparingInt((Map.Entry<String, Scope> e) -> -e.getKey().length()));
    // metric name -> lines, so that each metric gets one TYPE line
    var metrics = new TreeMap<String, List<String>>();
    var types = new TreeMap<String, String>();
    stats.forEach((name, value) -> {
      String metric = null;
      String labels = "";
      for (var s : scopes) {
        if (name.startsWith(s.getKey())) {
          metric = s.getValue().metricPrefix() + sanitize(name.substring(s.getKey().length()));
          labels = "{" + s.getValue().label() + "=\"" + escape(s.getValue().statPrefix()) + "\"}";
          break;
        }
      }
      if (metric == null) {
        metric = "envoy_" + sanitize(name);
      }
      metrics.computeIfAbsent(metric, k -> new java.util.ArrayList<>()).add(metric + labels + " " + value);
      types.put(metric, gauges.contains(name) ? "gauge" : "counter");
    });
    var sb = new StringBuilder();
    metrics.forEach((metric, lines) -> {
      sb.append("# TYPE ").append(metric).append(' ').append(types.get(metric)).append('\n');
      lines.forEach(l -> sb.append(l).append('\n'));
    });
    return sb.toString();
  }

  private static String sanitize(String s) {
    return s.replaceAll("[^a-zA-Z0-9_]", "_");
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
