package io.meshwork.console.graph;

import io.meshwork.console.http.Exchange;
import io.meshwork.console.jaeger.Durations;
import io.meshwork.console.metrics.MetricsBackend;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Kiali's {@code /api/namespaces/graph} and {@code /api/namespaces/{ns}/health}. Bad parameters
 * answer 400 with Kiali's {@code {"error": "..."}}; a failing metrics back end answers 503.
 */
public final class GraphApi {
  private final GraphBuilder builder;
  private final MetricsBackend backend;
  private final Clock clock;
  private volatile java.util.function.Consumer<Map<String, Object>> decorator = g -> {};

  public GraphApi(MetricsBackend backend, Clock clock) {
    this.builder = new GraphBuilder(backend);
    this.backend = backend;
    this.clock = clock;
  }

  /** Runs on every graph before it is answered (the control plane's config badges). */
  public void decorate(java.util.function.Consumer<Map<String, Object>> d) {
    this.decorator = d;
  }

  public GraphBuilder builder() {
    return builder;
  }

  public boolean handle(Exchange ex) throws IOException {
    String p = ex.path();
    try {
      if (p.equals("/api/namespaces")) {
        ex.json(200, knownNamespaces());
      } else if (p.equals("/api/console/history")) {
        String id = ex.param("id", null);
        if (id == null) {
          throw new IllegalArgumentException("parameter id (a node or edge id from the graph) is required");
        }
        ex.json(200, GraphHistory.of(builder, namespaces(ex), GraphType.of(ex.param("graphType", "workload")),
            Boolean.parseBoolean(ex.param("injectServiceNodes", "true")), window(ex.param("duration", "10m")), id, clock.instant(), 12));
      } else if (p.equals("/api/namespaces/graph")) {
        ex.json(200, graph(ex));
      } else if (p.startsWith("/api/namespaces/") && p.endsWith("/health")) {
        String ns = p.substring("/api/namespaces/".length(), p.length() - "/health".length());
        ex.json(200, health(ns, ex.param("type", "app"), window(ex.param("rateInterval", "5m"))));
      } else {
        return false;
      }
    } catch (IllegalArgumentException e) {
      ex.json(400, Map.of("error", e.getMessage()));
    } catch (IllegalStateException e) {
      ex.json(503, Map.of("error", e.getMessage()));
    }
    return true;
  }

  private Map<String, Object> graph(Exchange ex) {
    List<String> namespaces = namespaces(ex);
    GraphType type = GraphType.of(ex.param("graphType", "workload"));
    boolean inject = Boolean.parseBoolean(ex.param("injectServiceNodes", "true"));
    var options = new GraphBuilder.Options(ex.param("responseTime", "95"), ex.param("throughputType", "response").equals("request"));
    String queryTime = ex.param("queryTime", null);
    Instant at = clock.instant();
    if (queryTime != null) {
      try {
        at = Instant.ofEpochSecond(Long.parseLong(queryTime));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("parameter queryTime=" + queryTime + " must be Unix seconds");
      }
    }
    var g = builder.build(namespaces, type, window(ex.param("duration", "10m")), inject, at, options);
    decorator.accept(g);
    return g;
  }

  private static List<String> namespaces(Exchange ex) {
    String nsParam = ex.param("namespaces", null);
    if (nsParam == null) {
      throw new IllegalArgumentException("parameter namespaces is required, e.g. namespaces=default");
    }
    return Arrays.stream(nsParam.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  /** Namespaces seen in the last hour of traffic, as Kiali's {@code [{name}]}. */
  private List<Map<String, String>> knownNamespaces() {
    var names = new java.util.TreeSet<String>();
    var by = List.of("source_workload_namespace", "destination_workload_namespace");
    for (String metric : List.of("istio_requests_total", "istio_tcp_sent_bytes_total")) {
      for (var s : backend.sumRate(metric, List.of(), Duration.ofHours(1), by, clock.instant())) {
        by.forEach(l -> names.add(s.label(l)));
      }
    }
    names.removeIf(n -> n.isEmpty() || n.equals("unknown"));
    return names.stream().map(n -> Map.of("name", n)).toList();
  }

  /** Kiali's duration: seconds ("600"), or a Go duration ("10m"). */
  static Duration window(String s) {
    if (s.chars().allMatch(Character::isDigit)) {
      return Duration.ofSeconds(Long.parseLong(s));
    }
    return Duration.ofNanos(Durations.micros("duration", s) * 1000);
  }

  /** Health per app, workload or service of one namespace: name -> {requests, status}. */
  @SuppressWarnings("unchecked")
  Map<String, Object> health(String ns, String type, Duration window) {
    GraphType gt = switch (type) {
      case "app" -> GraphType.APP;
      case "workload" -> GraphType.WORKLOAD;
      case "service" -> GraphType.SERVICE;
      default -> throw new IllegalArgumentException("parameter type=" + type + " must be app, workload or service");
    };
    var graph = builder.build(List.of(ns), gt, window, gt == GraphType.SERVICE, clock.instant());
    var out = new HashMap<String, Object>();
    var nodes = (List<Map<String, Object>>) ((Map<String, Object>) graph.get("elements")).get("nodes");
    for (var n : nodes) {
      var d = (Map<String, Object>) n.get("data");
      String nodeType = (String) d.get("nodeType");
      String name = switch (type) {
        case "app" -> nodeType.equals("app") ? (String) d.get("app") : null;
        case "workload" -> nodeType.equals("workload") ? (String) d.get("workload") : null;
        default -> nodeType.equals("service") ? (String) d.get("service") : null;
      };
      if (name != null && ns.equals(d.get("namespace"))) {
        var h = (Map<String, Object>) d.get("healthData");
        out.put(name, Map.of("requests", h.get("requests"), "status", Map.of("status", d.get("healthStatus"))));
      }
    }
    return out;
  }
}
