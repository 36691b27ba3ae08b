package io.meshwork.console.graph;

import io.meshwork.console.metrics.Matcher;
import io.meshwork.console.metrics.MetricsBackend;
import io.meshwork.console.metrics.Sample;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds Kiali's graph from the metrics backend. Each metric row becomes a path of nodes
 * (source, optionally the destination service, destination) according to the graph type; rates
 * accumulate on the path's edges and nodes. Callers without a workload become the single
 * {@code unknown} node; destinations without a workload become their service node.
 */
public final class GraphBuilder {
  private final MetricsBackend backend;

  public GraphBuilder(MetricsBackend backend) {
    this.backend = backend;
  }

  /**
   * Kiali's optional graph parameters: {@code responseTime} (avg, 50, 95, 99; default 95) and
   * {@code throughputType} (request or response bytes; default response).
   */
  public record Options(String responseTime, boolean requestThroughput) {
    public static final Options DEFAULT = new Options("95", false);

    public Options {
      if (!List.of("avg", "50", "95", "99").contains(responseTime)) {
        throw new IllegalArgumentException("parameter responseTime=" + responseTime + " must be avg, 50, 95 or 99");
      }
    }
  }

  /** The graph JSON (as maps) with Kiali's default options. */
  public Map<String, Object> build(List<String> namespaces, GraphType type, Duration window, boolean injectServiceNodes, Instant at) {
    return build(namespaces, type, window, injectServiceNodes, at, Options.DEFAULT);
  }

  /** The graph JSON (as maps) for the given request. */
  public Map<String, Object> build(List<String> namespaces, GraphType type, Duration window, boolean injectServiceNodes, Instant at, Options options) {
    var g = new Acc(type, injectServiceNodes, namespaces);
    for (var row : GraphRows.rates(backend, "istio_requests_total", namespaces, Labels.REQUESTS, window, at)) {
      Sample s = row.sample();
      g.traffic(s, protocolOf(s), s.label("response_code"), s.label("grpc_response_status"), s.value(), row.destinationReported());
    }
    for (String metric : List.of("istio_tcp_sent_bytes_total", "istio_tcp_received_bytes_total")) {
      for (var row : GraphRows.rates(backend, metric, namespaces, Labels.TCP, window, at)) {
        g.traffic(row.sample(), "tcp", "-", "", row.sample().value(), row.destinationReported());
      }
    }
    for (var row : responseTimes(namespaces, window, at, options.responseTime())) {
      Sample s = row.sample();
      for (EdgeAcc e : g.edgesOf(s, protocolOf(s))) {
        e.responseTime = Double.isNaN(e.responseTime) ? s.value() : Math.max(e.responseTime, s.value());
      }
    }
    var withPolicy = new ArrayList<>(Labels.EDGE);
    withPolicy.add("connection_security_policy");
    for (String metric : List.of("istio_requests_total", "istio_tcp_sent_bytes_total")) {
      for (String ns : namespaces) {
        var m = List.of(Matcher.eq("reporter", "destination"), Matcher.eq("destination_workload_namespace", ns));
        for (Sample s : backend.sumRate(metric, m, window, withPolicy, at)) {
          String protocol = metric.contains("tcp") ? "tcp" : protocolOf(s);
          for (EdgeAcc e : g.edgesOf(s, protocol)) {
            e.mtlsBase += s.value();
            if (s.label("connection_security_policy").equals("mutual_tls")) {
              e.mtls += s.value();
            }
          }
        }
      }
    }
    for (var row : GraphRows.rates(backend, options.requestThroughput() ? "istio_request_bytes_sum" : "istio_response_bytes_sum", namespaces, Labels.EDGE, window, at)) {
      for (EdgeAcc e : g.edgesOf(row.sample(), protocolOf(row.sample()))) {
        e.throughput += row.sample().value();
      }
    }
    if (type == GraphType.SERVICE) {
      g.reduceToServices();
    }
    var out = new LinkedHashMap<String, Object>();
    out.put("timestamp", at.getEpochSecond());
    out.put("duration", window.toSeconds());
    out.put("graphType", type.kiali);
    out.put("elements", GraphJson.elements(g.nodes.values(), g.edges.values(), namespaces));
    return out;
  }

  /** A quantile from the duration histogram, or the mean as rate(_sum) / rate(_count). */
  private List<GraphRows.Row> responseTimes(List<String> namespaces, Duration window, Instant at, String which) {
    String base = "istio_request_duration_milliseconds";
    if (!which.equals("avg")) {
      double q = Integer.parseInt(which) / 100.0;
      return GraphRows.merged(namespaces, m -> backend.histogramQuantile(q, base, m, window, Labels.EDGE, at));
    }
    return GraphRows.merged(namespaces, m -> {
      var counts = new java.util.HashMap<Map<String, String>, Double>();
      backend.sumRate(base + "_count", m, window, Labels.EDGE, at).forEach(c -> counts.put(c.labels(), c.value()));
      var out = new ArrayList<Sample>();
      for (Sample sum : backend.sumRate(base + "_sum", m, window, Labels.EDGE, at)) {
        Double c = counts.get(sum.labels());
        if (c != null && c > 0) {
          out.add(new Sample(sum.labels(), sum.value() / c));
        }
      }
      return out;
    });
  }

  private static String protocolOf(Sample s) {
    return s.label("request_protocol").equals("grpc") ? "grpc" : "http";
  }

  /** Nodes and edges under construction. */
  static final class Acc {
    final GraphType type;
    final boolean inject;
    final List<String> namespaces;
    final Map<String, NodeAcc> nodes = new LinkedHashMap<>();
    final Map<String, EdgeAcc> edges = new LinkedHashMap<>();

    /** The service graph is built as a workload graph with service nodes, then reduced. */
    Acc(GraphType type, boolean inject, List<String> namespaces) {
      this.type = type == GraphType.SERVICE ? GraphType.WORKLOAD : type;
      this.inject = inject || type == GraphType.SERVICE;
      this.namespaces = namespaces;
    }

    /**
     * Kiali's service graph: every workload behind a service is replaced by edges from that
     * service to wherever the workload called; workloads no service fronts (gateways, callers
     * outside the mesh) stay as roots.
     */
    void reduceToServices() {
      for (NodeAcc w : List.copyOf(nodes.values())) {
        if (!w.nodeType.equals("workload")) {
          continue;
        }
        var in = edges.values().stream().filter(e -> e.target == w && e.source.nodeType.equals("service")).toList();
        if (in.isEmpty()) {
          continue;
        }
        var out = edges.values().stream().filter(e -> e.source == w).toList();
        for (EdgeAcc i : in) {
          i.source.add(i.protocol + "Out", -i.total);
        }
        for (EdgeAcc o : out) {
          for (EdgeAcc i : in) {
            edges.computeIfAbsent(i.source.id + "->" + o.target.id + ":" + o.protocol, k -> new EdgeAcc(i.source, o.target, o.protocol)).mergeFrom(o);
            i.source.add(o.protocol + "Out", o.total);
            i.source.hasOutgoing = true;
          }
        }
        edges.values().removeIf(e -> e.source == w || e.target == w);
        nodes.remove(w.id);
      }
    }

    void traffic(Sample s, String protocol, String code, String grpcStatus, double v, boolean destinationReported) {
      var path = path(s);
      if (destinationReported) {
        path.getLast().destinationReported = true;
      }
      String host = s.label("destination_service");
      String flag = s.label("response_flags");
      for (int i = 0; i + 1 < path.size(); i++) {
        NodeAcc a = path.get(i);
        NodeAcc b = path.get(i + 1);
        edges.computeIfAbsent(a.id + "->" + b.id + ":" + protocol, k -> new EdgeAcc(a, b, protocol)).add(code, flag, host, grpcStatus, v);
        a.hasOutgoing = true;
        b.hasIncoming = true;
        a.add(protocol + "Out", v);
        b.add(protocol + "In", v);
        if (protocol.equals("http") && !code.isEmpty()) {
          char c = code.charAt(0);
          if (c == '3' || c == '4' || c == '5') {
            b.add("httpIn" + c + "xx", v);
          } else if (c == '0') {
            b.add("httpInNoResponse", v);
          }
        } else if (protocol.equals("grpc") && !"0".equals(grpcStatus)) {
          b.add("grpcInErr", v);
        }
      }
      if (!protocol.equals("tcp")) {
        String key = protocol.equals("grpc") ? grpcStatus : code;
        path.getFirst().request("outbound", protocol, key, v);
        path.getLast().request("inbound", protocol, key, v);
        if (path.size() == 3) {
          path.get(1).request("inbound", protocol, key, v);
        }
      }
    }

    List<EdgeAcc> edgesOf(Sample s, String protocol) {
      var path = path(s);
      var out = new ArrayList<EdgeAcc>();
      for (int i = 0; i + 1 < path.size(); i++) {
        EdgeAcc e = edges.get(path.get(i).id + "->" + path.get(i + 1).id + ":" + protocol);
        if (e != null) {
          out.add(e);
        }
      }
      return out;
    }

    private List<NodeAcc> path(Sample s) {
      NodeAcc src = source(s);
      NodeAcc svc = service(s);
      NodeAcc dst = destination(s, svc);
      if (inject && svc != null && dst != svc) {
        return List.of(src, svc, dst);
      }
      return List.of(src, dst);
    }

    private NodeAcc source(Sample s) {
      String wl = s.label("source_workload");
      if (Labels.unknown(wl)) {
        return node("unknown", "unknown", "unknown", null, null, null, null);
      }
      return workloadNode(s.label("source_workload_namespace"), wl, s.label("source_canonical_service"), s.label("source_canonical_revision"));
    }

    private NodeAcc service(Sample s) {
      String name = s.label("destination_service_name");
      if (Labels.unknown(name)) {
        return null;
      }
      String ns = s.label("destination_service_namespace");
      NodeAcc n = node("svc:" + ns + ":" + name, "service", ns, null, null, null, name);
      n.serviceEntry = Labels.unknown(ns);
      return n;
    }

    private NodeAcc destination(Sample s, NodeAcc svc) {
      String wl = s.label("destination_workload");
      if (Labels.unknown(wl)) {
        return svc != null ? svc : node("unknown", "unknown", "unknown", null, null, null, null);
      }
      String ns = s.label("destination_workload_namespace");
      return workloadNode(ns.isEmpty() ? s.label("destination_service_namespace") : ns, wl, s.label("destination_canonical_service"), s.label("destination_canonical_revision"));
    }

    private NodeAcc workloadNode(String ns, String wl, String app, String version) {
      String a = Labels.unknown(app) ? wl : app;
      return switch (type) {
        case WORKLOAD, SERVICE -> node("wl:" + ns + ":" + wl, "workload", ns, wl, a, version, null);
        case APP -> node("app:" + ns + ":" + a, "app", ns, null, a, null, null);
        case VERSIONED_APP -> {
          NodeAcc n = node("app:" + ns + ":" + a + ":" + version, "app", ns, wl, a, version, null);
          NodeAcc box = node("box:" + ns + ":" + a, "box", ns, null, a, null, null);
          box.isBox = true;
          n.parent = box.id;
          yield n;
        }
      };
    }

    private NodeAcc node(String id, String type, String ns, String wl, String app, String version, String service) {
      return nodes.computeIfAbsent(id, k -> new NodeAcc(id, type, ns, wl, app, version, service));
    }
  }
}
