package io.meshwork.console.graph;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Kiali's cytoscape JSON: {@code {nodes:[{data}], edges:[{data}]}}. Rates are strings with two
 * decimals and percentages with one, as Kiali prints them; zero rates are left out.
 */
final class GraphJson {
  private GraphJson() {}

  static Map<String, Object> elements(Collection<NodeAcc> nodes, Collection<EdgeAcc> edges, List<String> namespaces) {
    var outByNode = new HashMap<String, Map<String, Double>>();
    for (EdgeAcc e : edges) {
      outByNode.computeIfAbsent(e.source.id, k -> new HashMap<>()).merge(e.protocol, e.total, Double::sum);
    }
    var ns = new ArrayList<Map<String, Object>>();
    for (NodeAcc n : nodes) {
      ns.add(Map.of("data", node(n, namespaces)));
    }
    var es = new ArrayList<Map<String, Object>>();
    for (EdgeAcc e : edges) {
      es.add(Map.of("data", edge(e, outByNode.getOrDefault(e.source.id, Map.of()).getOrDefault(e.protocol, 0.0))));
    }
    return Map.of("nodes", ns, "edges", es);
  }

  private static Map<String, Object> node(NodeAcc n, List<String> namespaces) {
    var d = new LinkedHashMap<String, Object>();
    d.put("id", n.id);
    if (n.parent != null) {
      d.put("parent", n.parent);
    }
    d.put("nodeType", n.nodeType);
    d.put("cluster", "Kubernetes");
    d.put("namespace", n.namespace);
    putIf(d, "workload", n.workload);
    putIf(d, "app", n.app);
    putIf(d, "version", n.version);
    putIf(d, "service", n.service);
    if (n.isBox) {
      d.put("isBox", "app");
      return d;
    }
    var traffic = new ArrayList<Map<String, Object>>();
    for (String protocol : List.of("http", "grpc", "tcp")) {
      var rates = new LinkedHashMap<String, String>();
      n.rates.forEach((k, v) -> {
        if (k.startsWith(protocol) && v > 1e-9) {
          rates.put(k, rate(v));
        }
      });
      if (!rates.isEmpty()) {
        traffic.add(Map.of("protocol", protocol, "rates", rates));
      }
    }
    if (!traffic.isEmpty()) {
      d.put("traffic", traffic);
    }
    if (!n.nodeType.equals("unknown")) {
      var health = new LinkedHashMap<String, Object>();
      health.put("requests", Map.of("inbound", n.requests.getOrDefault("inbound", Map.of()), "outbound", n.requests.getOrDefault("outbound", Map.of()), "healthAnnotations", Map.of()));
      d.put("healthData", health);
      var all = new HashMap<String, Map<String, Double>>();
      n.requests.forEach((dir, byProto) -> {
        if (dir.equals("inbound") || !n.nodeType.equals("service")) {
          byProto.forEach((p, codes) -> codes.forEach((c, v) -> all.computeIfAbsent(p, k -> new HashMap<>()).merge(c, v, Double::sum)));
        }
      });
      d.put("healthStatus", Health.status(all));
    }
    if (n.hasOutgoing && !n.hasIncoming) {
      d.put("isRoot", true);
    }
    if (n.isGateway()) {
      d.put("isGateway", Map.of(n.workload != null && n.workload.contains("egress") ? "egressInfo" : "ingressInfo", Map.of()));
    }
    if (!n.nodeType.equals("unknown") && !namespaces.contains(n.namespace) && !n.serviceEntry) {
      d.put("isOutside", true);
    }
    if (n.missingSidecar()) {
      d.put("hasMissingSC", true);
    }
    if (n.serviceEntry) {
      d.put("isServiceEntry", Map.of("location", "MESH_EXTERNAL", "hosts", List.of(n.service)));
    }
    return d;
  }

  private static Map<String, Object> edge(EdgeAcc e, double sourceOut) {
    var d = new LinkedHashMap<String, Object>();
    d.put("id", e.id());
    d.put("source", e.source.id);
    d.put("target", e.target.id);
    if (!Double.isNaN(e.responseTime)) {
      d.put("responseTime", fixed(e.responseTime, 0));
    }
    if (e.throughput > 0) {
      d.put("throughput", fixed(e.throughput, 0));
    }
    if (e.mtls > 0 && e.mtlsBase > 0) {
      d.put("isMTLS", fixed(100 * e.mtls / e.mtlsBase, 0));
    }
    var rates = new LinkedHashMap<String, String>();
    rates.put(e.protocol, rate(e.total));
    if (e.protocol.equals("http")) {
      putRate(rates, "http3xx", e.c3xx);
      putRate(rates, "http4xx", e.c4xx);
      putRate(rates, "http5xx", e.c5xx);
      putRate(rates, "httpNoResponse", e.noResponse);
    } else if (e.protocol.equals("grpc")) {
      putRate(rates, "grpcErr", e.grpcErr);
    }
    if (!e.protocol.equals("tcp")) {
      if (e.errorRate() > 0) {
        rates.put(e.protocol + "PercentErr", pct(100 * e.errorRate() / e.total));
      }
      if (sourceOut > 0) {
        rates.put(e.protocol + "PercentReq", pct(100 * e.total / sourceOut));
      }
    }
    var responses = new LinkedHashMap<String, Object>();
    e.flags.forEach((code, flags) -> {
      var f = new LinkedHashMap<String, String>();
      flags.forEach((k, v) -> f.put(k, pct(100 * v / e.total)));
      var h = new LinkedHashMap<String, String>();
      e.hosts.get(code).forEach((k, v) -> h.put(k, pct(100 * v / e.total)));
      responses.put(code, Map.of("flags", f, "hosts", h));
    });
    d.put("traffic", Map.of("protocol", e.protocol, "rates", rates, "responses", responses));
    return d;
  }

  private static void putRate(Map<String, String> m, String key, double v) {
    if (v > 0) {
      m.put(key, rate(v));
    }
  }

  static String rate(double v) {
    return fixed(v, 2);
  }

  static String pct(double v) {
    return fixed(v, 1);
  }

  /**
   * {@code String.format(Locale.ROOT, "%.<scale>f", v)}, the same digits (the shortest decimal of
   * v rounded half up), without the Formatter: a graph of 400 edges formats a few thousand numbers
   * and the Formatter was a tenth of the request's CPU.
   */
  static String fixed(double v, int scale) {
    if (!Double.isFinite(v) || v < 0 || (v == 0 && 1 / v < 0)) { // rates are never negative; keep the rare cases exact
      return String.format(Locale.ROOT, "%." + scale + "f", v);
    }
    return java.math.BigDecimal.valueOf(v).setScale(scale, java.math.RoundingMode.HALF_UP).toPlainString();
  }

  private static void putIf(Map<String, Object> m, String k, String v) {
    if (v != null && !v.isEmpty()) {
      m.put(k, v);
    }
  }
}
