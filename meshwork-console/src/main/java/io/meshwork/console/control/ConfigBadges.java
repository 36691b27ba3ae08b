package io.meshwork.console.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.config.HostNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kiali's config badges on graph nodes, computed from the control plane's config (Kiali reads the
 * same facts from the Kubernetes API): on service nodes {@code hasVS}, {@code hasRequestRouting},
 * {@code hasTrafficShifting}, {@code hasTCPTrafficShifting}, {@code hasFaultInjection},
 * {@code hasRequestTimeout}, {@code hasMirroring} (from mesh VirtualServices for the host),
 * {@code hasCB} (a DestinationRule with a connection pool or outlier detection) and
 * {@code isServiceEntry} (a ServiceEntry declares the host, with its location); on workload and app
 * nodes {@code hasCB} as well, {@code isOutOfMesh}/{@code hasMissingSC} when no proxy of that
 * workload is connected, and {@code isGateway} for connected gateway proxies.
 */
public final class ConfigBadges {
  private ConfigBadges() {}

  /** Adds the badges to a graph built by {@code GraphBuilder} (its node {@code data} maps are mutable). */
  @SuppressWarnings("unchecked")
  public static void apply(Map<String, Object> graph, MeshConfig config) {
    var elements = (Map<String, Object>) graph.get("elements");
    if (elements == null || config == null) {
      return;
    }
    for (var node : (List<Map<String, Object>>) elements.get("nodes")) {
      var d = (Map<String, Object>) node.get("data");
      if (d.containsKey("isBox") || "unknown".equals(d.get("nodeType"))) {
        continue;
      }
      applyToNode(d, config);
    }
  }

  static void applyToNode(Map<String, Object> d, MeshConfig config) {
    String ns = (String) d.get("namespace");
    String type = (String) d.get("nodeType");
    String service = (String) d.get("service");
    if (type.equals("service") && service != null) {
      var hosts = HostNames.candidates(service, ns);
      serviceBadges(d, config, hosts);
      return;
    }
    // Workload and app nodes: the DestinationRule of the service named like the app (Kiali's convention).
    String app = (String) d.get("app");
    if (app != null && hasCircuitBreaker(config, HostNames.candidates(app, ns))) {
      d.put("hasCB", true);
    }
    String workload = (String) d.get("workload");
    if (!config.proxies().isEmpty() && !Boolean.TRUE.equals(d.get("isOutside"))) {
      boolean inMesh = workload != null ? config.hasProxy(ns, workload)
          : app != null && config.hasProxyForApp(ns, app, (String) d.get("version"));
      if (!inMesh) {
        d.put("isOutOfMesh", true);
        d.put("hasMissingSC", true);
      } else {
        d.remove("hasMissingSC");
      }
    }
    if (workload != null && !d.containsKey("isGateway")) {
      for (var p : config.proxies()) {
        if (p.path("type").asText().equals("router") && p.path("workload").asText().equals(workload) && p.path("namespace").asText().equals(ns)) {
          d.put("isGateway", Map.of("ingressInfo", Map.of("hostnames", gatewayHosts(config))));
        }
      }
    }
  }

  private static void serviceBadges(Map<String, Object> d, MeshConfig config, List<String> hosts) {
    var vsHosts = new ArrayList<String>();
    for (var vs : config.ofKind("VirtualService")) {
      var spec = vs.path("spec");
      if (!appliesToMesh(spec) || !coversAny(spec.path("hosts"), namespace(vs), hosts)) {
        continue;
      }
      spec.path("hosts").forEach(h -> vsHosts.add(h.asText()));
      for (var http : spec.path("http")) {
        if (http.path("route").size() > 1) {
          d.put("hasTrafficShifting", true);
        }
        if (http.has("match") || http.path("route").size() > 1) {
          d.put("hasRequestRouting", true);
        }
        if (http.has("fault")) {
          d.put("hasFaultInjection", true);
        }
        if (http.has("timeout")) {
          d.put("hasRequestTimeout", true);
        }
        if (http.has("mirror") || http.path("mirrors").size() > 0) {
          d.put("hasMirroring", true);
        }
      }
      for (var tcp : spec.path("tcp")) {
        if (tcp.path("route").size() > 1) {
          d.put("hasTCPTrafficShifting", true);
        }
      }
    }
    if (!vsHosts.isEmpty()) {
      d.put("hasVS", Map.of("hostnames", vsHosts));
    }
    if (hasCircuitBreaker(config, hosts)) {
      d.put("hasCB", true);
    }
    for (var se : config.ofKind("ServiceEntry")) {
      var spec = se.path("spec");
      if (coversAny(spec.path("hosts"), namespace(se), hosts)) {
        var m = new LinkedHashMap<String, Object>();
        m.put("location", spec.path("location").asText("MESH_EXTERNAL"));
        var list = new ArrayList<String>();
        spec.path("hosts").forEach(h -> list.add(h.asText()));
        m.put("hosts", list);
        d.put("isServiceEntry", m);
        d.remove("isOutside");
      }
    }
  }

  private static boolean hasCircuitBreaker(MeshConfig config, List<String> hosts) {
    for (var dr : config.ofKind("DestinationRule")) {
      var spec = dr.path("spec");
      if (!coversAny(spec.path("host"), namespace(dr), hosts)) {
        continue;
      }
      if (circuitBreaker(spec.path("trafficPolicy"))) {
        return true;
      }
      for (var s : spec.path("subsets")) {
        if (circuitBreaker(s.path("trafficPolicy"))) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean circuitBreaker(JsonNode policy) {
    if (policy.has("connectionPool") || policy.has("outlierDetection")) {
      return true;
    }
    for (var p : policy.path("portLevelSettings")) {
      if (p.has("connectionPool") || p.has("outlierDetection")) {
        return true;
      }
    }
    return false;
  }

  private static boolean appliesToMesh(JsonNode spec) {
    var gws = spec.path("gateways");
    if (gws.isMissingNode() || gws.isEmpty()) {
      return true;
    }
    for (var g : gws) {
      if (g.asText().equals("mesh")) {
        return true;
      }
    }
    return false;
  }

  /** Whether one of the written hosts (a text or an array, in namespace {@code ns}) names one of {@code hosts}. */
  private static boolean coversAny(JsonNode written, String ns, List<String> hosts) {
    var list = new ArrayList<String>();
    if (written.isArray()) {
      written.forEach(h -> list.add(h.asText()));
    } else if (written.isTextual()) {
      list.add(written.asText());
    }
    for (var w : list) {
      var f = HostNames.fqdn(w, ns);
      for (var h : hosts) {
        if (HostNames.matches(f, h) || HostNames.matches(w, h)) {
          return true;
        }
      }
    }
    return false;
  }

  private static List<String> gatewayHosts(MeshConfig config) {
    var out = new ArrayList<String>();
    for (var gw : config.ofKind("Gateway")) {
      for (var s : gw.path("spec").path("servers")) {
        s.path("hosts").forEach(h -> {
          if (!out.contains(h.asText())) {
            out.add(h.asText());
          }
        });
      }
    }
    return out;
  }

  private static String namespace(ObjectNode r) {
    var ns = r.path("metadata").path("namespace").asText("");
    return ns.isEmpty() ? "default" : ns;
  }
}
