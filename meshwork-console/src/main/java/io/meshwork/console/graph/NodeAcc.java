package io.meshwork.console.graph;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** A graph node being built: identity fields plus accumulated traffic and health inputs. */
final class NodeAcc {
  final String id;
  final String nodeType;
  final String namespace;
  final String workload;
  final String app;
  final String version;
  final String service;
  String parent;
  boolean isBox;
  boolean hasIncoming;
  boolean hasOutgoing;
  boolean serviceEntry;
  /** A destination proxy reported traffic into this node, so it has a sidecar. */
  boolean destinationReported;
  final Map<String, Double> rates = new TreeMap<>();
  /** direction (inbound|outbound) -> protocol -> response code -> rate, Kiali's healthData shape. */
  final Map<String, Map<String, Map<String, Double>>> requests = new LinkedHashMap<>();

  NodeAcc(String id, String nodeType, String namespace, String workload, String app, String version, String service) {
    this.id = id;
    this.nodeType = nodeType;
    this.namespace = namespace;
    this.workload = workload;
    this.app = app;
    this.version = version;
    this.service = service;
  }

  void add(String rate, double v) {
    rates.merge(rate, v, Double::sum);
  }

  void request(String direction, String protocol, String code, double v) {
    requests.computeIfAbsent(direction, k -> new TreeMap<>()).computeIfAbsent(protocol, k -> new TreeMap<>()).merge(code, v, Double::sum);
  }

  /**
   * Kiali's missing-sidecar badge, inferred from metrics: a workload or app that receives traffic
   * only ever reported by its callers has no proxy of its own.
   */
  boolean missingSidecar() {
    return hasIncoming && !destinationReported && (nodeType.equals("workload") || nodeType.equals("app"));
  }

  boolean isGateway() {
    String n = workload != null ? workload : app;
    return n != null && (n.contains("ingressgateway") || n.contains("egressgateway"));
  }
}
